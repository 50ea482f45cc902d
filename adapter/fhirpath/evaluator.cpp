#include "fhirpath/evaluator.h"

#include <string>

#include "fhirpath/arithmetic.h"
#include "fhirpath/collection_ops.h"
#include "fhirpath/equality.h"
#include "fhirpath/errors.h"
#include "fhirpath/function_registry.h"
#include "fhirpath/navigation.h"
#include "fhirpath/system_value.h"
#include "fhirpath/type_system.h"

namespace sp::fhirpath {
namespace {

bool isAbsent(const Node& n) {
  return !n.value && !n.primitiveExtension && !n.isComputed() && n.type.empty();
}

Collection booleanResult(std::optional<bool> b) {
  if (!b) return {};
  return {booleanNode(*b)};
}

const Node* singleOperand(const Collection& c, const char* op) {
  if (c.empty()) return nullptr;
  if (c.size() > 1) {
    throw FhirPathEvaluationError(std::string("operator ") + op +
                                  " expects single operands but got " + std::to_string(c.size()));
  }
  return &c.front();
}

Collection ordering(Op op, const Collection& left, const Collection& right) {
  const char* name = op == Op::kLess          ? "<"
                     : op == Op::kGreater     ? ">"
                     : op == Op::kLessOrEqual ? "<="
                                              : ">=";
  const Node* a = singleOperand(left, name);
  const Node* b = singleOperand(right, name);
  if (!a || !b) return {};
  const auto order = compareItems(*a, *b);
  if (!order) return {};
  switch (op) {
    case Op::kLess:
      return {booleanNode(*order < 0)};
    case Op::kGreater:
      return {booleanNode(*order > 0)};
    case Op::kLessOrEqual:
      return {booleanNode(*order <= 0)};
    default:
      return {booleanNode(*order >= 0)};
  }
}

Collection membership(const Collection& element, const Collection& collection, const char* op) {
  const Node* item = singleOperand(element, op);
  if (!item) return {};
  return {booleanNode(containsItem(collection, *item))};
}

const char* constantText(const std::string& name) {
  if (name == "ucum") return "http://unitsofmeasure.org";
  if (name == "sct") return "http://snomed.info/sct";
  if (name == "loinc") return "http://loinc.org";
  return nullptr;
}

}  // namespace

Evaluator::Evaluator(const Node& context, const Environment& env) : context_(context), env_(env) {
  if (!isAbsent(context_)) rootFocus_.push_back(context_);
}

Collection Evaluator::evaluateRoot(const AstNode& root) const {
  Scope scope;
  scope.focus = &rootFocus_;
  scope.thisNode = rootFocus_.empty() ? nullptr : &rootFocus_.front();
  return evaluate(root, scope);
}

const Node& Evaluator::resource() const {
  return isAbsent(env_.resource) ? context_ : env_.resource;
}

const Node& Evaluator::rootResource() const {
  return isAbsent(env_.rootResource) ? resource() : env_.rootResource;
}

Collection Evaluator::evaluate(const AstNode& node, const Scope& scope) const {
  switch (node.kind) {
    case AstKind::kLiteral:
      return {node.literal};
    case AstKind::kEmpty:
      return {};
    case AstKind::kIdentifier:
      return navigate(node, *scope.focus, scope.focus == &rootFocus_);
    case AstKind::kFunction:
      return node.function->impl(CallContext{*this, node, *scope.focus, scope});
    case AstKind::kInvoke:
      return evaluateOn(*node.children[1], evaluate(*node.children[0], scope), scope);
    case AstKind::kIndexer: {
      const Collection items = evaluate(*node.children[0], scope);
      const Collection index = evaluate(*node.children[1], scope);
      const Node* i = singleOperand(index, "[]");
      if (!i) return {};
      const SystemValue v = systemValue(*i);
      const auto* n = std::get_if<std::int64_t>(&v);
      if (!n) throw FhirPathEvaluationError("an index must be an integer");
      if (*n < 0 || static_cast<std::size_t>(*n) >= items.size()) return {};
      return {items[static_cast<std::size_t>(*n)]};
    }
    case AstKind::kUnary: {
      Collection operand = evaluate(*node.children[0], scope);
      return node.op == Op::kMinus ? negate(operand) : operand;
    }
    case AstKind::kBinary:
      return binary(node, scope);
    case AstKind::kIs: {
      const Collection operand = evaluate(*node.children[0], scope);
      const Node* item = singleOperand(operand, "is");
      if (!item) return {};
      return {booleanNode(isOfType(*item, node.typeSpec))};
    }
    case AstKind::kAs: {
      // Lenient like ofType(): R4 search expressions apply `as` to repeating elements.
      Collection out;
      for (const Node& item : evaluate(*node.children[0], scope)) {
        if (isOfType(item, node.typeSpec)) out.push_back(item);
      }
      return out;
    }
    case AstKind::kThis:
      if (!scope.thisNode) return {};
      return {*scope.thisNode};
    case AstKind::kIndex:
      if (scope.index < 0) return {};
      return {integerNode(scope.index)};
    case AstKind::kTotal:
      return scope.total ? *scope.total : Collection{};
    case AstKind::kConstant:
      return constant(node);
  }
  return {};
}

Collection Evaluator::evaluateOn(const AstNode& member, const Collection& input,
                                 const Scope& scope) const {
  switch (member.kind) {
    case AstKind::kIdentifier:
      return navigate(member, input, false);
    case AstKind::kFunction:
      return member.function->impl(CallContext{*this, member, input, scope});
    default:
      return evaluate(member, scope);
  }
}

Collection Evaluator::evaluateFor(const AstNode& lambda, const Node& item, std::int64_t index,
                                  const Scope& outer) const {
  const Collection focus{item};
  Scope scope;
  scope.focus = &focus;
  scope.thisNode = &focus.front();
  scope.index = index;
  scope.total = outer.total;
  return evaluate(lambda, scope);
}

Collection Evaluator::navigate(const AstNode& identifier, const Collection& input,
                               bool atRoot) const {
  Collection out;
  bool typeName = false;
  for (const Node& item : input) {
    if (identifier.pathStart && namesTypeOf(item, identifier.name)) {
      out.push_back(item);
      typeName = true;
    } else {
      appendMember(item, identifier.name, env_.types, out);
    }
  }
  // `Patient.name` evaluated on an element inside a Patient starts from the resource.
  if (atRoot && identifier.pathStart && !typeName && out.empty() &&
      namesTypeOf(resource(), identifier.name)) {
    out.push_back(resource());
  }
  return out;
}

Collection Evaluator::constant(const AstNode& node) const {
  const std::string& name = node.name;
  if (name == "context") return isAbsent(context_) ? Collection{} : Collection{context_};
  if (name == "resource") return isAbsent(resource()) ? Collection{} : Collection{resource()};
  if (name == "rootResource") {
    return isAbsent(rootResource()) ? Collection{} : Collection{rootResource()};
  }
  if (const char* text = constantText(name)) return {stringNode(text)};
  if (name.compare(0, 3, "vs-") == 0) {
    return {stringNode("http://hl7.org/fhir/ValueSet/" + name.substr(3))};
  }
  if (name.compare(0, 4, "ext-") == 0) {
    return {stringNode("http://hl7.org/fhir/StructureDefinition/" + name.substr(4))};
  }
  const auto it = env_.variables.find(name);
  if (it != env_.variables.end()) return it->second;
  throw FhirPathEvaluationError("unknown external constant %" + name);
}

Collection Evaluator::logic(const AstNode& node, const Scope& scope) const {
  const auto side = [&](std::size_t i) {
    return singletonBoolean(evaluate(*node.children[i], scope), "a logical operator");
  };
  const std::optional<bool> left = side(0);
  switch (node.op) {
    case Op::kAnd: {
      if (left == false) return {booleanNode(false)};
      const auto right = side(1);
      if (right == false) return {booleanNode(false)};
      return booleanResult(left.has_value() && right.has_value() ? std::optional<bool>(true)
                                                                 : std::nullopt);
    }
    case Op::kOr: {
      if (left == true) return {booleanNode(true)};
      const auto right = side(1);
      if (right == true) return {booleanNode(true)};
      return booleanResult(left.has_value() && right.has_value() ? std::optional<bool>(false)
                                                                 : std::nullopt);
    }
    case Op::kXor: {
      const auto right = side(1);
      if (!left || !right) return {};
      return {booleanNode(*left != *right)};
    }
    default: {  // implies
      if (left == false) return {booleanNode(true)};
      const auto right = side(1);
      if (right == true) return {booleanNode(true)};
      if (left == true && right == false) return {booleanNode(false)};
      return {};
    }
  }
}

Collection Evaluator::binary(const AstNode& node, const Scope& scope) const {
  switch (node.op) {
    case Op::kAnd:
    case Op::kOr:
    case Op::kXor:
    case Op::kImplies:
      return logic(node, scope);
    default:
      break;
  }
  const Collection left = evaluate(*node.children[0], scope);
  const Collection right = evaluate(*node.children[1], scope);
  switch (node.op) {
    case Op::kUnion:
      return unionOf(left, right);
    case Op::kEqual:
      return booleanResult(collectionsEqual(left, right));
    case Op::kNotEqual: {
      const auto eq = collectionsEqual(left, right);
      return booleanResult(eq ? std::optional<bool>(!*eq) : std::nullopt);
    }
    case Op::kEquivalent:
      return {booleanNode(collectionsEquivalent(left, right))};
    case Op::kNotEquivalent:
      return {booleanNode(!collectionsEquivalent(left, right))};
    case Op::kLess:
    case Op::kGreater:
    case Op::kLessOrEqual:
    case Op::kGreaterOrEqual:
      return ordering(node.op, left, right);
    case Op::kIn:
      return membership(left, right, "in");
    case Op::kContains:
      return membership(right, left, "contains");
    default:
      return arithmetic(node.op, left, right);
  }
}

}  // namespace sp::fhirpath
