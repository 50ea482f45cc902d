#include "fhirpath/arithmetic.h"

#include <cstdint>
#include <string>

#include "fhirpath/errors.h"
#include "fhirpath/system_value.h"

namespace sp::fhirpath {
namespace {

const char* opName(Op op) {
  switch (op) {
    case Op::kPlus:
      return "+";
    case Op::kMinus:
      return "-";
    case Op::kTimes:
      return "*";
    case Op::kDivide:
      return "/";
    case Op::kDiv:
      return "div";
    case Op::kMod:
      return "mod";
    default:
      return "&";
  }
}

[[noreturn]] void unsupported(Op op) {
  throw FhirPathEvaluationError(std::string("operator ") + opName(op) +
                                " does not apply to these operand types");
}

const Node& singleOperand(const Collection& c, Op op) {
  if (c.size() > 1) {
    throw FhirPathEvaluationError(std::string("operator ") + opName(op) +
                                  " expects single operands but got " + std::to_string(c.size()));
  }
  return c.front();
}

Collection integerOp(Op op, std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  bool overflow = false;
  switch (op) {
    case Op::kPlus:
      overflow = __builtin_add_overflow(a, b, &r);
      break;
    case Op::kMinus:
      overflow = __builtin_sub_overflow(a, b, &r);
      break;
    case Op::kTimes:
      overflow = __builtin_mul_overflow(a, b, &r);
      break;
    case Op::kDiv:
    case Op::kMod:
      if (b == 0) return {};
      if (a == INT64_MIN && b == -1) {
        overflow = op == Op::kDiv;
        r = 0;
      } else {
        r = op == Op::kDiv ? a / b : a % b;
      }
      break;
    default: {
      const auto q = Decimal::divide(Decimal::fromInteger(a), Decimal::fromInteger(b));
      if (!q) return {};
      return {decimalNode(*q)};
    }
  }
  if (overflow) throw FhirPathEvaluationError("integer arithmetic overflow");
  return {integerNode(r)};
}

Collection decimalOp(Op op, const Decimal& a, const Decimal& b) {
  std::optional<Decimal> r;
  switch (op) {
    case Op::kPlus:
      r = Decimal::add(a, b);
      break;
    case Op::kMinus:
      r = Decimal::subtract(a, b);
      break;
    case Op::kTimes:
      r = Decimal::multiply(a, b);
      break;
    case Op::kDivide:
      r = Decimal::divide(a, b);
      break;
    case Op::kDiv: {
      const auto q = Decimal::truncatedDivide(a, b);
      if (!q) return {};
      const auto i = q->toInteger();
      if (!i) throw FhirPathEvaluationError("div result out of range");
      return {integerNode(*i)};
    }
    case Op::kMod:
      r = Decimal::modulo(a, b);
      break;
    default:
      unsupported(op);
  }
  if (!r) return {};
  return {decimalNode(*r)};
}

std::optional<Decimal> numberOf(const SystemValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return Decimal::fromInteger(*i);
  if (const auto* d = std::get_if<Decimal>(&v)) return *d;
  return std::nullopt;
}

std::optional<Temporal> temporalOf(const SystemValue& v) {
  if (const auto* t = std::get_if<Temporal>(&v)) return *t;
  if (const auto* s = std::get_if<std::string>(&v)) return Temporal::parseAny(*s);
  return std::nullopt;
}

Collection concatenate(const Collection& left, const Collection& right) {
  std::string out;
  for (const Collection* side : {&left, &right}) {
    if (side->empty()) continue;
    const auto text = stringView(singleOperand(*side, Op::kConcat));
    if (!text) unsupported(Op::kConcat);
    out += *text;
  }
  return {stringNode(std::move(out))};
}

}  // namespace

Collection arithmetic(Op op, const Collection& left, const Collection& right) {
  if (op == Op::kConcat) return concatenate(left, right);
  if (left.empty() || right.empty()) return {};
  const SystemValue a = systemValue(singleOperand(left, op));
  const SystemValue b = systemValue(singleOperand(right, op));
  const auto* ia = std::get_if<std::int64_t>(&a);
  const auto* ib = std::get_if<std::int64_t>(&b);
  if (ia && ib) return integerOp(op, *ia, *ib);
  const auto na = numberOf(a);
  const auto nb = numberOf(b);
  if (na && nb) return decimalOp(op, *na, *nb);
  const auto* qa = std::get_if<Quantity>(&a);
  const auto* qb = std::get_if<Quantity>(&b);
  if (op == Op::kPlus || op == Op::kMinus) {
    const int sign = op == Op::kPlus ? 1 : -1;
    if (qa && qb) {
      const auto sum = addQuantities(*qa, *qb, sign);
      if (!sum) return {};
      return {quantityNode(*sum)};
    }
    if (qb) {
      if (const auto t = temporalOf(a)) {
        const auto r = addDuration(*t, sign > 0 ? qb->value : qb->value.negated(), qb->unit);
        if (!r) return {};
        return {temporalNode(*r)};
      }
    }
    const auto* sa = std::get_if<std::string>(&a);
    const auto* sb = std::get_if<std::string>(&b);
    if (op == Op::kPlus && sa && sb) return {stringNode(*sa + *sb)};
  }
  if ((op == Op::kTimes || op == Op::kDivide) && qa && nb) {
    const Collection scaled = decimalOp(op, qa->value, *nb);
    if (scaled.empty()) return {};
    return {quantityNode(Quantity{std::get<Decimal>(scaled.front().computed), qa->unit})};
  }
  if (op == Op::kTimes && qb && na) {
    return {quantityNode(Quantity{Decimal::multiply(*na, qb->value), qb->unit})};
  }
  unsupported(op);
}

Collection negate(const Collection& operand) {
  if (operand.empty()) return {};
  const SystemValue v = systemValue(singleOperand(operand, Op::kMinus));
  if (const auto* i = std::get_if<std::int64_t>(&v)) {
    if (*i == INT64_MIN) throw FhirPathEvaluationError("integer arithmetic overflow");
    return {integerNode(-*i)};
  }
  if (const auto* d = std::get_if<Decimal>(&v)) return {decimalNode(d->negated())};
  if (const auto* q = std::get_if<Quantity>(&v)) {
    return {quantityNode(Quantity{q->value.negated(), q->unit})};
  }
  throw FhirPathEvaluationError("unary - expects a number or a quantity");
}

}  // namespace sp::fhirpath
