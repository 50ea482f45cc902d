// Partner codes at the door, with the repository's own tables (mappings/): inbound
// normalisation per sender, the warn and refuse policies, equivalence notes, Task.status from a
// partner's word, identifier spellings, and the partner's own words added back on read. Each
// normalised example must still validate against the project's profiles.
#include <gtest/gtest.h>
#include <rapidjson/pointer.h>

#include <fstream>
#include <sstream>

#include "fhir/definitions.h"
#include "fhir/json.h"
#include "mapping/mapping_set.h"
#include "mapping/normaliser.h"
#include "validation/validator.h"

namespace sp::mapping {
namespace {

const std::string kBase = "https://fhir.social-prescribing.example.org";
const std::string kSnomed = "http://snomed.info/sct";
const std::string kVcse = "https://vcse-cases.northvale.example.org/CodeSystem/case-status";
const std::string kCategory =
    "https://vcse-cases.northvale.example.org/CodeSystem/activity-category";
const std::string kBusiness = kBase + "/CodeSystem/task-business-status";
const std::string kCohort = kBase + "/CodeSystem/priority-cohort";
const Sender kGp{"A81001", ""};
const Sender kVcseProvider{"VCS0001", ""};
const Sender kLinkWorker{"PCN0001", ""};
const Sender kNobody{"", ""};

const fhir::Definitions& definitions() {
  static const fhir::Definitions defs =
      fhir::Definitions::load(std::string(SP_SOURCE_DIR) + "/fhir-profiles");
  return defs;
}

const MappingSet& tables() {
  static const MappingSet set =
      MappingSet::load(std::string(SP_SOURCE_DIR) + "/mappings", &definitions());
  return set;
}

rapidjson::Document example(const std::string& name) {
  std::ifstream in(std::string(SP_SOURCE_DIR) + "/tests/data/validation/valid/" + name);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  fhir::parseJson(text.str(), doc);
  return doc;
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  fhir::parseJson(text, doc);
  return doc;
}

void setJson(rapidjson::Document& doc, const char* pointer, const std::string& json) {
  rapidjson::Document value(&doc.GetAllocator());
  fhir::parseJson(json, value);
  rapidjson::Value copy(value, doc.GetAllocator());
  rapidjson::Pointer(pointer).Set(doc, copy);
}

std::string at(const rapidjson::Value& doc, const char* pointer) {
  const rapidjson::Value* v = rapidjson::Pointer(pointer).Get(doc);
  return v && v->IsString() ? v->GetString() : "";
}

// "system|code" of every coding of the CodeableConcept at `pointer`.
std::vector<std::string> codings(const rapidjson::Value& doc, const std::string& pointer) {
  std::vector<std::string> out;
  const rapidjson::Value* cc = rapidjson::Pointer((pointer + "/coding").c_str()).Get(doc);
  if (!cc || !cc->IsArray()) return out;
  for (const auto& c : cc->GetArray()) {
    out.push_back(fhir::getString(c, "system") + "|" + fhir::getString(c, "code"));
  }
  return out;
}

std::vector<std::string> errorsOf(const rapidjson::Value& resource) {
  static const validation::Validator validator(definitions());
  std::vector<std::string> out;
  for (const auto& issue : validator.validate(resource)) {
    if (issue.severity == fhir::Severity::kError || issue.severity == fhir::Severity::kFatal) {
      out.push_back(issue.expression + ": " + issue.diagnostics);
    }
  }
  return out;
}

const fhir::Issue* issueMentioning(const std::vector<fhir::Issue>& issues,
                                   const std::string& text) {
  for (const auto& issue : issues) {
    if (issue.diagnostics.find(text) != std::string::npos) return &issue;
  }
  return nullptr;
}

// A GP referral whose code is only the practice's idea of it.
rapidjson::Document gpReferral(const std::string& codeSystem, const std::string& code) {
  rapidjson::Document sr = example("ServiceRequest-sr-pryce-gp.json");
  setJson(sr, "/code",
          R"({"coding": [{"system": ")" + codeSystem + R"(", "code": ")" + code + R"("}]})");
  return sr;
}

TEST(MappingNormaliser, AGpCodeGetsTheCanonicalCodingBesideItAndValidates) {
  rapidjson::Document sr = gpReferral(kSnomed, "390893007");
  ASSERT_FALSE(errorsOf(sr).empty()) << "the profile requires 871731000000106";
  const Normalisation n = normaliseInbound(tables(), sr, kGp);
  EXPECT_TRUE(n.refusals.empty());
  EXPECT_EQ(codings(sr, "/code"),
            (std::vector<std::string>{kSnomed + "|390893007", kSnomed + "|871731000000106"}));
  EXPECT_EQ(at(sr, "/code/coding/1/display"), "Referral to social prescribing service");
  EXPECT_TRUE(errorsOf(sr).empty()) << ::testing::PrintToString(errorsOf(sr));
  // inexact: translated, and the caller is told how.
  const fhir::Issue* note = issueMentioning(n.notes, "equivalence 'inexact'");
  ASSERT_NE(note, nullptr);
  EXPECT_EQ(note->severity, fhir::Severity::kInformation);
  EXPECT_EQ(note->expression, "ServiceRequest.code");
  EXPECT_NE(note->diagnostics.find(kBase + "/ConceptMap/gp-referral-code"), std::string::npos);
}

TEST(MappingNormaliser, AnEquivalentCodeTranslatesSilently) {
  rapidjson::Document sr =
      gpReferral("https://fhir.riverside-medical.example.org/CodeSystem/local-codes", "RMP-SP01");
  const Normalisation n = normaliseInbound(tables(), sr, kGp);
  EXPECT_EQ(codings(sr, "/code").back(), kSnomed + "|871731000000106");
  EXPECT_EQ(issueMentioning(n.notes, "equivalence"), nullptr);
  EXPECT_TRUE(errorsOf(sr).empty());
}

TEST(MappingNormaliser, TheMapsApplyOnlyToTheSendersTheConfigurationNames) {
  for (const Sender& other : {kVcseProvider, kNobody}) {
    rapidjson::Document sr = gpReferral(kSnomed, "390893007");
    const Normalisation n = normaliseInbound(tables(), sr, other);
    EXPECT_EQ(codings(sr, "/code").size(), 1u) << other.organisation;
    EXPECT_TRUE(n.refusals.empty());
  }
}

// Liberal in: a partner whose entry does not say "unmapped": "refuse" keeps a code the map
// cannot translate, and hears why in a warning.
TEST(MappingNormaliser, AnUnmappedCodeIsKeptWithAWarningNamingTheCodeAndTheMap) {
  rapidjson::Document sr = gpReferral(kSnomed, "183444007");
  const Normalisation n = normaliseInbound(tables(), sr, kGp);
  EXPECT_TRUE(n.refusals.empty());
  ASSERT_EQ(n.notes.size(), 1u);
  const fhir::Issue& issue = n.notes[0];
  EXPECT_EQ(issue.severity, fhir::Severity::kWarning);
  EXPECT_EQ(issue.code, "code-invalid");
  EXPECT_EQ(issue.expression, "ServiceRequest.code");
  EXPECT_NE(issue.diagnostics.find("'183444007' (http://snomed.info/sct)"), std::string::npos);
  EXPECT_NE(issue.diagnostics.find(kBase + "/ConceptMap/gp-referral-code"), std::string::npos);
  EXPECT_NE(issue.diagnostics.find("is not in the map"), std::string::npos);
  EXPECT_EQ(codings(sr, "/code"), (std::vector<std::string>{kSnomed + "|183444007"}));
}

TEST(MappingNormaliser, UnmatchedAndDisjointDoNotTranslateAndSayWhy) {
  for (const char* code : {"871711000000103", "306238000"}) {
    rapidjson::Document sr = gpReferral(kSnomed, code);
    const Normalisation n = normaliseInbound(tables(), sr, kGp);
    EXPECT_TRUE(n.refusals.empty()) << code;
    ASSERT_EQ(n.notes.size(), 1u) << code;
    EXPECT_NE(n.notes[0].diagnostics.find(std::string("mapped as ") +
                                          (code[0] == '8' ? "unmatched" : "disjoint")),
              std::string::npos)
        << n.notes[0].diagnostics;
    EXPECT_EQ(codings(sr, "/code").size(), 1u);
  }
}

TEST(MappingNormaliser, AlreadyCanonicalIsLeftAlone) {
  rapidjson::Document sr = example("ServiceRequest-sr-pryce-gp.json");
  const std::string before = fhir::writeJson(sr);
  const Normalisation n = normaliseInbound(tables(), sr, kGp);
  EXPECT_TRUE(n.refusals.empty());
  EXPECT_TRUE(n.notes.empty());
  EXPECT_EQ(fhir::writeJson(sr), before);
}

TEST(MappingNormaliser, ReasonsGetTheirCohortForEverySenderAndAWarnMapWarns) {
  rapidjson::Document sr = example("ServiceRequest-sr-mills-self.json");
  setJson(sr, "/reasonCode",
          R"([{"coding": [{"system": "http://snomed.info/sct", "code": "407542009"}]},
              {"coding": [{"system": "http://snomed.info/sct", "code": "73211009"}]},
              {"coding": [{"system": "http://snomed.info/sct", "code": "160903007"}]}])");
  const Normalisation n = normaliseInbound(tables(), sr, kNobody);
  EXPECT_TRUE(n.refusals.empty());
  EXPECT_EQ(codings(sr, "/reasonCode/0"),
            (std::vector<std::string>{kSnomed + "|407542009", kCohort + "|carers"}));
  EXPECT_EQ(codings(sr, "/reasonCode/1"),
            (std::vector<std::string>{kSnomed + "|73211009", kCohort + "|long-term-conditions"}));
  EXPECT_EQ(codings(sr, "/reasonCode/2"), (std::vector<std::string>{kSnomed + "|160903007"}));
  const fhir::Issue* wider = issueMentioning(n.notes, "equivalence 'wider'");
  ASSERT_NE(wider, nullptr);
  EXPECT_EQ(wider->expression, "ServiceRequest.reasonCode[1]");
  const fhir::Issue* warning = issueMentioning(n.notes, "'160903007'");
  ASSERT_NE(warning, nullptr);
  EXPECT_EQ(warning->severity, fhir::Severity::kWarning);
  EXPECT_EQ(warning->code, "code-invalid");
  EXPECT_EQ(warning->expression, "ServiceRequest.reasonCode[2]");
  EXPECT_NE(warning->diagnostics.find(kBase + "/ConceptMap/snomed-priority-cohort"),
            std::string::npos);
  EXPECT_TRUE(errorsOf(sr).empty()) << ::testing::PrintToString(errorsOf(sr));
}

TEST(MappingNormaliser, ACanonicalCodingThatContradictsThePartnersCodeIsReplaced) {
  rapidjson::Document sr = example("ServiceRequest-sr-mills-self.json");
  setJson(sr, "/reasonCode", R"([{"coding": [
      {"system": "http://snomed.info/sct", "code": "422650009"},
      {"system": ")" + kCohort + R"(", "code": "carers"}]}])");
  const Normalisation n = normaliseInbound(tables(), sr, kNobody);
  EXPECT_EQ(
      codings(sr, "/reasonCode/0"),
      (std::vector<std::string>{kSnomed + "|422650009", kCohort + "|social-isolation-loneliness"}));
  EXPECT_NE(issueMentioning(n.notes, "was replaced by"), nullptr);
}

