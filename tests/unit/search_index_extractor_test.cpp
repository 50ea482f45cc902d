// The search index of realistic resources, computed from the real R4 and project
// SearchParameters in fhir-profiles/.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fhir/ids.h"
#include "fhir/json.h"
#include "search/index_extractor.h"

namespace sp::search {
namespace {

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr const char* kSp = "https://fhir.social-prescribing.example.org/";

const fhir::Definitions& definitions() {
  static const fhir::Definitions defs =
      fhir::Definitions::load(std::string(SP_SOURCE_DIR) + "/fhir-profiles");
  return defs;
}

const IndexExtractor& extractor() {
  static const IndexExtractor instance(definitions());
  return instance;
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  fhir::parseJson(text, doc);
  return doc;
}

rapidjson::Document example(const std::string& file) {
  const std::string path = std::string(SP_SOURCE_DIR) + "/tests/data/validation/valid/" + file;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str());
}

std::int64_t epochMillis(const char* instant) {
  const auto t = fhir::parseInstant(instant);
  EXPECT_TRUE(t.has_value()) << instant;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

// The rows of one parameter, each as one string, sorted: easy to compare and to read on failure.
template <typename Row, typename Format>
std::vector<std::string> rowsOf(const std::vector<Row>& rows, const std::string& param,
                                Format format) {
  std::vector<std::string> out;
  for (const auto& r : rows) {
    if (r.param == param) out.push_back(format(r));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> tokens(const store::SearchIndex& index, const std::string& param) {
  return rowsOf(index.tokens, param,
                [](const store::TokenRow& r) { return r.system + "|" + r.code + "|" + r.text; });
}

std::vector<std::string> strings(const store::SearchIndex& index, const std::string& param) {
  return rowsOf(index.strings, param,
                [](const store::StringRow& r) { return r.normalised + "=" + r.exact; });
}

std::vector<std::string> references(const store::SearchIndex& index, const std::string& param) {
  return rowsOf(index.references, param, [](const store::ReferenceRow& r) {
    return r.targetType + "/" + r.targetId + " " + r.url + " " + r.identifierSystem + "|" +
           r.identifierValue;
  });
}

std::vector<std::pair<std::int64_t, std::int64_t>> dates(const store::SearchIndex& index,
                                                         const std::string& param) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  for (const auto& r : index.dates) {
    if (r.param == param) out.emplace_back(r.low, r.high);
  }
  return out;
}

std::vector<std::string> numbers(const store::SearchIndex& index, const std::string& param) {
  return rowsOf(index.numbers, param, [](const store::NumberRow& r) {
    std::ostringstream text;
    text << r.value << " " << r.system << "|" << r.code;
    return text.str();
  });
}

std::vector<std::string> uris(const store::SearchIndex& index, const std::string& param) {
  return rowsOf(index.uris, param, [](const store::UriRow& r) { return r.uri; });
}

using Strings = std::vector<std::string>;
using Ranges = std::vector<std::pair<std::int64_t, std::int64_t>>;

std::pair<std::int64_t, std::int64_t> day(const std::string& date) {
  const std::int64_t low = epochMillis((date + "T00:00:00Z").c_str());
  return {low, low + 24 * 3600 * 1000};
}

// --- construction and lookup ---

TEST(SearchIndexExtractor, ParsesNearlyEveryParameter) {
  const auto& skipped = extractor().skipped();
  std::cout << "[ skipped ] " << skipped.size() << " parameters\n";
  for (const auto& s : skipped) std::cout << "  " << s << "\n";
  EXPECT_LE(skipped.size(), 5u);
}

TEST(SearchIndexExtractor, KnowsTheParametersOfEachType) {
  const IndexExtractor& x = extractor();
  const auto* businessStatus = x.parameter("Task", "business-status");
  ASSERT_NE(businessStatus, nullptr);
  EXPECT_EQ(businessStatus->url, std::string(kSp) + "SearchParameter/task-business-status");
  ASSERT_NE(x.parameter("Patient", "_tag"), nullptr);
  ASSERT_NE(x.parameter("Bundle", "_profile"), nullptr);  // Resource-level: every type
  EXPECT_EQ(x.parameter("Bundle", "_text"), nullptr);     // DomainResource, and no expression
  ASSERT_NE(x.parameter("Location", "near"), nullptr);
  EXPECT_EQ(x.parameter("Observation", "code-value-quantity"), nullptr);  // composite
  EXPECT_EQ(x.parameter("Patient", "no-such-parameter"), nullptr);
  EXPECT_EQ(x.parameter("NoSuchType", "_id"), nullptr);
  ASSERT_NE(x.parameter("ServiceRequest", "patient"), nullptr);  // a union over 32 bases
  EXPECT_EQ(x.parameter("ServiceRequest", "patient")->type, "reference");

  const auto params = x.parameters("HealthcareService");
  std::vector<std::string> codes;
  for (const auto* p : params) codes.push_back(p->code);
  EXPECT_TRUE(std::is_sorted(codes.begin(), codes.end()));
  for (const char* code :
       {"_id", "_tag", "_profile", "_security", "_source", "_lastUpdated", "cohort", "tier",
        "has-capacity", "last-reviewed", "access", "transport-help", "name", "organization"}) {
    EXPECT_NE(std::find(codes.begin(), codes.end(), code), codes.end()) << code;
  }
  EXPECT_TRUE(x.parameters("NoSuchType").empty());
}

// --- Patient: token, string, date, reference ---

TEST(SearchIndexExtractor, Patient) {
  const auto patient = example("Patient-pat-pryce.json");
  const auto index = extractor().extract(patient);
  EXPECT_EQ(tokens(index, "identifier"), Strings{"https://fhir.nhs.uk/Id/nhs-number|9000000009|"});
  EXPECT_EQ(tokens(index, "gender"), Strings{"|female|"});
  EXPECT_EQ(tokens(index, "active"), Strings{"|true|"});
  EXPECT_EQ(tokens(index, "phone"), (Strings{"|01632 960 418|", "|07700 900 418|"}));
  EXPECT_EQ(tokens(index, "_id"), Strings{});  // the store searches ids itself
  EXPECT_EQ(strings(index, "family"), Strings{"pryce=Pryce"});
  EXPECT_EQ(strings(index, "given"), (Strings{"eleanor=Eleanor", "may=May"}));
  EXPECT_EQ(strings(index, "name"),
            (Strings{"eleanor=Eleanor", "may=May", "mrs=Mrs", "pryce=Pryce"}));
  EXPECT_EQ(strings(index, "address-postalcode"), Strings{"ne99 4qa=NE99 4QA"});
  EXPECT_EQ(strings(index, "address"), (Strings{"4 orchard row=4 Orchard Row", "alderton=Alderton",
                                                "ne99 4qa=NE99 4QA", "nenshire=Nenshire"}));
  EXPECT_EQ(dates(index, "birthdate"), Ranges{day("1948-07-19")});
  const std::int64_t updated = epochMillis("2026-03-02T09:14:00Z");
  EXPECT_EQ(dates(index, "_lastUpdated"), (Ranges{{updated, updated + 1000}}));
  EXPECT_EQ(references(index, "general-practitioner"),
            Strings{"Organization/org-hollowbrook Organization/org-hollowbrook |"});
  EXPECT_EQ(tokens(index, "deceased"), Strings{"|false|"});  // a computed Boolean
}

TEST(SearchIndexExtractor, AccentsAreFoldedForStringSearch) {
  const auto patient = parse(R"({"resourceType":"Patient","id":"z",
      "name":[{"text":"Zoë Ångström","family":"Ångström","given":["Zoë"]}]})");
  const auto index = extractor().extract(patient);
  EXPECT_EQ(strings(index, "family"), Strings{"angstrom=Ångström"});
  EXPECT_EQ(strings(index, "given"), Strings{"zoe=Zoë"});
  EXPECT_EQ(strings(index, "name"),
            (Strings{"angstrom=Ångström", "zoe angstrom=Zoë Ångström", "zoe=Zoë"}));
}

TEST(SearchIndexExtractor, DatesCoverTheirPrecision) {
  const auto year = extractor().extract(parse(R"({"resourceType":"Patient","birthDate":"1948"})"));
  EXPECT_EQ(dates(year, "birthdate"),
            (Ranges{{epochMillis("1948-01-01T00:00:00Z"), epochMillis("1949-01-01T00:00:00Z")}}));
  const auto month =
      extractor().extract(parse(R"({"resourceType":"Patient","birthDate":"1948-07"})"));
  EXPECT_EQ(dates(month, "birthdate"),
            (Ranges{{epochMillis("1948-07-01T00:00:00Z"), epochMillis("1948-08-01T00:00:00Z")}}));
  const auto deceased = extractor().extract(
      parse(R"({"resourceType":"Patient","deceasedDateTime":"2026-03-02T09:14:05.123+01:00"})"));
  const std::int64_t at = epochMillis("2026-03-02T08:14:05.123Z");
  EXPECT_EQ(dates(deceased, "death-date"), (Ranges{{at, at + 1}}));
  EXPECT_EQ(tokens(deceased, "deceased"), Strings{"|true|"});
}

TEST(SearchIndexExtractor, PeriodsMayBeOpenAtEitherEnd) {
  const auto task = parse(R"({"resourceType":"Task","status":"requested","intent":"order",
      "executionPeriod":{"start":"2026-03-02"}})");
  EXPECT_EQ(dates(extractor().extract(task), "period"), (Ranges{{day("2026-03-02").first, kMax}}));
  const auto ended = parse(R"({"resourceType":"Task","status":"requested","intent":"order",
      "executionPeriod":{"end":"2026-03-05T17:00:00Z"}})");
  EXPECT_EQ(dates(extractor().extract(ended), "period"),
            (Ranges{{kMin, epochMillis("2026-03-05T17:00:01Z")}}));
  const auto both = parse(R"({"resourceType":"Task","status":"requested","intent":"order",
      "executionPeriod":{"start":"2026-03","end":"2026-04"}})");
  EXPECT_EQ(dates(extractor().extract(both), "period"),
            (Ranges{{epochMillis("2026-03-01T00:00:00Z"), epochMillis("2026-05-01T00:00:00Z")}}));
  const auto empty = parse(R"({"resourceType":"Task","status":"requested","intent":"order",
      "executionPeriod":{}})");
  EXPECT_TRUE(dates(extractor().extract(empty), "period").empty());
}

