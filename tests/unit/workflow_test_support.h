// Helpers for the workflow unit tests: JSON from text, a Task in a few words, an organisation
// resolver that knows a fixed table.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <set>
#include <string>

#include "fhir/errors.h"
#include "fhir/json.h"
#include "workflow/actor.h"
#include "workflow/references.h"

namespace sp::workflow::testing {

inline rapidjson::Document json(const std::string& text) {
  rapidjson::Document doc;
  fhir::parseJson(text, doc);
  return doc;
}

inline std::string text(const rapidjson::Value& value) { return fhir::writeJson(value); }

// A referral Task: owner and requester as literal references ("" leaves the owner out).
inline std::string task(const std::string& status, const std::string& owner = "Organization/prov",
                        const std::string& more = "") {
  return R"({"resourceType":"Task","status":")" + status +
         R"(","intent":"order","code":{"coding":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/task-code","code":"fulfill-referral"}]},)"
         R"("focus":{"reference":"ServiceRequest/sr1"},"for":{"reference":"Patient/p1"},)"
         R"("requester":{"reference":"Organization/gp"})" +
         (owner.empty() ? std::string() : R"(,"owner":{"reference":")" + owner + R"("})") + more +
         "}";
}

// Knows Organization/<x> as ODS code upper-case <x> (Organization/gp -> GP).
class TableResolver : public OrganisationResolver {
 public:
  std::set<std::string> organisationsOf(const rapidjson::Value* reference) override {
    std::set<std::string> out;
    if (const auto ods = odsCodeOf(reference)) out.insert(*ods);
    const auto local = localReference(reference);
    if (local.type == "Organization") {
      std::string code = local.id;
      for (auto& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(code);
    }
    return out;
  }
};

// What a call threw: nothing, or a FhirError's kind and first issue.
struct Failure {
  bool thrown = false;
  fhir::ErrorKind kind = fhir::ErrorKind::kInternal;
  std::string code;
  std::string diagnostics;
  std::string expression;
};

template <typename F>
Failure failure(F f) {
  try {
    f();
  } catch (const fhir::FhirError& e) {
    Failure out{true, e.kind(), "", "", ""};
    if (!e.issues().empty()) {
      out.code = e.issues().front().code;
      out.diagnostics = e.issues().front().diagnostics;
      out.expression = e.issues().front().expression;
    }
    return out;
  }
  return {};
}

}  // namespace sp::workflow::testing
