// Hostile-text screening of request paths, query parameters and headers, and the UTF-8 check
// behind it.
#include "rest/request_screen.h"

#include <gtest/gtest.h>

#include <string>

#include "fhir/errors.h"
#include "fhir/utf8.h"

namespace sp::rest {
namespace {

using fhir::isValidUtf8;

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("plain ascii"));
  EXPECT_TRUE(isValidUtf8("Zoë Ó Briain"));      // two-byte forms
  EXPECT_TRUE(isValidUtf8("\xE2\x82\xAC"));      // U+20AC, three bytes
  EXPECT_TRUE(isValidUtf8("\xF0\x9F\x98\x80"));  // U+1F600, four bytes
  EXPECT_TRUE(isValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_TRUE(isValidUtf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
}

TEST(Utf8, RefusesMalformedText) {
  EXPECT_FALSE(isValidUtf8("\xFF"));              // never valid
  EXPECT_FALSE(isValidUtf8("\x80"));              // a stray continuation byte
  EXPECT_FALSE(isValidUtf8("\xC3\x28"));          // lead byte without its continuation
  EXPECT_FALSE(isValidUtf8("\xC3"));              // cut short at the end
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xE0\x80\xAF"));      // overlong '/', three bytes
  EXPECT_FALSE(isValidUtf8("\xF0\x80\x80\xAF"));  // overlong '/', four bytes
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(isValidUtf8("\xED\xBF\xBF"));      // U+DFFF
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xF5\x80\x80\x80"));
}

std::string screenProblem(const RestRequest& request) {
  try {
    screenRequestText(request);
  } catch (const fhir::FhirError& e) {
    EXPECT_EQ(e.kind(), fhir::ErrorKind::kInvalid);
    return e.issues().front().diagnostics;
  }
  return "";
}

RestRequest request(std::string path, QueryParams query = {}) {
  RestRequest r;
  r.method = "GET";
  r.path = std::move(path);
  r.query = std::move(query);
  return r;
}

TEST(RequestScreen, PassesOrdinaryRequests) {
  RestRequest r = request("/Patient/abc", {{"name", "Zoë"}, {"_count", "10"}});
  r.headers["user-agent"] = "curl/7.88\twith a tab";
  EXPECT_EQ(screenProblem(r), "");
}

TEST(RequestScreen, RefusesNulAndControlCharacters) {
  EXPECT_NE(screenProblem(request(std::string("/Patient/a\0b", 12))), "");
  EXPECT_NE(screenProblem(request("/Patient", {{"name", std::string("a\0b", 3)}})), "");
  EXPECT_NE(screenProblem(request("/Patient", {{std::string("na\0me", 5), "x"}})), "");
  EXPECT_NE(screenProblem(request("/Patient", {{"name", "a\nb"}})), "");
  EXPECT_NE(screenProblem(request("/Patient", {{"name", "a\x7F"}})), "");
  RestRequest r = request("/Patient");
  r.headers["if-none-exist"] = std::string("identifier=a\0", 13);
  EXPECT_NE(screenProblem(r), "");
}

TEST(RequestScreen, RefusesInvalidUtf8AndSaysWhere) {
  EXPECT_NE(screenProblem(request("/Pat\xFFient")).find("request path"), std::string::npos);
  const std::string problem = screenProblem(request("/Patient", {{"family", "\xC3\x28"}}));
  EXPECT_NE(problem.find("'family'"), std::string::npos) << problem;
  EXPECT_NE(problem.find("UTF-8"), std::string::npos) << problem;
  EXPECT_EQ(problem.find('\xC3'), std::string::npos) << "the bad text is not echoed";
}

TEST(RequestScreen, FormParametersAreScreenedToo) {
  EXPECT_NO_THROW(screenQueryParams({{"name", "smith"}}));
  EXPECT_THROW(screenQueryParams({{"name", "\xED\xA0\x80"}}), fhir::FhirError);
}

}  // namespace
}  // namespace sp::rest
