// The workflow's settings (flags --handover-expiry and the size of a refusal's list).
#pragma once

#include <chrono>
#include <cstddef>

namespace sp::services {

struct WorkflowSettings {
  // A warm handover not accepted within this time expires: the sender keeps the person.
  std::chrono::seconds handoverExpiry{std::chrono::hours(72)};
  // How many alternatives a refusal for want of a place lists.
  std::size_t alternativesInOutcome = 5;
};

}  // namespace sp::services
