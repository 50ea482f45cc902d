// The impact report as a FHIR R4 Parameters resource.
#include <rapidjson/document.h>

#include "fhir/json.h"
#include "reports/render.h"
#include "reports/stats.h"

namespace sp::reports {
namespace {

using rapidjson::Document;
using rapidjson::Value;
using Alloc = Document::AllocatorType;

constexpr const char* kUcum = "http://unitsofmeasure.org";

class Builder {
 public:
  explicit Builder(Alloc& a) : a_(a) {}

  Value str(const std::string& s) { return fhir::makeString(s, a_); }

  Value param(const std::string& name) {
    Value p(rapidjson::kObjectType);
    p.AddMember("name", str(name), a_);
    return p;
  }
  Value integer(const std::string& name, std::int64_t v) {
    Value p = param(name);
    p.AddMember("valueInteger", Value(static_cast<int64_t>(v)), a_);
    return p;
  }
  Value decimal(const std::string& name, double v, int decimals) {
    Value p = param(name);
    p.AddMember("valueDecimal", fhir::makeDecimal(formatNumber(v, decimals), a_), a_);
    return p;
  }
  Value string(const std::string& name, const std::string& v) {
    Value p = param(name);
    p.AddMember("valueString", str(v), a_);
    return p;
  }
  Value typed(const std::string& name, const char* type, const std::string& v) {
    Value p = param(name);
    p.AddMember(Value(type, a_), str(v), a_);
    return p;
  }
  Value boolean(const std::string& name, bool v) {
    Value p = param(name);
    p.AddMember("valueBoolean", Value(v), a_);
    return p;
  }
  Value days(const std::string& name, double v) {
    Value q(rapidjson::kObjectType);
    q.AddMember("value", fhir::makeDecimal(formatNumber(v, 2), a_), a_);
    q.AddMember("unit", "days", a_);
    q.AddMember("system", Value(kUcum, a_), a_);
    q.AddMember("code", "d", a_);
    Value p = param(name);
    p.AddMember("valueQuantity", q, a_);
    return p;
  }
  Value coding(const std::string& name, const char* system, const std::string& code,
               const std::string& display) {
    Value c(rapidjson::kObjectType);
    c.AddMember("system", Value(system, a_), a_);
    c.AddMember("code", str(code), a_);
    c.AddMember("display", str(display), a_);
    Value p = param(name);
    p.AddMember("valueCoding", c, a_);
    return p;
  }
  Value reference(const std::string& name, const std::string& ref, const std::string& display) {
    Value r(rapidjson::kObjectType);
    r.AddMember("reference", str(ref), a_);
    if (!display.empty()) r.AddMember("display", str(display), a_);
    Value p = param(name);
    p.AddMember("valueReference", r, a_);
    return p;
  }
  Value parts(const std::string& name, Value list) {
    Value p = param(name);
    p.AddMember("part", list, a_);
    return p;
  }

  // The figures as parts; measures that cannot be computed are left out.
  void figures(Value& list, const Figures& f) {
    for (const Measure& m : measuresOf(f)) {
      if (!m.value) continue;
      switch (m.kind) {
        case MeasureKind::kCount:
          list.PushBack(integer(m.name, static_cast<std::int64_t>(*m.value)), a_);
          break;
        case MeasureKind::kPercent:
          list.PushBack(decimal(m.name, *m.value, 1), a_);
          break;
        case MeasureKind::kDays:
          list.PushBack(days(m.name, *m.value), a_);
          break;
      }
    }
  }

