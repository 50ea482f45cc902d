#include "fhir/json_patch.h"

#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

#include "fhir/errors.h"

namespace sp::fhir {
namespace {

using rapidjson::Document;
using rapidjson::Value;

Document parse(const std::string& json) {
  Document doc;
  doc.Parse(json.c_str(), json.size());
  EXPECT_FALSE(doc.HasParseError()) << "test JSON does not parse: " << json;
  return doc;
}

// Compact JSON text; member order as stored.
std::string dump(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Applies `patchJson` to `docJson` and returns the result as compact text.
std::string patched(const std::string& docJson, const std::string& patchJson) {
  Document doc = parse(docJson);
  applyJsonPatch(doc, parse(patchJson));
  return dump(doc);
}

void expectApplies(const std::string& docJson, const std::string& patchJson) {
  EXPECT_NO_THROW(patched(docJson, patchJson)) << patchJson << " on " << docJson;
}

// Canonical compact text of `json` (to compare results member order included).
std::string canon(const std::string& json) { return dump(parse(json)); }

// Applies the patch, checks that the result equals `expectedJson` as JSON (object member order
// ignored, as the RFC examples do not fix it).
void expectPatchedEquals(const std::string& docJson, const std::string& patchJson,
                         const std::string& expectedJson) {
  Document doc = parse(docJson);
  applyJsonPatch(doc, parse(patchJson));
  EXPECT_TRUE(doc == parse(expectedJson)) << "got " << dump(doc) << ", want " << expectedJson;
}

// Applies a patch that must fail; checks the document is left unchanged and returns the error.
FhirError expectError(const std::string& docJson, const std::string& patchJson) {
  Document doc = parse(docJson);
  const std::string before = dump(doc);
  try {
    applyJsonPatch(doc, parse(patchJson));
  } catch (const FhirError& error) {
    EXPECT_EQ(dump(doc), before) << "document changed by a failed patch";
    return error;
  }
  ADD_FAILURE() << "patch should have failed: " << patchJson << " on " << docJson;
  return FhirError(ErrorKind::kInternal, "exception", "no error thrown");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void expectInvalid(const std::string& docJson, const std::string& patchJson,
                   const std::string& diagnosticsPart) {
  const FhirError error = expectError(docJson, patchJson);
  EXPECT_EQ(error.kind(), ErrorKind::kInvalid);
  ASSERT_EQ(error.issues().size(), 1u);
  EXPECT_EQ(error.issues()[0].code, "invalid");
  EXPECT_TRUE(contains(error.issues()[0].diagnostics, diagnosticsPart))
      << error.issues()[0].diagnostics << " lacks " << diagnosticsPart;
}

void expectUnprocessable(const std::string& docJson, const std::string& patchJson,
                         const std::string& diagnosticsPart) {
  const FhirError error = expectError(docJson, patchJson);
  EXPECT_EQ(error.kind(), ErrorKind::kUnprocessable);
  ASSERT_EQ(error.issues().size(), 1u);
  EXPECT_EQ(error.issues()[0].code, "processing");
  EXPECT_TRUE(contains(error.issues()[0].diagnostics, diagnosticsPart))
      << error.issues()[0].diagnostics << " lacks " << diagnosticsPart;
}

// ---- add ----

TEST(JsonPatchAdd, AddsObjectMemberAtTheEnd) {
  EXPECT_EQ(patched(R"({"name":"x"})", R"([{"op":"add","path":"/status","value":"active"}])"),
            canon(R"({"name":"x","status":"active"})"));
}

TEST(JsonPatchAdd, ReplacesExistingMemberInPlace) {
  EXPECT_EQ(patched(R"({"a":1,"b":2,"c":3})", R"([{"op":"add","path":"/b","value":[true]}])"),
            canon(R"({"a":1,"b":[true],"c":3})"));
}

TEST(JsonPatchAdd, InsertsIntoArrayShiftingLaterElements) {
  EXPECT_EQ(patched(R"({"list":["x","z"]})", R"([{"op":"add","path":"/list/1","value":"y"}])"),
            canon(R"({"list":["x","y","z"]})"));
  EXPECT_EQ(patched(R"([2,3])", R"([{"op":"add","path":"/0","value":1}])"), canon("[1,2,3]"));
}

TEST(JsonPatchAdd, AppendsWithDashAndWithIndexEqualToSize) {
  EXPECT_EQ(patched(R"({"l":[1,2]})", R"([{"op":"add","path":"/l/-","value":3}])"),
            canon(R"({"l":[1,2,3]})"));
  EXPECT_EQ(patched(R"({"l":[1,2]})", R"([{"op":"add","path":"/l/2","value":3}])"),
            canon(R"({"l":[1,2,3]})"));
  EXPECT_EQ(patched(R"({"l":[]})", R"([{"op":"add","path":"/l/-","value":{"k":null}}])"),
            canon(R"({"l":[{"k":null}]})"));
}

TEST(JsonPatchAdd, ArrayValueIsAddedAsOneElement) {
  EXPECT_EQ(patched(R"({"l":["a"]})", R"([{"op":"add","path":"/l/1","value":["b","c"]}])"),
            canon(R"({"l":["a",["b","c"]]})"));
}

TEST(JsonPatchAdd, AddsNestedObject) {
  EXPECT_EQ(patched(R"({"a":"b"})", R"([{"op":"add","path":"/child","value":{"x":[1]}}])"),
            canon(R"({"a":"b","child":{"x":[1]}})"));
}

TEST(JsonPatchAdd, NullValueIsAValue) {
  EXPECT_EQ(patched("{}", R"([{"op":"add","path":"/n","value":null}])"), canon(R"({"n":null})"));
}

TEST(JsonPatchAdd, EmptyPathReplacesWholeDocument) {
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"add","path":"","value":[1,2]}])"), "[1,2]");
}

TEST(JsonPatchAdd, SlashAloneAddressesEmptyMemberName) {
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"add","path":"/","value":2}])"),
            canon(R"({"a":1,"":2})"));
}