// A VCSE provider reports progress in its own words.
rapidjson::Document vcseTask(const std::string& word, const std::string& status = "requested") {
  rapidjson::Document task = example("Task-task-pryce-walking.json");
  setJson(task, "/businessStatus",
          R"({"coding": [{"system": ")" + kVcse + R"(", "code": ")" + word + R"("}]})");
  setJson(task, "/status", "\"" + status + "\"");
  return task;
}

TEST(MappingNormaliser, APartnersStatusWordSetsTaskStatusAndAddsTheBusinessStatus) {
  rapidjson::Document task = vcseTask("Contacted");
  const Normalisation n = normaliseInbound(tables(), task, kVcseProvider);
  EXPECT_TRUE(n.refusals.empty());
  EXPECT_EQ(at(task, "/status"), "in-progress");
  EXPECT_EQ(codings(task, "/businessStatus"),
            (std::vector<std::string>{kVcse + "|Contacted", kBusiness + "|first-contact-made"}));
  const fhir::Issue* status = issueMentioning(n.notes, "Task.status is 'in-progress'");
  ASSERT_NE(status, nullptr);
  EXPECT_NE(status->diagnostics.find("(not 'requested' as sent)"), std::string::npos);
  EXPECT_NE(issueMentioning(n.notes, "equivalence 'wider'"), nullptr);  // Contacted -> in-progress
  EXPECT_TRUE(errorsOf(task).empty()) << ::testing::PrintToString(errorsOf(task));

  rapidjson::Document closed = vcseTask("Closed - completed", "completed");
  const Normalisation quiet = normaliseInbound(tables(), closed, kVcseProvider);
  EXPECT_EQ(at(closed, "/status"), "completed");
  EXPECT_TRUE(quiet.notes.empty()) << quiet.notes.front().diagnostics;  // all exact, as sent
}