  Alloc& a_;
};

const char* systemOf(const std::string& breakdown) {
  if (breakdown == "route") return kReferralRouteSystem;
  if (breakdown == "cohort") return kPriorityCohortSystem;
  return nullptr;
}

Value distribution(Builder& b, const std::string& name, const std::vector<std::int64_t>& counts) {
  Value list(rapidjson::kArrayType);
  const auto& buckets = dayBuckets();
  for (std::size_t i = 0; i < buckets.size() && i < counts.size(); ++i) {
    Value bucket(rapidjson::kArrayType);
    bucket.PushBack(b.string("label", buckets[i].label()), b.a_);
    bucket.PushBack(b.decimal("from-days", buckets[i].lower, 0), b.a_);
    if (buckets[i].upper) bucket.PushBack(b.decimal("to-days", *buckets[i].upper, 0), b.a_);
    bucket.PushBack(b.integer("referrals", counts[i]), b.a_);
    list.PushBack(b.parts("bucket", std::move(bucket)), b.a_);
  }
  return b.parts(name, std::move(list));
}

}  // namespace

std::string impactParametersJson(const ImpactReport& r) {
  Document doc(rapidjson::kObjectType);
  Alloc& a = doc.GetAllocator();
  Builder b(a);
  doc.AddMember("resourceType", "Parameters", a);
  Value params(rapidjson::kArrayType);

  Value period(rapidjson::kObjectType);
  period.AddMember("start", b.str(formatDate(r.period.first)), a);
  period.AddMember("end", b.str(formatDate(r.period.last)), a);
  Value periodParam = b.param("period");
  periodParam.AddMember("valuePeriod", period, a);
  params.PushBack(periodParam, a);
  params.PushBack(b.typed("generated", "valueInstant", r.generatedAt), a);
  params.PushBack(b.typed("as-at", "valueDate", formatDate(r.asAt)), a);
  const std::pair<const char*, const std::string*> filters[] = {{"locality", &r.filter.locality},
                                                                {"area", &r.filter.area},
                                                                {"route", &r.filter.route},
                                                                {"cohort", &r.filter.cohort},
                                                                {"service", &r.filter.service}};
  for (const auto& [name, value] : filters) {
    if (!value->empty()) params.PushBack(b.string(std::string("filter-") + name, *value), a);
  }

  Value summary(rapidjson::kArrayType);
  b.figures(summary, r.summary);
  params.PushBack(b.parts("summary", std::move(summary)), a);

  for (const Breakdown& breakdown : r.breakdowns) {
    Value groups(rapidjson::kArrayType);
    for (const Group& g : breakdown.groups) {
      Value part(rapidjson::kArrayType);
      const char* system = systemOf(breakdown.name);
      if (breakdown.name == "service" && g.key != "none") {
        part.PushBack(b.reference("service", "HealthcareService/" + g.key, g.label), a);
      } else if (system && g.key != "none") {
        part.PushBack(b.coding("code", system, g.key, g.label), a);
      } else {
        part.PushBack(b.string("code", g.key), a);
      }
      part.PushBack(b.string("label", g.label), a);
      b.figures(part, g.figures);
      groups.PushBack(b.parts("group", std::move(part)), a);
    }
    // R4 has no empty arrays, and a parameter needs a value or parts (inv-1): a breakdown with
    // no group (no referral to any service in the period) is left out.
    if (groups.Empty()) continue;
    params.PushBack(b.parts("by-" + breakdown.name, std::move(groups)), a);
  }

  params.PushBack(distribution(b, "time-to-acceptance-distribution", r.acceptanceDays), a);
  params.PushBack(distribution(b, "time-to-first-contact-distribution", r.firstContactDays), a);

  for (const MeasureChange& m : r.outcomeMeasures) {
    Value part(rapidjson::kArrayType);
    part.PushBack(
        b.coding("code", m.instrument.system.c_str(), m.instrument.code, m.instrument.label), a);
    part.PushBack(b.integer("people", m.people), a);
    if (m.meanBefore) part.PushBack(b.decimal("mean-before", *m.meanBefore, 2), a);
    if (m.meanAfter) part.PushBack(b.decimal("mean-after", *m.meanAfter, 2), a);
    if (m.meanChange) part.PushBack(b.decimal("mean-change", *m.meanChange, 2), a);
    part.PushBack(b.integer("improved", m.improved), a);
    part.PushBack(b.integer("unchanged", m.unchanged), a);
    part.PushBack(b.integer("worse", m.worse), a);
    params.PushBack(b.parts("outcome-measure", std::move(part)), a);
  }

  Value directory(rapidjson::kArrayType);
  directory.PushBack(b.integer("active-services", r.activeServices), a);
  directory.PushBack(b.integer("not-reviewed-six-months", r.staleServices), a);
  directory.PushBack(b.typed("reviewed-before", "valueDate", formatDate(r.staleBefore)), a);
  directory.PushBack(b.integer("places-total", r.placesTotal), a);
  directory.PushBack(b.integer("places-free", r.placesFree), a);
  directory.PushBack(b.integer("places-in-use", r.placesTotal - r.placesFree), a);
  directory.PushBack(b.integer("refused-no-place", r.refusals), a);
  directory.PushBack(b.integer("capacity-unknown", r.capacityUnknown), a);
  directory.PushBack(b.integer("not-yet-assured", r.notYetAssured), a);
  directory.PushBack(b.integer("never-reviewed", r.neverReviewed), a);
  directory.PushBack(b.integer("incomplete-entries", r.incompleteServices), a);
  params.PushBack(b.parts("directory", std::move(directory)), a);

  for (const ServiceCapacity& c : r.capacity) {
    Value part(rapidjson::kArrayType);
    part.PushBack(b.reference("service", "HealthcareService/" + c.id, c.name), a);
    part.PushBack(b.boolean("active", c.active), a);
    if (c.total) part.PushBack(b.integer("places-total", *c.total), a);
    if (c.free) part.PushBack(b.integer("places-free", *c.free), a);
    if (c.inUse) part.PushBack(b.integer("places-in-use", *c.inUse), a);
    if (!c.status.empty()) part.PushBack(b.typed("capacity-status", "valueCode", c.status), a);
    if (!c.lastReviewed.empty()) {
      part.PushBack(b.typed("last-reviewed", "valueDate", c.lastReviewed), a);
    }
    part.PushBack(b.boolean("not-reviewed-six-months", c.stale), a);
    part.PushBack(b.integer("referrals", c.referrals), a);
    part.PushBack(b.integer("refused-no-place", c.refusals), a);
    if (c.tier && !c.tier->empty()) {
      part.PushBack(b.typed("governance-tier", "valueCode", *c.tier), a);
    }
    part.PushBack(b.boolean("capacity-unknown", c.capacityUnknown), a);
    part.PushBack(b.boolean("not-yet-assured", c.notYetAssured), a);
    part.PushBack(b.boolean("never-reviewed", c.neverReviewed), a);
    params.PushBack(b.parts("capacity", std::move(part)), a);
  }

  doc.AddMember("parameter", params, a);
  return fhir::writeJson(doc);
}

}  // namespace sp::reports