TEST(JsonPatchAdd, FailsWhenParentDoesNotExist) {
  expectUnprocessable(R"({"a":1})", R"([{"op":"add","path":"/missing/x","value":1}])",
                      "patch operation 0: path '/missing/x' does not exist");
}

TEST(JsonPatchAdd, FailsWhenParentIsScalar) {
  expectUnprocessable(R"({"a":1})", R"([{"op":"add","path":"/a/b","value":1}])", "'/a/b'");
}

TEST(JsonPatchAdd, FailsWhenIndexBeyondEnd) {
  expectUnprocessable(R"({"l":[1,2]})", R"([{"op":"add","path":"/l/3","value":9}])",
                      "array index '3' out of range in path '/l/3'");
}

TEST(JsonPatchAdd, RejectsMalformedArrayIndexes) {
  const char* doc = R"({"l":[1,2,3]})";
  expectUnprocessable(doc, R"([{"op":"add","path":"/l/01","value":9}])",
                      "invalid array index '01'");
  expectUnprocessable(doc, R"([{"op":"add","path":"/l/+1","value":9}])", "'+1'");
  expectUnprocessable(doc, R"([{"op":"add","path":"/l/-1","value":9}])", "'-1'");
  expectUnprocessable(doc, R"([{"op":"add","path":"/l/x","value":9}])", "'x'");
  expectUnprocessable(doc, R"([{"op":"add","path":"/l/","value":9}])", "''");
  expectUnprocessable(doc, R"([{"op":"add","path":"/l/99999999999999999999999","value":9}])",
                      "out of range");
}

TEST(JsonPatchAdd, DigitKeysOnObjectsAreMemberNames) {
  EXPECT_EQ(patched(R"({"o":{}})", R"([{"op":"add","path":"/o/01","value":1}])"),
            canon(R"({"o":{"01":1}})"));
}

TEST(JsonPatchAdd, DashInsideThePathDoesNotExist) {
  expectUnprocessable(R"({"l":[{"a":1}]})", R"([{"op":"add","path":"/l/-/a","value":1}])",
                      "out of range");
}