// The VCSE case system's entry in partners.json says "unmapped": "refuse" for its status words.
TEST(MappingNormaliser, AnUnknownStatusWordIsRefusedAndTheStatusLeftAlone) {
  rapidjson::Document task = vcseTask("On the waiting list");
  const Normalisation n = normaliseInbound(tables(), task, kVcseProvider);
  ASSERT_EQ(n.refusals.size(), 1u);
  EXPECT_EQ(n.refusals[0].expression, "Task.businessStatus");
  EXPECT_NE(n.refusals[0].diagnostics.find("'On the waiting list'"), std::string::npos);
  EXPECT_NE(n.refusals[0].diagnostics.find(kBase + "/ConceptMap/vcse-case-status"),
            std::string::npos);
  EXPECT_EQ(at(task, "/status"), "requested");
}

TEST(MappingNormaliser, LinkWorkersSnomedCodesMoveTheirTasks) {
  rapidjson::Document task = example("Task-task-pryce-hub.json");
  setJson(task, "/businessStatus",
          R"({"coding": [{"system": "http://snomed.info/sct", "code": "871711000000103"}]})");
  const Normalisation n = normaliseInbound(tables(), task, kLinkWorker);
  EXPECT_TRUE(n.refusals.empty());
  EXPECT_EQ(at(task, "/status"), "cancelled");
  EXPECT_EQ(codings(task, "/businessStatus").back(), kBusiness + "|declined-by-person");
  EXPECT_TRUE(errorsOf(task).empty()) << ::testing::PrintToString(errorsOf(task));
}

TEST(MappingNormaliser, DirectoryCategoriesGetTheirHl7Category) {
  rapidjson::Document hs = example("HealthcareService-hs-walk-and-talk-alderton.json");
  setJson(hs, "/category",
          R"([{"coding": [{"system": ")" + kCategory + R"(", "code": "Walking groups"}]}])");
  normaliseInbound(tables(), hs, kVcseProvider);
  EXPECT_EQ(
      codings(hs, "/category/0"),
      (std::vector<std::string>{kCategory + "|Walking groups",
                                "http://terminology.hl7.org/CodeSystem/service-category|23"}));
  EXPECT_TRUE(errorsOf(hs).empty()) << ::testing::PrintToString(errorsOf(hs));
}

rapidjson::Document barsHeader(const std::string& reason) {
  return parse(R"({"resourceType": "MessageHeader",
    "eventCoding": {"system": "https://fhir.nhs.uk/CodeSystem/message-events-bars",
                    "code": "servicerequest-request"},
    "reason": {"coding": [{"system": "https://fhir.nhs.uk/CodeSystem/message-reason-bars",
                           "code": ")" +
               reason + R"("}]},
    "source": {"endpoint": "http://fhir.nhs.uk/Id/dos-service-id|2000072489"},
    "destination": [{"endpoint": "https://fhir.nhs.uk/Id/dos-service-id|2000011111"}]})");
}