// --- Task: the workflow's own searches ---

rapidjson::Document taggedTask() {
  rapidjson::Document task = example("Task-task-pryce-hub.json");
  rapidjson::Document meta = parse(R"({"profile":[
      "https://fhir.social-prescribing.example.org/StructureDefinition/sp-referral-task"],
      "tag":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/tag",
              "code":"urgent-review","display":"Urgent Review"}],
      "source":"https://hollowbrook.example.org/gp-system"})");
  task["meta"].CopyFrom(meta, task.GetAllocator());
  return task;
}

TEST(SearchIndexExtractor, Task) {
  const auto task = taggedTask();
  const auto index = extractor().extract(task);
  EXPECT_EQ(tokens(index, "status"), Strings{"|in-progress|"});
  EXPECT_EQ(tokens(index, "business-status"),
            Strings{std::string(kSp) +
                    "CodeSystem/task-business-status|first-contact-made|first contact made"});
  EXPECT_EQ(tokens(index, "_tag"),
            Strings{std::string(kSp) + "CodeSystem/tag|urgent-review|urgent review"});
  EXPECT_EQ(uris(index, "_profile"),
            Strings{std::string(kSp) + "StructureDefinition/sp-referral-task"});
  EXPECT_EQ(uris(index, "_source"), Strings{"https://hollowbrook.example.org/gp-system"});
  EXPECT_EQ(references(index, "owner"),
            Strings{"PractitionerRole/prr-linkworker-hale PractitionerRole/prr-linkworker-hale |"});
  EXPECT_EQ(references(index, "focus"),
            Strings{"ServiceRequest/sr-pryce-gp ServiceRequest/sr-pryce-gp |"});
  EXPECT_EQ(references(index, "patient"), Strings{"Patient/pat-pryce Patient/pat-pryce |"});
  EXPECT_EQ(references(index, "subject"), Strings{"Patient/pat-pryce Patient/pat-pryce |"});
  const std::int64_t authored = epochMillis("2026-03-02T09:14:05Z");
  EXPECT_EQ(dates(index, "authored-on"), (Ranges{{authored, authored + 1000}}));
  const std::int64_t modified = epochMillis("2026-03-05T10:55:00Z");
  EXPECT_EQ(dates(index, "modified"), (Ranges{{modified, modified + 1000}}));
}