// ---- remove ----

TEST(JsonPatchRemove, RemovesMemberKeepingOrder) {
  EXPECT_EQ(patched(R"({"a":1,"b":2,"c":3,"d":4})", R"([{"op":"remove","path":"/b"}])"),
            canon(R"({"a":1,"c":3,"d":4})"));
}

TEST(JsonPatchRemove, RemovesArrayElement) {
  EXPECT_EQ(patched(R"({"l":["a","b","c"]})", R"([{"op":"remove","path":"/l/1"}])"),
            canon(R"({"l":["a","c"]})"));
}

TEST(JsonPatchRemove, FailsWhenTargetMissing) {
  expectUnprocessable(R"({"a":1})", R"([{"op":"remove","path":"/b"}])",
                      "patch operation 0: path '/b' does not exist");
  expectUnprocessable(R"({"l":[1]})", R"([{"op":"remove","path":"/l/1"}])", "'/l/1'");
  expectUnprocessable(R"({"l":[1]})", R"([{"op":"remove","path":"/l/-"}])", "'/l/-'");
}

TEST(JsonPatchRemove, RefusesToRemoveRoot) {
  expectUnprocessable(R"({"a":1})", R"([{"op":"remove","path":""}])", "document root");
}

// ---- replace ----

TEST(JsonPatchReplace, ReplacesMemberValue) {
  EXPECT_EQ(patched(R"({"a":"old","b":1})", R"([{"op":"replace","path":"/a","value":{"n":2}}])"),
            canon(R"({"a":{"n":2},"b":1})"));
}

TEST(JsonPatchReplace, ReplacesArrayElement) {
  EXPECT_EQ(patched("[1,2,3]", R"([{"op":"replace","path":"/1","value":"two"}])"),
            canon(R"([1,"two",3])"));
}

TEST(JsonPatchReplace, ReplacesRoot) {
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"replace","path":"","value":"s"}])"), R"("s")");
}

TEST(JsonPatchReplace, FailsWhenTargetMissing) {
  expectUnprocessable(R"({"a":1})", R"([{"op":"replace","path":"/b","value":1}])", "'/b'");
  expectUnprocessable("[1]", R"([{"op":"replace","path":"/1","value":1}])", "'/1'");
  expectUnprocessable("[1]", R"([{"op":"replace","path":"/-","value":1}])", "'/-'");
}

// ---- move ----

TEST(JsonPatchMove, MovesMember) {
  expectPatchedEquals(R"({"from":{"x":"v","y":1},"to":{"z":2}})",
                      R"([{"op":"move","from":"/from/x","path":"/to/x"}])",
                      R"({"from":{"y":1},"to":{"z":2,"x":"v"}})");
}

TEST(JsonPatchMove, MovesArrayElement) {
  EXPECT_EQ(patched(R"(["a","b","c","d"])", R"([{"op":"move","from":"/1","path":"/3"}])"),
            canon(R"(["a","c","d","b"])"));
}

TEST(JsonPatchMove, ToSameLocationIsNoOp) {
  EXPECT_EQ(patched(R"({"a":{"b":1}})", R"([{"op":"move","from":"/a","path":"/a"}])"),
            canon(R"({"a":{"b":1}})"));
}

TEST(JsonPatchMove, ReplacesExistingDestinationMember) {
  EXPECT_EQ(patched(R"({"a":1,"b":2})", R"([{"op":"move","from":"/a","path":"/b"}])"),
            canon(R"({"b":1})"));
}

TEST(JsonPatchMove, FailsIntoOwnChild) {
  expectUnprocessable(R"({"a":{"b":{}}})", R"([{"op":"move","from":"/a","path":"/a/b/c"}])",
                      "cannot move '/a' into its own child '/a/b/c'");
  expectUnprocessable(R"({"a":1})", R"([{"op":"move","from":"","path":"/a"}])", "own child");
}

TEST(JsonPatchMove, SharedTextPrefixIsNotAChild) {
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"move","from":"/a","path":"/ab"}])"),
            canon(R"({"ab":1})"));
}

