#include "rest/status_map.h"

#include <gtest/gtest.h>

namespace sp::rest {
namespace {

using fhir::ErrorKind;

// Every row of the kind -> status table.
TEST(StatusMap, EveryKindHasItsStatus) {
  const std::pair<ErrorKind, int> rows[] = {
      {ErrorKind::kInvalid, 400},
      {ErrorKind::kUnauthorized, 401},
      {ErrorKind::kForbidden, 403},
      {ErrorKind::kNotFound, 404},
      {ErrorKind::kMethodNotAllowed, 405},
      {ErrorKind::kNotAcceptable, 406},
      {ErrorKind::kConflict, 409},
      {ErrorKind::kGone, 410},
      {ErrorKind::kPreconditionFailed, 412},
      {ErrorKind::kPayloadTooLarge, 413},
      {ErrorKind::kUnsupportedMediaType, 415},
      {ErrorKind::kUnprocessable, 422},
      {ErrorKind::kTooEarly, 425},
      {ErrorKind::kTooManyRequests, 429},
      {ErrorKind::kInternal, 500},
      {ErrorKind::kNotImplemented, 501},
      {ErrorKind::kUnavailable, 503},
  };
  for (const auto& [kind, status] : rows) {
    EXPECT_EQ(statusFor(kind), status);
    EXPECT_STRNE(reasonPhrase(status), "") << status;
  }
}

TEST(StatusMap, StatusLines) {
  EXPECT_EQ(statusLine(201), "201 Created");
  EXPECT_EQ(statusLine(410), "410 Gone");
  EXPECT_EQ(statusLine(299), "299");
}

}  // namespace
}  // namespace sp::rest