TEST(SearchIndexExtractor, ReferenceForms) {
  const auto task = parse(R"({"resourceType":"Task","status":"requested","intent":"order",
      "contained":[{"resourceType":"ServiceRequest","id":"inline","status":"draft",
                    "intent":"order","subject":{"reference":"Patient/p"}}],
      "basedOn":[
        {"reference":"https://fhir.example.org/r4/ServiceRequest/sr-1"},
        {"reference":"ServiceRequest/sr-2/_history/3"},
        {"reference":"urn:uuid:2b1e9c4a-6a55-4f6e-9d51-8f4b1c2a7e10"},
        {"reference":"#inline"},
        {"identifier":{"system":"https://hollowbrook.example.org/Id/referral","value":"HB-1"}},
        {"reference":"ServiceRequest/sr-3",
         "identifier":{"system":"https://hollowbrook.example.org/Id/referral","value":"HB-3"}},
        {"reference":"Unknown/x"},
        {"display":"a referral on paper"}]})");
  EXPECT_EQ(references(extractor().extract(task), "based-on"),
            (Strings{"/  https://hollowbrook.example.org/Id/referral|HB-1", "/ Unknown/x |",
                     "/ urn:uuid:2b1e9c4a-6a55-4f6e-9d51-8f4b1c2a7e10 |",
                     "ServiceRequest/sr-1 https://fhir.example.org/r4/ServiceRequest/sr-1 |",
                     "ServiceRequest/sr-2 ServiceRequest/sr-2/_history/3 |",
                     "ServiceRequest/sr-3 ServiceRequest/sr-3 "
                     "https://hollowbrook.example.org/Id/referral|HB-3"}));
}