TEST(JsonPatchMove, FailsWhenFromMissing) {
  expectUnprocessable(R"({"a":1})", R"([{"op":"move","from":"/b","path":"/c"}])",
                      "path '/b' does not exist");
  expectUnprocessable(R"({"a":1})", R"([{"op":"move","from":"/b","path":"/b"}])", "'/b'");
}

TEST(JsonPatchMove, FailsWhenDestinationParentMissing) {
  expectUnprocessable(R"({"a":1})", R"([{"op":"move","from":"/a","path":"/x/y"}])", "'/x/y'");
}

// ---- copy ----

TEST(JsonPatchCopy, CopiesDeeply) {
  Document doc = parse(R"({"a":{"l":[1]}})");
  applyJsonPatch(doc, parse(R"([{"op":"copy","from":"/a","path":"/b"},
                               {"op":"add","path":"/b/l/-","value":2}])"));
  EXPECT_EQ(dump(doc), canon(R"({"a":{"l":[1]},"b":{"l":[1,2]}})"));
}

TEST(JsonPatchCopy, CopiesArrayElementToEnd) {
  EXPECT_EQ(patched(R"(["x","y"])", R"([{"op":"copy","from":"/0","path":"/-"}])"),
            canon(R"(["x","y","x"])"));
}

TEST(JsonPatchCopy, CopiesIntoOwnChild) {
  EXPECT_EQ(patched(R"({"a":{"k":1}})", R"([{"op":"copy","from":"/a","path":"/a/self"}])"),
            canon(R"({"a":{"k":1,"self":{"k":1}}})"));
}

TEST(JsonPatchCopy, FailsWhenFromMissing) {
  expectUnprocessable(R"({"a":1})", R"([{"op":"copy","from":"/nope","path":"/b"}])",
                      "path '/nope' does not exist");
}

// ---- test ----

TEST(JsonPatchTest, PassesOnEqualValues) {
  EXPECT_EQ(patched(R"({"s":"v","l":[1,"2",null,true]})",
                    R"([{"op":"test","path":"/s","value":"v"},
                        {"op":"test","path":"/l","value":[1,"2",null,true]}])"),
            canon(R"({"s":"v","l":[1,"2",null,true]})"));
}

TEST(JsonPatchTest, FailsOnDifferentValue) {
  expectUnprocessable(R"({"s":"v"})", R"([{"op":"test","path":"/s","value":"w"}])",
                      "patch operation 0: test failed: value at path '/s'");
}

TEST(JsonPatchTest, NestedObjectsIgnoreMemberOrder) {
  expectApplies(
      R"({"o":{"a":1,"b":{"x":[{"p":1,"q":2}],"y":null}}})",
      R"([{"op":"test","path":"/o","value":{"b":{"y":null,"x":[{"q":2,"p":1}]},"a":1}}])");
  expectUnprocessable(R"({"o":{"a":1,"b":2}})",
                      R"([{"op":"test","path":"/o","value":{"a":1,"b":2,"c":3}}])", "'/o'");
  expectUnprocessable(R"({"o":{"a":1,"b":2}})", R"([{"op":"test","path":"/o","value":{"a":1}}])",
                      "'/o'");
  expectUnprocessable(R"({"o":{"a":1,"b":2}})",
                      R"([{"op":"test","path":"/o","value":{"a":1,"c":2}}])", "'/o'");
}

TEST(JsonPatchTest, ArrayOrderMatters) {
  expectUnprocessable("[1,2]", R"([{"op":"test","path":"","value":[2,1]}])", "test failed");
  expectUnprocessable("[1,2]", R"([{"op":"test","path":"","value":[1,2,3]}])", "test failed");
}

