#include "rest/operations.h"

#include <stdexcept>

#include "fhir/operation_outcome.h"

namespace sp::rest {

std::string RequestOperation::errorBody(int, const std::vector<fhir::Issue>& issues) const {
  return fhir::operationOutcomeJson(issues);
}

void Operations::add(OperationEntry entry) {
  if ((entry.operation == nullptr) == (entry.requestOperation == nullptr)) {
    throw std::invalid_argument("operation " + entry.name + " needs exactly one handler");
  }
  for (const OperationEntry& e : entries_) {
    if (e.type == entry.type && e.name == entry.name) {
      throw std::invalid_argument("operation " + entry.name + " is registered twice");
    }
  }
  entries_.push_back(std::move(entry));
}

const OperationEntry* Operations::find(const std::string& type, const std::string& name,
                                       bool instance) const {
  for (const OperationEntry& e : entries_) {
    if (e.type != type || e.name != name) continue;
    return (instance ? e.instanceLevel : e.typeLevel) ? &e : nullptr;
  }
  return nullptr;
}

}  // namespace sp::rest