// --- ServiceRequest ---

TEST(SearchIndexExtractor, ServiceRequest) {
  const auto request = example("ServiceRequest-sr-pryce-gp.json");
  const auto index = extractor().extract(request);
  EXPECT_EQ(references(index, "subject"), Strings{"Patient/pat-pryce Patient/pat-pryce |"});
  // `patient` is one expression over 32 resource types; only the ServiceRequest part applies.
  EXPECT_EQ(references(index, "patient"), Strings{"Patient/pat-pryce Patient/pat-pryce |"});
  EXPECT_EQ(references(index, "performer"),
            Strings{"Organization/org-sp-hub Organization/org-sp-hub |"});
  EXPECT_EQ(references(index, "requester"),
            Strings{"PractitionerRole/prr-gp-osei PractitionerRole/prr-gp-osei |"});
  // R4 has no reason-code parameter on ServiceRequest: reasonCode must not leak into `code`.
  EXPECT_EQ(
      tokens(index, "code"),
      Strings{"http://snomed.info/sct|871731000000106|referral to social prescribing service"});
  EXPECT_EQ(tokens(index, "identifier"),
            Strings{"https://hollowbrook.example.org/Id/referral|HB-2026-0311|"});
  EXPECT_EQ(tokens(index, "route"), Strings{std::string(kSp) + "CodeSystem/referral-route|gp|gp"});
  const std::int64_t authored = epochMillis("2026-03-02T09:10:00Z");
  EXPECT_EQ(dates(index, "authored"), (Ranges{{authored, authored + 1000}}));
}

TEST(SearchIndexExtractor, CanonicalsAndUrisAreUrlsOnly) {
  const auto request = parse(R"({"resourceType":"ServiceRequest","status":"active",
      "intent":"order","subject":{"reference":"Patient/p"},
      "instantiatesCanonical":["https://fhir.example.org/PlanDefinition/walking|2"],
      "instantiatesUri":["https://example.org/protocols/walking"]})");
  const auto index = extractor().extract(request);
  EXPECT_EQ(references(index, "instantiates-canonical"),
            Strings{"/ https://fhir.example.org/PlanDefinition/walking|2 |"});
  EXPECT_EQ(uris(index, "instantiates-uri"), Strings{"https://example.org/protocols/walking"});
}

// --- HealthcareService: the project's directory parameters ---

TEST(SearchIndexExtractor, HealthcareServiceProjectParameters) {
  const auto service = example("HealthcareService-hs-carers-cafe-kingsmoor.json");
  const auto index = extractor().extract(service);
  EXPECT_EQ(tokens(index, "cohort"),
            Strings{std::string(kSp) + "CodeSystem/priority-cohort|carers|carers"});
  EXPECT_EQ(tokens(index, "tier"),
            Strings{std::string(kSp) + "CodeSystem/governance-tier|tier-2|tier 2: standard "
                                       "assurance"});
  EXPECT_EQ(tokens(index, "has-capacity"), Strings{"|false|"});  // free = 0
  EXPECT_EQ(tokens(index, "access"), Strings{"|informal|"});
  EXPECT_EQ(tokens(index, "transport-help"), Strings{"|false|"});
  EXPECT_EQ(dates(index, "last-reviewed"), Ranges{day("2026-09-30")});
  EXPECT_EQ(tokens(index, "service-category"), Strings{"||support for carers"});  // text only
  EXPECT_EQ(tokens(index, "active"), Strings{"|true|"});
  EXPECT_EQ(strings(index, "name"), Strings{"kingsmoor carers' cafe=Kingsmoor Carers' Cafe"});
  EXPECT_EQ(references(index, "organization"),
            Strings{"Organization/org-kingsmoor-carers Organization/org-kingsmoor-carers |"});
  EXPECT_EQ(uris(index, "_profile"),
            Strings{std::string(kSp) + "StructureDefinition/sp-directory-entry"});

  const auto other =
      extractor().extract(example("HealthcareService-hs-walk-and-talk-alderton.json"));
  EXPECT_EQ(tokens(other, "has-capacity"), Strings{"|true|"});  // free = 3
  EXPECT_EQ(tokens(other, "access"), (Strings{"|formal|", "|informal|"}));
  EXPECT_EQ(tokens(other, "cohort").size(), 2u);
  EXPECT_EQ(tokens(other, "service-category"),
            Strings{"http://terminology.hl7.org/CodeSystem/service-category|23|"
                    "physical activity & recreation"});
}

