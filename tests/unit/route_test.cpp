#include "rest/route.h"

#include <gtest/gtest.h>

#include "fhir/errors.h"

namespace sp::rest {
namespace {

using fhir::ErrorKind;

const fhir::Definitions& defs() {
  static const auto d = fhir::Definitions::withResourceTypes({"Patient", "Task"});
  return d;
}

Route route(const std::string& method, const std::string& path, bool query = false) {
  return parseRoute(method, path, query, defs());
}

ErrorKind failure(const std::string& method, const std::string& path, bool query = false) {
  try {
    route(method, path, query);
  } catch (const fhir::FhirError& e) {
    return e.kind();
  }
  return ErrorKind::kInternal;
}

TEST(Route, Interactions) {
  EXPECT_EQ(route("GET", "/metadata").interaction, Interaction::kCapabilities);
  EXPECT_EQ(route("GET", "/healthz").interaction, Interaction::kHealth);
  EXPECT_EQ(route("POST", "/").interaction, Interaction::kBatch);
  EXPECT_EQ(route("GET", "/_history").interaction, Interaction::kHistorySystem);
  EXPECT_EQ(route("POST", "/Patient").interaction, Interaction::kCreate);
  EXPECT_EQ(route("GET", "/Patient").interaction, Interaction::kSearchType);
  EXPECT_EQ(route("PUT", "/Patient", true).interaction, Interaction::kConditionalUpdate);
  EXPECT_EQ(route("GET", "/Patient/_history").interaction, Interaction::kHistoryType);
  EXPECT_EQ(route("GET", "/Patient/a1").interaction, Interaction::kRead);
  EXPECT_EQ(route("PUT", "/Patient/a1").interaction, Interaction::kUpdate);
  EXPECT_EQ(route("PATCH", "/Patient/a1").interaction, Interaction::kPatch);
  EXPECT_EQ(route("DELETE", "/Patient/a1").interaction, Interaction::kDelete);
  EXPECT_EQ(route("GET", "/Patient/a1/_history").interaction, Interaction::kHistoryInstance);
  const Route vread = route("GET", "/Task/t.1/_history/3");
  EXPECT_EQ(vread.interaction, Interaction::kVread);
  EXPECT_EQ(vread.type, "Task");
  EXPECT_EQ(vread.id, "t.1");
  EXPECT_EQ(vread.versionId, "3");
}

TEST(Route, Failures) {
  EXPECT_EQ(failure("GET", "/Unicorn/1"), ErrorKind::kNotFound);
  EXPECT_EQ(failure("GET", "/Patient/1/2/3/4/5"), ErrorKind::kNotFound);
  EXPECT_EQ(failure("DELETE", "/Patient"), ErrorKind::kMethodNotAllowed);
  EXPECT_EQ(failure("POST", "/Patient/1"), ErrorKind::kMethodNotAllowed);
  EXPECT_EQ(failure("OST", "/Patient"), ErrorKind::kMethodNotAllowed);
  EXPECT_EQ(failure("DELETE", "/"), ErrorKind::kMethodNotAllowed);
  EXPECT_EQ(route("GET", "/").interaction, Interaction::kSearchSystem);
  EXPECT_EQ(route("POST", "/Task/_search").interaction, Interaction::kSearchType);
  EXPECT_EQ(failure("PUT", "/Patient"), ErrorKind::kInvalid);
  EXPECT_EQ(failure("GET", "/Patient/bad_id"), ErrorKind::kInvalid);
  EXPECT_EQ(failure("GET", "/Patient/1/_history/x"), ErrorKind::kNotFound);
}

// Issue 19: an operation the server does not have is 404 not-supported, naming it, at the
// system, type and instance level alike (not a 400 about a malformed id).
TEST(Route, UnknownOperationsAreNotSupportedAtEveryLevel) {
  for (const char* path :
       {"/$export", "/Patient/$export", "/Task/$lookup", "/Patient/a1/$everything"}) {
    try {
      route("GET", path);
      ADD_FAILURE() << path;
    } catch (const fhir::FhirError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kNotFound) << path;
      const std::string text = e.what();
      EXPECT_NE(text.find(std::string(path).substr(std::string(path).rfind('$'))),
                std::string::npos)
          << path << ": " << text;
    }
  }
  EXPECT_EQ(failure("GET", "/Unicorn/$export"), ErrorKind::kNotFound);
  EXPECT_EQ(route("POST", "/Patient/$validate").interaction, Interaction::kValidate);
}

TEST(Route, AllowedMethods) {
  EXPECT_EQ(allowedMethods("/Patient", defs()), "GET, POST, PUT");
  EXPECT_EQ(allowedMethods("/Patient/1", defs()), "GET, PUT, PATCH, DELETE");
  EXPECT_EQ(allowedMethods("/metadata", defs()), "GET");
}

// The operation table: each entry at the levels and with the methods it was registered with.
class NoRequest : public RequestOperation {
 public:
  RestResponse handle(const RestRequest&, const security::Caller&) const override { return {}; }
};

TEST(Route, RegisteredOperations) {
  const NoRequest message, report;
  Operations ops;
  ops.add({.name = "$process-message", .methods = "POST", .requestOperation = &message});
  ops.add({.name = "reports.csv", .requestOperation = &report});
  ops.add({.type = "Task",
           .name = "$count",
           .typeLevel = false,
           .instanceLevel = true,
           .requestOperation = &report});
  const Route system = parseRoute("POST", "/$process-message", false, defs(), &ops);
  EXPECT_EQ(system.interaction, Interaction::kOperation);
  ASSERT_NE(system.operation, nullptr);
  EXPECT_EQ(system.operation->requestOperation, &message);
  EXPECT_EQ(system.type, "");
  EXPECT_EQ(parseRoute("GET", "/reports.csv", false, defs(), &ops).operation->name, "reports.csv");
  const Route instance = parseRoute("GET", "/Task/t1/$count", false, defs(), &ops);
  EXPECT_EQ(instance.operation->name, "$count");
  EXPECT_EQ(instance.id, "t1");
  EXPECT_EQ(allowedMethods("/$process-message", defs(), &ops), "POST");
  auto kindOf = [&](const std::string& method, const std::string& path) {
    try {
      parseRoute(method, path, false, defs(), &ops);
    } catch (const fhir::FhirError& e) {
      return e.kind();
    }
    return ErrorKind::kInternal;
  };
  EXPECT_EQ(kindOf("GET", "/$process-message"), ErrorKind::kMethodNotAllowed);
  EXPECT_EQ(kindOf("GET", "/Task/$count"), ErrorKind::kNotFound);        // not at type level
  EXPECT_EQ(kindOf("GET", "/Patient/p1/$count"), ErrorKind::kNotFound);  // not on Patient
  EXPECT_EQ(kindOf("GET", "/Task/bad id/$count"), ErrorKind::kInvalid);
  // Without the table nothing but $validate is known.
  EXPECT_EQ(failure("POST", "/$process-message"), ErrorKind::kNotFound);
  // An entry needs exactly one handler and a name once.
  EXPECT_THROW(ops.add({.name = "$x"}), std::invalid_argument);
  EXPECT_THROW(ops.add({.name = "reports.csv", .requestOperation = &report}),
               std::invalid_argument);
}

}  // namespace
}  // namespace sp::rest
