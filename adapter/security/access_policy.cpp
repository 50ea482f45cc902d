#include "security/access_policy.h"

#include <algorithm>

#include "fhir/errors.h"

namespace sp::security {
namespace {

using fhir::ErrorKind;
using fhir::FhirError;

const std::vector<std::string> kDirectory = {"HealthcareService", "Organization", "Location",
                                             "Endpoint"};
const std::vector<std::string> kReferrers = {"Practitioner", "PractitionerRole"};
// The conformance resources (and Questionnaire): what partners need to know to talk to the
// hub, public to every partner (MessageDefinition: the events $process-message accepts).
const std::vector<std::string> kDefinitions = {
    "ConceptMap",          "CodeSystem",      "ValueSet",
    "StructureDefinition", "SearchParameter", "NamingSystem",
    "OperationDefinition", "Questionnaire",   "CapabilityStatement",
    "MessageDefinition"};

bool in(const std::vector<std::string>& list, const std::string& type) {
  return std::find(list.begin(), list.end(), type) != list.end();
}

bool isWrite(Action a) {
  return a == Action::kCreate || a == Action::kUpdate || a == Action::kDelete;
}

[[noreturn]] void refuse(const std::string& why) {
  throw FhirError(ErrorKind::kForbidden, "forbidden", why);
}

}  // namespace

Category categoryOf(const std::string& type) {
  if (in(kDirectory, type)) return Category::kDirectory;
  if (in(kReferrers, type) || in(kDefinitions, type)) return Category::kShared;
  if (type == "AuditEvent") return Category::kAudit;
  return Category::kRecord;
}

const std::vector<std::string>& openTypes() {
  static const std::vector<std::string> types = [] {
    std::vector<std::string> all = kDirectory;
    all.insert(all.end(), kReferrers.begin(), kReferrers.end());
    all.insert(all.end(), kDefinitions.begin(), kDefinitions.end());
    return all;
  }();
  return types;
}

void requireAllowed(const Caller& caller, Action action, const std::string& type) {
  if (type == "AuditEvent" && isWrite(action)) {
    throw FhirError(ErrorKind::kMethodNotAllowed, "not-supported",
                    "AuditEvent is written by the adapter only and is never edited");
  }
  if (!caller.checked() || type.empty()) return;
  const bool admin = caller.role == Role::kDirectoryAdministrator;
  const std::string who =
      "Organisation " + caller.odsCode + " (" + std::string(roleCode(caller.role)) + ")";
  switch (categoryOf(type)) {
    case Category::kDirectory:
      if (!isWrite(action) || admin) return;
      if (action == Action::kUpdate && mayUpdateOwnService(caller, type)) return;
      refuse(who + " may not change the directory (" + type + ")");
    case Category::kShared:
      if (!isWrite(action) || admin) return;
      if (in(kReferrers, type) && caller.role != Role::kCommissioner) return;
      refuse(who + " may not change " + type);
    case Category::kAudit:
      if (admin && action != Action::kHistory) return;
      refuse(who + " may not read the audit trail");
    case Category::kRecord:
      if (action == Action::kOperation) return;
      if (caller.role == Role::kCommissioner) {
        refuse(who + " reads reports, not records (" + type + ")");
      }
      if (admin) refuse(who + " keeps the directory and reads no records (" + type + ")");
      return;
  }
}

bool seesAll(const Caller& caller, const std::string& type) {
  if (!caller.checked()) return true;
  const Category category = categoryOf(type);
  return category == Category::kDirectory || category == Category::kShared ||
         (category == Category::kAudit && caller.role == Role::kDirectoryAdministrator);
}

bool mayUpdateOwnService(const Caller& caller, const std::string& type) {
  return type == "HealthcareService" && caller.checked() && caller.role != Role::kCommissioner &&
         caller.role != Role::kGpPractice;
}

bool mayDelete(const Caller& caller, const std::string& type, bool callerCreatedIt) {
  if (!caller.checked()) return true;
  if (categoryOf(type) == Category::kRecord) return callerCreatedIt;
  return caller.role == Role::kDirectoryAdministrator && categoryOf(type) != Category::kAudit;
}

}  // namespace sp::security
