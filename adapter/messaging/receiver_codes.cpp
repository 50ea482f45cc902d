#include "messaging/receiver_codes.h"

#include <rapidjson/document.h>

#include <map>

#include "fhir/json.h"
#include "messaging/vocabulary.h"

namespace sp::messaging {

std::string receiverCode(int httpStatus) {
  static const std::map<int, std::string> kCodes = {{400, "REC_BAD_REQUEST"},
                                                    {401, "REC_UNAUTHORIZED"},
                                                    {403, "REC_FORBIDDEN"},
                                                    {404, "REC_NOT_FOUND"},
                                                    {405, "REC_METHOD_NOT_ALLOWED"},
                                                    {406, "REC_NOT_ACCEPTABLE"},
                                                    {408, "REC_TIMEOUT"},
                                                    {409, "REC_CONFLICT"},
                                                    {412, "REC_PRECONDITION_FAILED"},
                                                    {413, "REC_PAYLOAD_TOO_LARGE"},
                                                    {415, "REC_UNSUPPORTED_MEDIA_TYPE"},
                                                    {422, "REC_UNPROCESSABLE_ENTITY"},
                                                    {425, "REC_TOO_EARLY"},
                                                    {429, "REC_TOO_MANY_REQUESTS"},
                                                    {500, "REC_SERVER_ERROR"},
                                                    {501, "REC_NOT_IMPLEMENTED"},
                                                    {503, "REC_SERVICE_UNAVAILABLE"}};
  auto it = kCodes.find(httpStatus);
  return it == kCodes.end() ? "REC_SERVER_ERROR" : it->second;
}

std::string receiverOutcomeJson(int httpStatus, const std::vector<fhir::Issue>& issues) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("resourceType", "OperationOutcome", a);
  rapidjson::Value list(rapidjson::kArrayType);
  const std::string code = receiverCode(httpStatus);
  for (const fhir::Issue& issue : issues) {
    rapidjson::Value entry(rapidjson::kObjectType);
    entry.AddMember("severity", rapidjson::StringRef(fhir::severityCode(issue.severity)), a);
    entry.AddMember("code", fhir::makeString(issue.code, a), a);
    rapidjson::Value coding(rapidjson::kObjectType);
    coding.AddMember("system", rapidjson::StringRef(kHttpErrorCodes), a);
    coding.AddMember("code", fhir::makeString(code, a), a);
    rapidjson::Value codings(rapidjson::kArrayType);
    codings.PushBack(coding, a);
    rapidjson::Value details(rapidjson::kObjectType);
    details.AddMember("coding", codings, a);
    entry.AddMember("details", details, a);
    if (!issue.diagnostics.empty()) {
      entry.AddMember("diagnostics", fhir::makeString(issue.diagnostics, a), a);
    }
    if (!issue.expression.empty()) {
      rapidjson::Value expressions(rapidjson::kArrayType);
      expressions.PushBack(fhir::makeString(issue.expression, a), a);
      entry.AddMember("expression", expressions, a);
    }
    list.PushBack(entry, a);
  }
  doc.AddMember("issue", list, a);
  return fhir::writeJson(doc);
}

}  // namespace sp::messaging