TEST(JsonPatchTest, NumbersCompareByValue) {
  expectApplies(R"({"n":1})", R"([{"op":"test","path":"/n","value":1.0}])");
  expectApplies(R"({"n":1.0})", R"([{"op":"test","path":"/n","value":1}])");
  expectApplies(R"({"n":-3})", R"([{"op":"test","path":"/n","value":-3.0}])");
  expectApplies(R"({"n":1e2})", R"([{"op":"test","path":"/n","value":100}])");
  expectApplies(R"({"n":18446744073709551615})",
                R"([{"op":"test","path":"/n","value":18446744073709551615}])");
  expectUnprocessable(R"({"n":1})", R"([{"op":"test","path":"/n","value":1.5}])", "test failed");
  expectUnprocessable(R"({"n":1})", R"([{"op":"test","path":"/n","value":2}])", "test failed");
  expectUnprocessable(R"({"n":-1})", R"([{"op":"test","path":"/n","value":18446744073709551615}])",
                      "test failed");
  // 2^53 + 1 is not a double; comparing it as one would wrongly match 2^53.
  expectUnprocessable(R"({"n":9007199254740993})",
                      R"([{"op":"test","path":"/n","value":9007199254740992.0}])", "test failed");
}

TEST(JsonPatchTest, TypesMustMatch) {
  expectUnprocessable(R"({"v":1})", R"([{"op":"test","path":"/v","value":"1"}])", "test failed");
  expectUnprocessable(R"({"v":null})", R"([{"op":"test","path":"/v","value":false}])",
                      "test failed");
  expectUnprocessable(R"({"v":true})", R"([{"op":"test","path":"/v","value":false}])",
                      "test failed");
  expectUnprocessable(R"({"v":[]})", R"([{"op":"test","path":"/v","value":{}}])", "test failed");
}

TEST(JsonPatchTest, StringsCompareByteExact) {
  expectApplies(R"({"s":"caf\u00e9"})", R"([{"op":"test","path":"/s","value":"café"}])");
  expectUnprocessable(R"({"s":"abc"})", R"([{"op":"test","path":"/s","value":"ABC"}])",
                      "test failed");
  expectUnprocessable(R"({"s":"a\u0000b"})", R"([{"op":"test","path":"/s","value":"a\u0000c"}])",
                      "test failed");
}

TEST(JsonPatchTest, MarkedDecimalsCompareByText) {
  const char* doc = R"({"d":"\u00011.50"})";
  expectApplies(doc, R"([{"op":"test","path":"/d","value":"\u00011.50"}])");
  expectUnprocessable(doc, R"([{"op":"test","path":"/d","value":"\u00011.5"}])", "test failed");
}

TEST(JsonPatchTest, WholeDocument) {
  expectApplies(R"({"a":[1]})", R"([{"op":"test","path":"","value":{"a":[1.0]}}])");
}

TEST(JsonPatchTest, FailsWhenPathMissing) {
  expectUnprocessable(R"({"a":1})", R"([{"op":"test","path":"/b","value":1}])",
                      "path '/b' does not exist");
}

// ---- pointers ----

TEST(JsonPatchPointer, DecodesSlashAndTildeEscapes) {
  EXPECT_EQ(patched(R"({"a/b":1,"m~n":2})", R"([{"op":"test","path":"/a~1b","value":1},
                                                {"op":"test","path":"/m~0n","value":2},
                                                {"op":"replace","path":"/a~1b","value":3},
                                                {"op":"add","path":"/x~1~0","value":4}])"),
            canon(R"({"a/b":3,"m~n":2,"x/~":4})"));
}

TEST(JsonPatchPointer, TildeZeroOneIsTildeOneNotSlash) {
  EXPECT_EQ(patched(R"({"~1":"t","/":"s"})", R"([{"op":"remove","path":"/~01"}])"),
            canon(R"({"/":"s"})"));
}

TEST(JsonPatchPointer, RejectsBadSyntax) {
  expectInvalid(R"({"a":1})", R"([{"op":"remove","path":"a"}])",
                "patch operation 0: 'path' 'a' is not a JSON pointer");
  expectInvalid(R"({"a":1})", R"([{"op":"remove","path":"/a~2"}])", "invalid escape");
  expectInvalid(R"({"a~":1})", R"([{"op":"remove","path":"/a~"}])", "invalid escape");
  expectInvalid(R"({"a":1})", R"([{"op":"copy","from":"a","path":"/b"}])", "'from' 'a'");
}