// An entry held without the hub's details (issue 17): no has-capacity value at all (capacity
// unknown: neither true nor false), no tier, no review date; the tag that says so is a _tag.
TEST(SearchIndexExtractor, HealthcareServiceHeldWithoutTheHubsDetails) {
  const auto index = extractor().extract(example("HealthcareService-hs-knit-and-natter.json"));
  EXPECT_EQ(tokens(index, "has-capacity"), Strings{});
  EXPECT_EQ(tokens(index, "tier"), Strings{});
  EXPECT_EQ(dates(index, "last-reviewed"), Ranges{});
  EXPECT_EQ(tokens(index, "_tag"),
            Strings{std::string(kSp) + "CodeSystem/hub-derived|directory-unassured|"});
  EXPECT_EQ(tokens(index, "access"), Strings{"|informal|"});
}

// --- Location, Observation and other number/quantity sources ---

TEST(SearchIndexExtractor, LocationPositionForNear) {
  const auto location = parse(R"({"resourceType":"Location","id":"l","name":"Ångström Hall",
      "position":{"longitude":-1.2577,"latitude":51.7520,"altitude":0},
      "address":{"city":"Alderton","postalCode":"NE99 1AA"}})");
  const auto index = extractor().extract(location);
  ASSERT_EQ(index.geo.size(), 1u);
  EXPECT_EQ(index.geo[0].param, "near");
  EXPECT_DOUBLE_EQ(index.geo[0].latitude, 51.7520);
  EXPECT_DOUBLE_EQ(index.geo[0].longitude, -1.2577);
  EXPECT_EQ(strings(index, "name"), Strings{"angstrom hall=Ångström Hall"});
  EXPECT_EQ(strings(index, "address-city"), Strings{"alderton=Alderton"});
}

TEST(SearchIndexExtractor, ObservationQuantityAndCodes) {
  const auto observation = parse(R"({"resourceType":"Observation","id":"o","status":"final",
      "code":{"coding":[{"system":"http://loinc.org","code":"2345-7","display":"Glucose"},
                        {"system":"http://loinc.org","code":"2345-7","display":"Glucose"}],
              "text":"Blood Glucose"},
      "subject":{"reference":"Patient/pat-pryce"},
      "effectivePeriod":{"start":"2026-03-02T09:00:00Z"},
      "valueQuantity":{"value":1.50,"unit":"mmol/L","system":"http://unitsofmeasure.org",
                       "code":"mmol/L"},
      "component":[{"code":{"text":"delta"},"valueQuantity":{"value":2,"unit":"percent"}}]})");
  const auto index = extractor().extract(observation);
  EXPECT_EQ(numbers(index, "value-quantity"), Strings{"1.5 http://unitsofmeasure.org|mmol/L"});
  EXPECT_EQ(numbers(index, "component-value-quantity"), Strings{"2 |percent"});  // unit as code
  EXPECT_EQ(numbers(index, "combo-value-quantity"),
            (Strings{"1.5 http://unitsofmeasure.org|mmol/L", "2 |percent"}));
  // The duplicate coding gives one row; CodeableConcept.text gives a text-only row.
  EXPECT_EQ(tokens(index, "code"), (Strings{"http://loinc.org|2345-7|glucose", "||blood glucose"}));
  EXPECT_EQ(dates(index, "date"), (Ranges{{epochMillis("2026-03-02T09:00:00Z"), kMax}}));
  EXPECT_EQ(references(index, "patient"), Strings{"Patient/pat-pryce Patient/pat-pryce |"});
  EXPECT_TRUE(tokens(index, "code-value-quantity").empty());  // composite: not indexed
}

