// Utility functions (spec 5.9) and not() (6.5): trace now today timeOfDay not. trace() returns
// its input unchanged and logs nothing.
#include <chrono>

#include "fhirpath/collection_ops.h"
#include "fhirpath/function_registry.h"

namespace sp::fhirpath {
namespace {

Temporal clockValue(const CallContext& c, TemporalKind kind) {
  using std::chrono::milliseconds;
  const auto ms =
      std::chrono::duration_cast<milliseconds>(c.evaluator.env().now.time_since_epoch()).count();
  // 1970-01-01T00:00:00.000Z plus the clock's milliseconds.
  Temporal epoch = *Temporal::parseDateTime("1970-01-01T00:00:00.000Z");
  Temporal t = *addDuration(epoch, Decimal::fromInteger(ms), "ms");
  t.kind = kind;
  if (kind == TemporalKind::kDate) return t.truncatedTo(TemporalPrecision::kDay);
  if (kind == TemporalKind::kTime) t.hasTimezone = false;
  return t;
}

Collection now(const CallContext& c) {
  return {temporalNode(clockValue(c, TemporalKind::kDateTime))};
}
Collection today(const CallContext& c) {
  return {temporalNode(clockValue(c, TemporalKind::kDate))};
}
Collection timeOfDay(const CallContext& c) {
  return {temporalNode(clockValue(c, TemporalKind::kTime))};
}

Collection trace(const CallContext& c) { return c.input; }

Collection notFunction(const CallContext& c) {
  const auto value = singletonBoolean(c.input, "not()");
  if (!value) return {};
  return {booleanNode(!*value)};
}

}  // namespace

const std::vector<FunctionDef>& utilityFunctions() {
  static const std::vector<FunctionDef> kFunctions = {
      {"now", 0, 0, now},     {"today", 0, 0, today},     {"timeOfDay", 0, 0, timeOfDay},
      {"trace", 1, 2, trace}, {"not", 0, 0, notFunction},
  };
  return kFunctions;
}

}  // namespace sp::fhirpath
