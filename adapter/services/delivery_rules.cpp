#include "services/delivery_rules.h"

namespace sp::services {

void registerDeliveryRules(rest::WriteRules& rules, const ReferrerResponseRule& responses,
                           const ReferralPushRule& pushes, const SubscriptionRule& subscriptions) {
  rules.add("Task", &responses);
  rules.add("Task", &pushes);
  rules.add("ServiceRequest", &pushes);
  for (const char* type : {"Subscription", "Task", "ServiceRequest"}) {
    rules.add(type, &subscriptions);
  }
}

}  // namespace sp::services