TEST(MappingNormaliser, ABarsEventKeepsItsCodingAndCarriesTheCanonicalOneChosenByReason) {
  rapidjson::Document header = barsHeader("new");
  const Normalisation n = normaliseInbound(tables(), header, kNobody);
  EXPECT_TRUE(n.refusals.empty());
  EXPECT_EQ(at(header, "/eventCoding/code"), "servicerequest-request");
  EXPECT_EQ(at(header, "/eventCoding/extension/0/url"), kCanonicalCodingExtension);
  EXPECT_EQ(at(header, "/eventCoding/extension/0/valueCoding/code"), "referral-request");
  EXPECT_EQ(at(header, "/eventCoding/extension/0/valueCoding/system"),
            kBase + "/CodeSystem/message-event");
  EXPECT_TRUE(errorsOf(header).empty()) << ::testing::PrintToString(errorsOf(header));

  rapidjson::Document legacy = barsHeader("delete");
  normaliseInbound(tables(), legacy, kNobody);
  EXPECT_EQ(at(legacy, "/eventCoding/extension/0/valueCoding/code"), "cancellation");

  // An update cancels only with a revoked ServiceRequest, which the header alone does not show.
  rapidjson::Document update = barsHeader("update");
  const Normalisation unknown = normaliseInbound(tables(), update, kNobody);
  EXPECT_EQ(rapidjson::Pointer("/eventCoding/extension").Get(update), nullptr);
  ASSERT_NE(issueMentioning(unknown.notes, "'servicerequest-request'"), nullptr);
  EXPECT_EQ(issueMentioning(unknown.notes, "'servicerequest-request'")->severity,
            fhir::Severity::kWarning);
  // The messaging layer knows the ServiceRequest and passes it as a dependency.
  Dependencies extra;
  extra.byProperty["ServiceRequest.status"] = {
      {"http://hl7.org/fhir/request-status", "revoked", ""}};
  rapidjson::Document cancel = barsHeader("update");
  normaliseInbound(tables(), cancel, kNobody, &extra);
  EXPECT_EQ(at(cancel, "/eventCoding/extension/0/valueCoding/code"), "cancellation");
}

