#include "fhirpath/node.h"

#include <utility>

namespace sp::fhirpath {
namespace {

const char* temporalTypeName(TemporalKind kind) {
  switch (kind) {
    case TemporalKind::kDate:
      return "System.Date";
    case TemporalKind::kDateTime:
      return "System.DateTime";
    case TemporalKind::kTime:
      return "System.Time";
  }
  return "System.DateTime";
}

Node computedNode(const char* type, SystemValue v) {
  Node n;
  n.type = type;
  n.computed = std::move(v);
  return n;
}

}  // namespace

Node resourceNode(const rapidjson::Value& resource) {
  Node n;
  n.value = &resource;
  if (resource.IsObject()) {
    const auto it = resource.FindMember("resourceType");
    if (it != resource.MemberEnd() && it->value.IsString()) n.type = it->value.GetString();
  }
  return n;
}

Node typedNode(std::string type) {
  Node n;
  n.type = std::move(type);
  return n;
}

Node booleanNode(bool v) { return computedNode("System.Boolean", v); }
Node integerNode(std::int64_t v) { return computedNode("System.Integer", v); }
Node decimalNode(Decimal v) { return computedNode("System.Decimal", v); }
Node stringNode(std::string v) { return computedNode("System.String", std::move(v)); }
Node temporalNode(Temporal v) { return computedNode(temporalTypeName(v.kind), v); }
Node quantityNode(Quantity v) { return computedNode("System.Quantity", std::move(v)); }

Collection single(SystemValue v) {
  struct Visitor {
    Collection operator()(std::monostate) const { return {}; }
    Collection operator()(bool b) const { return {booleanNode(b)}; }
    Collection operator()(std::int64_t i) const { return {integerNode(i)}; }
    Collection operator()(Decimal& d) const { return {decimalNode(d)}; }
    Collection operator()(std::string& s) const { return {stringNode(std::move(s))}; }
    Collection operator()(Temporal& t) const { return {temporalNode(t)}; }
    Collection operator()(Quantity& q) const { return {quantityNode(std::move(q))}; }
  };
  return std::visit(Visitor{}, v);
}

}  // namespace sp::fhirpath