// ---- atomicity and ordering ----

TEST(JsonPatchAtomicity, FailingThirdOperationLeavesDocumentUnchanged) {
  const FhirError error = expectError(R"({"a":1,"l":[1,2]})", R"([
      {"op":"add","path":"/b","value":2},
      {"op":"remove","path":"/l/0"},
      {"op":"replace","path":"/missing","value":3},
      {"op":"add","path":"/c","value":4}])");
  EXPECT_EQ(error.kind(), ErrorKind::kUnprocessable);
  EXPECT_TRUE(contains(error.what(), "patch operation 2: path '/missing' does not exist"))
      << error.what();
}

TEST(JsonPatchAtomicity, FailedTestLeavesDocumentUnchanged) {
  const FhirError error = expectError(R"({"v":1})", R"([{"op":"replace","path":"/v","value":2},
                                                         {"op":"test","path":"/v","value":1}])");
  EXPECT_EQ(error.kind(), ErrorKind::kUnprocessable);
}

TEST(JsonPatchAtomicity, MalformedLaterOperationAppliesNothing) {
  expectInvalid(R"({"a":1})", R"([{"op":"remove","path":"/nope"},{"op":"frobnicate","path":"/a"}])",
                "patch operation 1: unknown op 'frobnicate'");
}

TEST(JsonPatchAtomicity, OperationsSeeEarlierResults) {
  EXPECT_EQ(patched("{}", R"([{"op":"add","path":"/a","value":{}},
                             {"op":"add","path":"/a/b","value":[]},
                             {"op":"add","path":"/a/b/-","value":1},
                             {"op":"test","path":"/a","value":{"b":[1]}},
                             {"op":"copy","from":"/a/b","path":"/c"},
                             {"op":"remove","path":"/a"}])"),
            canon(R"({"c":[1]})"));
}

TEST(JsonPatchAtomicity, EmptyPatchChangesNothing) {
  EXPECT_EQ(patched(R"({"a":[1,{"b":2}]})", "[]"), canon(R"({"a":[1,{"b":2}]})"));
}

TEST(JsonPatchAtomicity, ResultDoesNotDependOnPatchLifetime) {
  Document doc = parse(R"({"a":1})");
  {
    Document patch = parse(R"([{"op":"add","path":"/long","value":"a string long enough"}])");
    applyJsonPatch(doc, patch);
  }
  parse(R"({"junk":"overwrite freed memory if any"})");
  EXPECT_EQ(dump(doc), canon(R"({"a":1,"long":"a string long enough"})"));
}

// ---- malformed patch documents ----

TEST(JsonPatchMalformed, NotAnArray) {
  const FhirError error = expectError("{}", R"({"op":"add","path":"/a","value":1})");
  EXPECT_EQ(error.kind(), ErrorKind::kInvalid);
  EXPECT_EQ(error.issues()[0].code, "invalid");
}

TEST(JsonPatchMalformed, OperationNotAnObject) {
  expectInvalid("{}", R"([{"op":"test","path":"","value":{}},"add"])",
                "patch operation 1: operation must be a JSON object");
}

TEST(JsonPatchMalformed, MissingOrNonStringOp) {
  expectInvalid("{}", R"([{"path":"/a","value":1}])", "patch operation 0: missing 'op'");
  expectInvalid("{}", R"([{"op":1,"path":"/a","value":1}])", "'op' must be a string");
}

TEST(JsonPatchMalformed, UnknownOp) {
  expectInvalid("{}", R"([{"op":"Add","path":"/a","value":1}])", "unknown op 'Add'");
}

TEST(JsonPatchMalformed, MissingOrNonStringPath) {
  expectInvalid("{}", R"([{"op":"add","value":1}])", "missing 'path'");
  expectInvalid("{}", R"([{"op":"add","path":["a"],"value":1}])", "'path' must be a string");
}

TEST(JsonPatchMalformed, MissingValue) {
  expectInvalid("{}", R"([{"op":"add","path":"/a"}])", "patch operation 0: missing 'value'");
  expectInvalid(R"({"a":1})", R"([{"op":"replace","path":"/a"}])", "missing 'value'");
  expectInvalid(R"({"a":1})", R"([{"op":"test","path":"/a"}])", "missing 'value'");
}