TEST(MappingNormaliser, IdentifierSystemSpellingsBecomeCanonical) {
  rapidjson::Document org = parse(R"({"resourceType": "Organization",
    "identifier": [{"system": "https://fhir.nhs.uk/id/ods-organization-code", "value": "A81001"},
                   {"system": "https://example.org/own", "value": "7"}],
    "telecom": [{"system": "phone", "value": "01632 960000"}],
    "partOf": {"identifier": {"system": "https://fhir.nhs.uk/id/ods-organization-code", "value": "Q1"}}})");
  const Normalisation n = normaliseInbound(tables(), org, kNobody);
  EXPECT_EQ(at(org, "/identifier/0/system"), "https://fhir.nhs.uk/Id/ods-organization-code");
  EXPECT_EQ(at(org, "/identifier/1/system"), "https://example.org/own");
  EXPECT_EQ(at(org, "/telecom/0/system"), "phone");
  EXPECT_EQ(at(org, "/partOf/identifier/system"), "https://fhir.nhs.uk/Id/ods-organization-code");
  ASSERT_EQ(n.notes.size(), 2u);
  EXPECT_EQ(n.notes[0].expression, "Organization.identifier[0].system");
  EXPECT_EQ(n.notes[0].severity, fhir::Severity::kInformation);

  rapidjson::Document header = barsHeader("new");
  normaliseInbound(tables(), header, kNobody);
  EXPECT_EQ(at(header, "/source/endpoint"), "https://fhir.nhs.uk/Id/dos-service-id|2000072489");
  EXPECT_EQ(at(header, "/destination/0/endpoint"),
            "https://fhir.nhs.uk/Id/dos-service-id|2000011111");
}

