#include "delivery/subscription.h"

#include "fhir/json.h"

namespace sp::delivery {

using rapidjson::Value;

namespace {

Value str(const std::string& text, rapidjson::Document::AllocatorType& alloc) {
  return fhir::makeString(text, alloc);
}

Value part(const char* name, const char* valueKey, Value value,
           rapidjson::Document::AllocatorType& a) {
  Value p(rapidjson::kObjectType);
  p.AddMember("name", str(name, a), a);
  p.AddMember(rapidjson::StringRef(valueKey), value, a);
  return p;
}

Value referenceTo(const std::string& text, rapidjson::Document::AllocatorType& a) {
  Value r(rapidjson::kObjectType);
  r.AddMember("reference", str(text, a), a);
  return r;
}

}  // namespace

std::optional<RestHook> readRestHook(const Value& subscription,
                                     std::vector<std::string>& problems) {
  RestHook hook;
  const std::string criteria = fhir::getString(subscription, "criteria");
  const std::size_t question = criteria.find('?');
  hook.criteriaType = criteria.substr(0, question);
  if (question != std::string::npos) hook.criteriaQuery = criteria.substr(question + 1);
  if (hook.criteriaType.empty() || hook.criteriaType.find('/') != std::string::npos) {
    problems.push_back("Subscription.criteria must be a search such as Task?owner=Organization/x");
  }
  const Value* channel = fhir::findMember(subscription, "channel");
  if (!channel || !channel->IsObject()) {
    problems.push_back("Subscription.channel is required");
    return std::nullopt;
  }
  if (fhir::getString(*channel, "type") != "rest-hook") {
    problems.push_back("Subscription.channel.type: only rest-hook is served");
  }
  hook.endpoint = fhir::getString(*channel, "endpoint");
  if (hook.endpoint.rfind("https://", 0) != 0 && hook.endpoint.rfind("http://", 0) != 0) {
    problems.push_back("Subscription.channel.endpoint must be an http(s) URL");
  }
  hook.payload = fhir::getString(*channel, "payload");
  if (!hook.payload.empty() && hook.payload.rfind("application/fhir+json", 0) != 0 &&
      hook.payload.rfind("application/json", 0) != 0) {
    problems.push_back("Subscription.channel.payload: only application/fhir+json is served");
  }
  return hook;
}

std::string buildNotification(const NotificationParts& p) {
  rapidjson::Document bundle(rapidjson::kObjectType);
  auto& a = bundle.GetAllocator();
  bundle.AddMember("resourceType", "Bundle", a);
  bundle.AddMember("id", str(p.bundleId, a), a);
  bundle.AddMember("type", "history", a);
  bundle.AddMember("timestamp", str(p.timestamp, a), a);
  const std::string focus = p.focusType + "/" + p.focusId;

  Value status(rapidjson::kObjectType);
  status.AddMember("resourceType", "Parameters", a);
  Value params(rapidjson::kArrayType);
  params.PushBack(
      part("subscription", "valueReference", referenceTo("Subscription/" + p.subscriptionId, a), a),
      a);
  params.PushBack(part("status", "valueCode", str("active", a), a), a);
  params.PushBack(part("type", "valueCode", str("event-notification", a), a), a);
  Value event(rapidjson::kObjectType);
  event.AddMember("name", "notification-event", a);
  Value parts(rapidjson::kArrayType);
  parts.PushBack(part("focus", "valueReference", referenceTo(focus, a), a), a);
  parts.PushBack(part("timestamp", "valueInstant", str(p.timestamp, a), a), a);
  event.AddMember("part", parts, a);
  params.PushBack(event, a);
  status.AddMember("parameter", params, a);

  Value entries(rapidjson::kArrayType);
  Value statusEntry(rapidjson::kObjectType);
  statusEntry.AddMember("fullUrl", str("urn:uuid:" + p.bundleId, a), a);
  statusEntry.AddMember("resource", status, a);
  Value statusRequest(rapidjson::kObjectType);
  statusRequest.AddMember("method", "GET", a);
  statusRequest.AddMember("url", str("Subscription/" + p.subscriptionId + "/$status", a), a);
  statusEntry.AddMember("request", statusRequest, a);
  Value statusResponse(rapidjson::kObjectType);
  statusResponse.AddMember("status", "200 OK", a);
  statusEntry.AddMember("response", statusResponse, a);
  entries.PushBack(statusEntry, a);

  Value focusEntry(rapidjson::kObjectType);
  focusEntry.AddMember("fullUrl", str(p.baseUrl + "/" + focus, a), a);
  Value request(rapidjson::kObjectType);
  request.AddMember("method", rapidjson::StringRef(p.created ? "POST" : "PUT"), a);
  request.AddMember("url", str(p.created ? p.focusType : focus, a), a);
  focusEntry.AddMember("request", request, a);
  // What the write answered: R4 bdl-4 requires a response in every entry of a history Bundle.
  Value response(rapidjson::kObjectType);
  response.AddMember("status", rapidjson::StringRef(p.created ? "201 Created" : "200 OK"), a);
  if (p.versionId > 0) {
    const std::string version = std::to_string(p.versionId);
    response.AddMember("location", str(focus + "/_history/" + version, a), a);
    response.AddMember("etag", str("W/\"" + version + "\"", a), a);
  }
  if (!p.lastModified.empty()) response.AddMember("lastModified", str(p.lastModified, a), a);
  focusEntry.AddMember("response", response, a);
  entries.PushBack(focusEntry, a);
  bundle.AddMember("entry", entries, a);
  return fhir::writeJson(bundle);
}

std::optional<rapidjson::Document> subscriptionInError(const rapidjson::Value& subscription,
                                                       const std::string& reason) {
  if (fhir::getString(subscription, "status") != "active") return std::nullopt;
  rapidjson::Document out;
  auto& a = out.GetAllocator();
  out.CopyFrom(subscription, a);
  fhir::setMember(out, "status", fhir::makeString("error", a), a);
  fhir::setMember(out, "error", fhir::makeString(reason, a), a);
  return out;
}

}  // namespace sp::delivery