TEST(SearchIndexExtractor, PlainNumbersAndMoney) {
  const auto risk = parse(R"({"resourceType":"RiskAssessment","status":"final",
      "subject":{"reference":"Patient/p"},
      "prediction":[{"probabilityDecimal":0.25},{"probabilityRange":{"low":{"value":1}}}]})");
  EXPECT_EQ(numbers(extractor().extract(risk), "probability"), Strings{"0.25 |"});
  const auto invoice = parse(R"({"resourceType":"Invoice","status":"issued",
      "totalNet":{"value":120.00,"currency":"GBP"}})");
  EXPECT_EQ(numbers(extractor().extract(invoice), "totalnet"),
            Strings{"120 urn:iso:std:iso:4217|GBP"});
}

TEST(SearchIndexExtractor, IdenticalRowsAreMerged) {
  const auto patient = parse(R"({"resourceType":"Patient",
      "identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000009"},
                    {"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000009"}],
      "name":[{"family":"Pryce"},{"family":"Pryce","given":["Pryce"]}]})");
  const auto index = extractor().extract(patient);
  EXPECT_EQ(tokens(index, "identifier").size(), 1u);
  EXPECT_EQ(strings(index, "name"), Strings{"pryce=Pryce"});
}

TEST(SearchIndexExtractor, UnknownTypesAndOddDataGiveNoRowsAndNoErrors) {
  EXPECT_TRUE(extractor().extract(parse(R"({"resourceType":"NoSuchType"})")).tokens.empty());
  EXPECT_TRUE(extractor().extract(parse(R"({"id":"x"})")).tokens.empty());
  const auto odd = parse(R"({"resourceType":"Patient","birthDate":"not a date",
      "gender":{"unexpected":"object"},"name":[{"family":["not","a","string"]}]})");
  const auto index = extractor().extract(odd);
  EXPECT_TRUE(dates(index, "birthdate").empty());
  EXPECT_TRUE(tokens(index, "gender").empty());
}

TEST(SearchIndexExtractor, ExtractIsSafeOnSeveralThreads) {
  const auto task = taggedTask();
  const auto expected = tokens(extractor().extract(task), "_tag");
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (tokens(extractor().extract(task), "_tag") != expected) ++mismatches[t];
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

// Microseconds per extract() of `resource`, over `calls` calls; also counts its rows.
double microsPerExtract(const rapidjson::Value& resource, int calls, std::size_t& rows) {
  rows = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i) {
    const auto index = extractor().extract(resource);
    rows += index.tokens.size() + index.references.size() + index.dates.size() + index.uris.size() +
            index.strings.size() + index.numbers.size();
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  rows /= static_cast<std::size_t>(calls);
  return std::chrono::duration<double, std::micro>(elapsed).count() / calls;
}

// Prints the cost of indexing a typical Task (and, for comparison, a ServiceRequest, whose
// type has several parameters that are unions over many types); no assertion on time.
TEST(SearchIndexExtractor, ExtractionCost) {
  constexpr int kCalls = 10000;
  std::size_t rows = 0;
  const double task = microsPerExtract(taggedTask(), kCalls, rows);
  std::cout << "[ cost ] " << kCalls << " extract() of a Task: " << task << " us each, " << rows
            << " rows, " << extractor().parameters("Task").size() << " parameters\n";
  EXPECT_GT(rows, 0u);
  const double request = microsPerExtract(example("ServiceRequest-sr-pryce-gp.json"), kCalls, rows);
  std::cout << "[ cost ] " << kCalls << " extract() of a ServiceRequest: " << request
            << " us each, " << rows << " rows, " << extractor().parameters("ServiceRequest").size()
            << " parameters\n";
}

// Every example resource the project ships indexes without error, and each gets rows.
TEST(SearchIndexExtractor, EveryValidExampleIndexes) {
  const std::filesystem::path dir =
      std::filesystem::path(SP_SOURCE_DIR) / "tests/data/validation/valid";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    const auto resource = example(entry.path().filename().string());
    const auto index = extractor().extract(resource);
    const std::size_t rows = index.tokens.size() + index.strings.size() + index.references.size() +
                             index.dates.size() + index.numbers.size() + index.uris.size() +
                             index.geo.size();
    EXPECT_GT(rows, 0u) << entry.path().filename();
  }
  EXPECT_GE(files, 10u);
}

}  // namespace
}  // namespace sp::search
