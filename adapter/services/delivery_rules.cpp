#include "services/delivery_rules.h"

namespace sp::services {

void registerDeliveryRules(rest::WriteRules& rules, const ReferrerResponseRule& responses,
                           const ReferralPushRule& pushes, const SubscriptionRule& subscriptions) {
  rules.add("Task", &responses);
  rules.add("Task", &pushes);
  rules.add("ServiceRequest", &pushes);
  rules.add("Subscription", &subscriptions);
  for (const char* type : SubscriptionRule::kNotifiedTypes) rules.add(type, &subscriptions);
}

}  // namespace sp::services