TEST(JsonPatchMalformed, MissingFrom) {
  expectInvalid(R"({"a":1})", R"([{"op":"move","path":"/b"}])", "missing 'from'");
  expectInvalid(R"({"a":1})", R"([{"op":"copy","path":"/b","from":null}])",
                "'from' must be a string");
}

TEST(JsonPatchMalformed, UnrecognizedMembersAreIgnored) {
  EXPECT_EQ(patched(R"({"a":1})", R"([{"op":"add","path":"/b","value":2,"xyz":123,"from":7}])"),
            canon(R"({"a":1,"b":2})"));
}

// ---- RFC 6902 Appendix A scenarios (own data) ----

TEST(JsonPatchRfcAppendixA, Scenarios) {
  // A.1 add an object member; A.2 add an array element.
  expectPatchedEquals(R"({"k":"v"})", R"([{"op":"add","path":"/n","value":"w"}])",
                      R"({"n":"w","k":"v"})");
  expectPatchedEquals(R"({"k":["a","c"]})", R"([{"op":"add","path":"/k/1","value":"b"}])",
                      R"({"k":["a","b","c"]})");
  // A.3 remove a member; A.4 remove an array element.
  expectPatchedEquals(R"({"k":"v","n":"w"})", R"([{"op":"remove","path":"/n"}])", R"({"k":"v"})");
  expectPatchedEquals(R"({"k":["a","b","c"]})", R"([{"op":"remove","path":"/k/1"}])",
                      R"({"k":["a","c"]})");
  // A.5 replace a value.
  expectPatchedEquals(R"({"k":"v","n":"w"})", R"([{"op":"replace","path":"/n","value":7}])",
                      R"({"k":"v","n":7})");
  // A.6 move a value; A.7 move an array element.
  expectPatchedEquals(R"({"p":{"x":"1","y":"2"},"q":{"z":"3"}})",
                      R"([{"op":"move","from":"/p/y","path":"/q/y"}])",
                      R"({"p":{"x":"1"},"q":{"z":"3","y":"2"}})");
  expectPatchedEquals(R"({"k":[10,20,30,40]})", R"([{"op":"move","from":"/k/1","path":"/k/3"}])",
                      R"({"k":[10,30,40,20]})");
  // A.8 test a value: success.
  expectPatchedEquals(R"({"n":"v","l":["a",2,"c"]})",
                      R"([{"op":"test","path":"/n","value":"v"},
                          {"op":"test","path":"/l","value":["a",2,"c"]}])",
                      R"({"n":"v","l":["a",2,"c"]})");
  // A.9 test a value: error.
  expectUnprocessable(R"({"n":"v"})", R"([{"op":"test","path":"/n","value":"other"}])",
                      "test failed");
  // A.10 add a nested member object.
  expectPatchedEquals(R"({"k":"v"})", R"([{"op":"add","path":"/c","value":{"d":"e"}}])",
                      R"({"k":"v","c":{"d":"e"}})");
  // A.11 ignore unrecognized elements.
  expectPatchedEquals(R"({"k":"v"})", R"([{"op":"add","path":"/n","value":"w","extra":"x"}])",
                      R"({"k":"v","n":"w"})");
  // A.12 add to a nonexistent target.
  expectUnprocessable(R"({"k":"v"})", R"([{"op":"add","path":"/no/where","value":"w"}])",
                      "'/no/where' does not exist");
  // A.14 ~ escape ordering.
  expectPatchedEquals(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10}])",
                      R"({"/":9,"~1":10})");
  // A.15 compare strings and numbers.
  expectUnprocessable(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":"10"}])",
                      "test failed");
  // A.16 add an array value.
  expectPatchedEquals(R"({"k":["a"]})", R"([{"op":"add","path":"/k/-","value":["b","c"]}])",
                      R"({"k":["a",["b","c"]]})");
}

}  // namespace
}  // namespace sp::fhir
