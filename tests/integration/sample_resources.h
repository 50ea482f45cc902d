// Small resources that conform to the R4 definitions and the project's profiles, for tests that
// store data. Each has a narrative, so none raises even a warning (dom-6). References are plain
// strings: "Patient/p", or a "urn:uuid:..." fullUrl inside a transaction.
#pragma once

#include <string>

namespace sp::testing::samples {

inline const std::string kProfileBase =
    "https://fhir.social-prescribing.example.org/StructureDefinition/";
inline const std::string kCodeSystemBase =
    "https://fhir.social-prescribing.example.org/CodeSystem/";

// `"text":{...},` with a generated narrative.
inline std::string narrative(const std::string& words) {
  return R"("text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>)" +
         words + R"(</p></div>"},)";
}

// A Patient; `more` is extra members written after the name (",\"gender\":\"female\"").
inline std::string patient(const std::string& family = "Okafor", const std::string& more = "") {
  return R"({"resourceType":"Patient",)" + narrative("Patient " + family) +
         R"("name":[{"family":")" + family + R"(","given":["Ada"]}])" + more + "}";
}

// An sp-referral ServiceRequest (route extension, SNOMED CT 871731000000106, intent order,
// requester), for `subject`.
inline std::string referral(const std::string& subject,
                            const std::string& requester = "PractitionerRole/prr-gp-osei",
                            const std::string& route = "gp") {
  return R"({"resourceType":"ServiceRequest",)" + narrative("Referral to social prescribing") +
         R"("extension":[{"url":")" + kProfileBase +
         R"(referral-route","valueCoding":{"system":")" + kCodeSystemBase +
         R"(referral-route","code":")" + route +
         R"("}}],"status":"active","intent":"order",)"
         R"("code":{"coding":[{"system":"http://snomed.info/sct","code":"871731000000106",)"
         R"("display":"Referral to social prescribing service"}]},)"
         R"("subject":{"reference":")" +
         subject + R"("},"requester":{"reference":")" + requester + R"("}})";
}

// An sp-referral-task Task acting on the referral `focus` for the person `forRef`.
inline std::string referralTask(const std::string& focus, const std::string& forRef,
                                const std::string& requester = "PractitionerRole/prr-gp-osei",
                                const std::string& status = "requested") {
  return R"({"resourceType":"Task",)" + narrative("Act on the referral") + R"("status":")" +
         status + R"(","intent":"order","code":{"coding":[{"system":")" + kCodeSystemBase +
         R"(task-code","code":"fulfill-referral"}]},"focus":{"reference":")" + focus +
         R"("},"for":{"reference":")" + forRef + R"("},"requester":{"reference":")" + requester +
         R"("}})";
}

// An sp-directory-entry HealthcareService (capacity, governance tier, last reviewed, active,
// providedBy, category, name).
inline std::string directoryEntry(const std::string& providedBy,
                                  const std::string& name = "Walks") {
  return R"({"resourceType":"HealthcareService",)" + narrative(name) + R"("extension":[)" +
         R"({"url":")" + kProfileBase +
         R"(capacity","extension":[{"url":"total","valueUnsignedInt":12},)"
         R"({"url":"free","valueUnsignedInt":4},{"url":"status","valueCode":"capacity"}]},)" +
         R"({"url":")" + kProfileBase + R"(governance-tier","valueCoding":{"system":")" +
         kCodeSystemBase + R"(governance-tier","code":"tier-1"}},)" + R"({"url":")" + kProfileBase +
         R"(last-reviewed","valueDate":"2026-10-14"}],)" +
         R"("active":true,"providedBy":{"reference":")" + providedBy +
         R"("},"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/service-category","code":"23"}]}],)"
         R"("name":")" +
         name + R"("})";
}

// An Endpoint for FHIR messages at `address`, named `name`. Its payload type is a plain "FHIR
// message", or with `barsRequests` BaRS's event for new referrals: its organisation asks for
// referrals to be pushed to it.
inline std::string messagingEndpoint(const std::string& name, const std::string& address,
                                     bool barsRequests = false) {
  const std::string payload =
      barsRequests
          ? R"([{"coding":[{"system":"https://fhir.nhs.uk/CodeSystem/message-events-bars","code":"servicerequest-request"}]}])"
          : R"([{"text":"FHIR message"}])";
  return R"({"resourceType":"Endpoint",)" + narrative(name) +
         R"("status":"active","connectionType":{"system":"http://terminology.hl7.org/CodeSystem/endpoint-connection-type","code":"hl7-fhir-msg"},)"
         R"("payloadType":)" +
         payload + R"(,"address":")" + address + R"("})";
}

// The smallest conforming resource of each type a referral message Bundle carries beside the
// referral itself, about the person `subject`. Empty for other types.
inline std::string minimal(const std::string& type, const std::string& subject = "Patient/p") {
  const std::string head = R"({"resourceType":")" + type + R"(",)" + narrative(type);
  const std::string ref = R"({"reference":")" + subject + R"("})";
  if (type == "Encounter") {
    return head +
           R"("status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":)" +
           ref + "}";
  }
  if (type == "CarePlan")
    return head + R"("status":"active","intent":"plan","subject":)" + ref + "}";
  if (type == "Consent") {
    return head +
           R"("status":"active","scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},)"
           R"("category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],"patient":)" +
           ref + R"(,"policy":[{"uri":"https://sp-hub.example.org/privacy-notice"}]})";
  }
  if (type == "Flag")
    return head + R"("status":"active","code":{"text":"x"},"subject":)" + ref + "}";
  if (type == "Condition") return head + R"("code":{"text":"Loneliness"},"subject":)" + ref + "}";
  if (type == "Appointment") {
    return head + R"("status":"proposed","participant":[{"actor":)" + ref +
           R"(,"status":"needs-action"}]})";
  }
  if (type == "QuestionnaireResponse") {
    return head + R"("status":"completed","subject":)" + ref + "}";
  }
  if (type == "MedicationStatement") {
    return head +
           R"("status":"active","medicationCodeableConcept":{"text":"Sertraline"},"subject":)" +
           ref + "}";
  }
  if (type == "RelatedPerson") return head + R"("patient":)" + ref + "}";
  return "";
}

}  // namespace sp::testing::samples
