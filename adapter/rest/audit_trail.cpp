#include "rest/audit_trail.h"

#include "fhir/bundle_writer.h"
#include "fhir/errors.h"
#include "security/audit_event.h"

namespace sp::rest {

using fhir::ErrorKind;
using fhir::FhirError;

std::string interactionName(const Route& route) {
  switch (route.interaction) {
    case Interaction::kRead:
      return "read";
    case Interaction::kVread:
      return "vread";
    case Interaction::kSearchType:
      return "search-type";
    case Interaction::kSearchSystem:
      return "search-system";
    case Interaction::kHistoryInstance:
      return "history-instance";
    case Interaction::kHistoryType:
      return "history-type";
    case Interaction::kHistorySystem:
      return "history-system";
    case Interaction::kCreate:
      return "create";
    case Interaction::kUpdate:
    case Interaction::kConditionalUpdate:
      return "update";
    case Interaction::kPatch:
      return "patch";
    case Interaction::kDelete:
      return "delete";
    case Interaction::kValidate:
      return "$validate";
    case Interaction::kBatch:
      return "batch";
    case Interaction::kCapabilities:
      return "capabilities";
    case Interaction::kHealth:
      return "$health";
    case Interaction::kOperation:
      return route.operation ? route.operation->name : "operation";
  }
  return "operation";
}

store::AuditRecord auditRecordOf(const ApiContext& ctx, const Route& route,
                                 const InteractionInput& in, int status,
                                 const std::optional<store::ResourceVersion>& version) {
  store::AuditRecord r;
  r.id = ctx.ids.newId();
  r.recorded = ctx.clock.now();
  r.interaction = interactionName(route);
  r.action = security::auditAction(r.interaction);
  r.outcome = status;
  r.organisation = in.caller.auditName();
  r.subject = in.caller.subject;
  r.entityType = version ? version->type : route.type;
  r.entityId = version ? version->id : route.id;
  if (version) r.entityVersion = version->versionId;
  for (const auto& [name, value] : in.query) {
    r.query += (r.query.empty() ? "" : "&") + percentEncode(name) + "=" + percentEncode(value);
  }
  r.requestId = in.requestId;
  r.correlationId = in.correlationId;
  return r;
}

namespace {

int auditCount(const std::string& text, const ApiLimits& limits) {
  if (text.empty() || text.size() > 6 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    throw FhirError(ErrorKind::kInvalid, "value", "_count must be a non-negative integer");
  }
  return std::max(1, std::min(std::stoi(text), limits.maxPageSize));
}

}  // namespace

InteractionResult auditEventInteraction(const ApiContext& ctx, store::StoreTransaction& tx,
                                        const Route& route, const InteractionInput& in) {
  store::AuditQuery q;
  q.count = ctx.limits.defaultPageSize;
  InteractionResult result;
  if (route.interaction == Interaction::kRead) {
    q.id = route.id;
    q.count = 1;
    const store::AuditPage page = tx.auditRecords(q);
    if (page.records.empty()) {
      throw FhirError(ErrorKind::kNotFound, "not-found", "AuditEvent/" + route.id + " not found");
    }
    store::ResourceVersion v;
    v.type = "AuditEvent";
    v.id = route.id;
    v.versionId = 1;
    v.lastUpdated = page.records.front().recorded;
    v.method = "POST";
    v.body = security::auditEventJson(page.records.front());
    result.version = std::move(v);
    return result;
  }
  if (route.interaction != Interaction::kSearchType) {
    throw FhirError(ErrorKind::kMethodNotAllowed, "not-supported",
                    "AuditEvent supports read and search only");
  }
  std::string self = in.baseUrl + "/AuditEvent?";
  bool matchesNone = false;  // a token no audit record can have
  for (const auto& [name, value] : in.query) {
    if (name == "agent") {
      const std::optional<std::string> code = security::auditAgentCode(value);
      matchesNone =
          matchesNone || !code || (!q.agent.empty() && !code->empty() && *code != q.agent);
      if (code && !code->empty()) q.agent = *code;
    } else if (name == "entity-type") {
      q.entityType = value;
    } else if (name == "entity-id") {
      q.entityId = value;
    } else if (name == "_count") {
      q.count = auditCount(value, ctx.limits);
      continue;
    } else if (name == "_cursor") {
      const auto cursor = fhir::parseEtagVersion(value);
      if (!cursor) throw FhirError(ErrorKind::kInvalid, "value", "Malformed _cursor");
      q.beforeSequence = *cursor;
      continue;
    } else if (name != "_format" && name != "_pretty") {
      throw FhirError(ErrorKind::kInvalid, "not-supported",
                      "AuditEvent search supports agent, entity-type, entity-id and _count, not '" +
                          name + "'");
    }
    self += percentEncode(name) + "=" + percentEncode(value) + "&";
  }
  self += "_count=" + std::to_string(q.count);
  const store::AuditPage page = matchesNone ? store::AuditPage{} : tx.auditRecords(q);
  std::vector<fhir::BundleEntry> entries;
  for (const auto& record : page.records) {
    fhir::BundleEntry e;
    e.fullUrl = in.baseUrl + "/AuditEvent/" + record.id;
    e.resourceJson = security::auditEventJson(record);
    e.searchMode = "match";
    entries.push_back(std::move(e));
  }
  std::vector<fhir::BundleLink> links{{"self", self}};
  if (page.nextCursor) {
    links.push_back({"next", self + "&_cursor=" + std::to_string(*page.nextCursor)});
  }
  result.bundleBody =
      fhir::writeBundle("searchset", ctx.ids.newId(), fhir::formatInstant(ctx.clock.now()),
                        std::nullopt, links, entries);
  return result;
}

}  // namespace sp::rest
