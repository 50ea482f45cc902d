// The workflow's flags and its operation's route.
#include <gtest/gtest.h>

#include "app/config.h"
#include "fhir/definitions.h"
#include "fhir/errors.h"
#include "rest/route.h"
#include "services/alternatives_operation.h"

namespace sp {
namespace {

std::optional<std::string> noEnvironment(const std::string&) { return std::nullopt; }

TEST(WorkflowWiring, HandoverFlagsAndTheirEnvironment) {
  const app::Config defaults = app::parseConfig({}, noEnvironment);
  EXPECT_EQ(defaults.handoverExpirySeconds, 72 * 3600);
  EXPECT_EQ(defaults.handoverSweepMillis, 60000);
  const app::Config flags =
      app::parseConfig({"--handover-expiry", "30", "--handover-sweep-ms=0"}, noEnvironment);
  EXPECT_EQ(flags.handoverExpirySeconds, 30);
  EXPECT_EQ(flags.handoverSweepMillis, 0);
  const app::Config env = app::parseConfig({}, [](const std::string& name) {
    return name == "SP_HANDOVER_EXPIRY" ? std::optional<std::string>("600") : std::nullopt;
  });
  EXPECT_EQ(env.handoverExpirySeconds, 600);
  EXPECT_THROW(app::parseConfig({"--handover-expiry", "0"}, noEnvironment), std::invalid_argument);
  EXPECT_THROW(app::parseConfig({"--handover-sweep-ms", "-1"}, noEnvironment),
               std::invalid_argument);
  EXPECT_NE(app::usage().find("--handover-expiry"), std::string::npos);
  EXPECT_NE(app::usage().find("SP_HANDOVER_SWEEP_MS"), std::string::npos);
}

TEST(WorkflowWiring, AlternativesRoute) {
  static const auto d = fhir::Definitions::withResourceTypes({"HealthcareService", "Patient"});
  const services::AlternativesOperation alternatives;
  rest::Operations ops;
  ops.add({.type = "HealthcareService", .name = "$alternatives", .operation = &alternatives});
  const rest::Route r = rest::parseRoute("GET", "/HealthcareService/$alternatives", true, d, &ops);
  EXPECT_EQ(r.interaction, rest::Interaction::kOperation);
  ASSERT_NE(r.operation, nullptr);
  EXPECT_EQ(r.operation->operation, &alternatives);
  EXPECT_EQ(r.type, "HealthcareService");
  EXPECT_EQ(rest::allowedMethods("/HealthcareService/$alternatives", d, &ops), "GET");
  try {
    rest::parseRoute("POST", "/HealthcareService/$alternatives", false, d, &ops);
    ADD_FAILURE() << "POST accepted";
  } catch (const fhir::FhirError& e) {
    EXPECT_EQ(e.kind(), fhir::ErrorKind::kMethodNotAllowed);
  }
  // Only for HealthcareService.
  EXPECT_THROW(rest::parseRoute("GET", "/Patient/$alternatives", false, d, &ops), fhir::FhirError);
  // Not at instance level.
  EXPECT_THROW(rest::parseRoute("GET", "/HealthcareService/1/$alternatives", false, d, &ops),
               fhir::FhirError);
}

}  // namespace
}  // namespace sp