TEST(MappingNormaliser, APartnerReadsItsOwnWordsBesideTheCanonicalCodes) {
  rapidjson::Document task = example("Task-task-pryce-hub.json");  // first-contact-made only
  EXPECT_EQ(presentTo(tables(), task, kVcseProvider), 1);
  EXPECT_EQ(codings(task, "/businessStatus"),
            (std::vector<std::string>{kBusiness + "|first-contact-made", kVcse + "|Contacted"}));
  EXPECT_EQ(at(task, "/businessStatus/coding/1/display"), "Contacted");
  EXPECT_TRUE(errorsOf(task).empty());
  // Reading again adds nothing.
  EXPECT_EQ(presentTo(tables(), task, kVcseProvider), 0);
  // Other readers see the resource as stored.
  for (const Sender& other : {kGp, kNobody}) {
    rapidjson::Document same = example("Task-task-pryce-hub.json");
    EXPECT_EQ(presentTo(tables(), same, other), 0) << other.organisation;
    EXPECT_EQ(codings(same, "/businessStatus").size(), 1u);
  }
}

TEST(MappingNormaliser, ThePartnersEarlierWordGivesWayToTheCanonicalCode) {
  rapidjson::Document task = example("Task-task-pryce-hub.json");
  setJson(task, "/businessStatus", R"({"coding": [
      {"system": ")" + kVcse + R"(", "code": "Contacted"},
      {"system": ")" + kBusiness + R"(", "code": "attending"}]})");
  EXPECT_EQ(presentTo(tables(), task, kVcseProvider), 2);  // one removed, one added
  EXPECT_EQ(codings(task, "/businessStatus"),
            (std::vector<std::string>{kBusiness + "|attending", kVcse + "|Engaged"}));
}

TEST(MappingNormaliser, ReverseTranslationPrefersTheExactWord) {
  const ConceptMap* categories = tables().conceptMap(kBase + "/ConceptMap/vcse-service-category");
  ASSERT_NE(categories, nullptr);
  // 23 comes from "Physical activity" (equivalent), "Walking groups" and "Arts and creativity".
  const auto word =
      ownWordFor(*categories, {"http://terminology.hl7.org/CodeSystem/service-category", "23", ""});
  ASSERT_TRUE(word.has_value());
  EXPECT_EQ(word->code, "Physical activity");
  // 16 comes from two inexact/wider categories and no exact one: ambiguous, so nothing.
  EXPECT_FALSE(
      ownWordFor(*categories, {"http://terminology.hl7.org/CodeSystem/service-category", "16", ""})
          .has_value());
  const ConceptMap* status = tables().conceptMap(kBase + "/ConceptMap/vcse-case-status");
  EXPECT_EQ(ownWordFor(*status, {kBusiness, "did-not-attend", ""})->code,
            "Closed - did not attend");
  EXPECT_FALSE(ownWordFor(*status, {kBusiness, "plan-agreed", ""}).has_value());
}

}  // namespace
}  // namespace sp::mapping
