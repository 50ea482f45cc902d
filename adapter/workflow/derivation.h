// What the hub derives for a referral (ServiceRequest) and for a Task, so that what partners'
// own standards allow becomes what the hub's profiles hold (docs/derivation.md). Pure: the
// caller supplies what it looked up (the sender, the referral a Task acts on).
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "fhir/errors.h"

namespace sp::workflow {

// SNOMED CT 871731000000106 |Referral to social prescribing service|.
inline constexpr const char* kSnomedSystem = "http://snomed.info/sct";
inline constexpr const char* kSocialPrescribingReferral = "871731000000106";
// HL7's Task codes (http://hl7.org/fhir/CodeSystem/task-code): `fulfill` is the standard code
// of a Task that asks for a request to be carried out (UK Core, Gravity SDOH use it).
inline constexpr const char* kHl7TaskCodeSystem = "http://hl7.org/fhir/CodeSystem/task-code";
inline constexpr const char* kFulfill = "fulfill";

// Who sent the resource, as the hub knows it.
struct Sender {
  std::string odsCode;  // the client certificate's organisation ("" when none)
  std::string name;     // its name in the organisations file
  std::string route;    // the referral route its role maps to ("" when none)
};

// Fills in a referral's route, social prescribing code, requester and profile where the sender
// gave none. Returns an informational issue per element derived.
std::vector<fhir::Issue> deriveReferral(rapidjson::Document& referral, const Sender& sender);

enum class TaskKind {
  kReferral,  // acts on a referral: HL7 `fulfill`, the project's fulfill-referral, or no code
              // and a focus that is a ServiceRequest
  kHandover,  // the project's warm-handover
  kOther,     // anything else (a Task for the patient, a reminder): held as plain R4
};
TaskKind taskKind(const rapidjson::Value& task);

// Completes a referral or handover Task: both codes (HL7 `fulfill` and the project's), `for`
// and `requester` from `referral` (the ServiceRequest its focus names, null when not held) or
// the sender, and the profile it meets. Other Tasks are left alone.
std::vector<fhir::Issue> deriveTask(rapidjson::Document& task, const rapidjson::Value* referral,
                                    const Sender& sender);

}  // namespace sp::workflow
