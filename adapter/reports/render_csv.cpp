// The impact report as CSV: one figure per row, so that a spreadsheet can pivot it.
#include <cctype>

#include "reports/csv.h"
#include "reports/render.h"
#include "reports/stats.h"

namespace sp::reports {
namespace {

std::string valueText(const Measure& m) {
  if (!m.value) return "";
  switch (m.kind) {
    case MeasureKind::kCount:
      return formatNumber(*m.value, 0);
    case MeasureKind::kPercent:
      return formatNumber(*m.value, 1);
    case MeasureKind::kDays:
      return formatNumber(*m.value, 2);
  }
  return "";
}

void row(std::string& out, const std::string& section, const std::string& group,
         const std::string& label, const std::string& measure, const std::string& value) {
  out += csvLine({csvText(section), csvText(group), csvText(label), csvText(measure), value});
}

void figures(std::string& out, const std::string& section, const std::string& group,
             const std::string& label, const Figures& f) {
  for (const Measure& m : measuresOf(f)) row(out, section, group, label, m.name, valueText(m));
}

std::string percentEncode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string reportQueryString(const ImpactReport& r) {
  std::string q = "period=" + percentEncode(r.period.text());
  const std::pair<const char*, const std::string*> filters[] = {{"locality", &r.filter.locality},
                                                                {"area", &r.filter.area},
                                                                {"route", &r.filter.route},
                                                                {"cohort", &r.filter.cohort},
                                                                {"service", &r.filter.service}};
  for (const auto& [name, value] : filters) {
    if (!value->empty()) q += std::string("&") + name + "=" + percentEncode(*value);
  }
  return q;
}

std::string impactCsvFileName(const ImpactReport& r) {
  return "impact-report-" + formatDate(r.period.first) + "-to-" + formatDate(r.period.last) +
         ".csv";
}

std::string impactCsv(const ImpactReport& r) {
  std::string out = csvLine({"section", "group", "label", "measure", "value"});
  row(out, "report", "", "Period", "period-start", formatDate(r.period.first));
  row(out, "report", "", "Period", "period-end", formatDate(r.period.last));
  row(out, "report", "", "Generated", "generated", r.generatedAt);
  const std::pair<const char*, const std::string*> filters[] = {{"locality", &r.filter.locality},
                                                                {"area", &r.filter.area},
                                                                {"route", &r.filter.route},
                                                                {"cohort", &r.filter.cohort},
                                                                {"service", &r.filter.service}};
  for (const auto& [name, value] : filters) {
    if (!value->empty())
      row(out, "report", "", "Filter", std::string("filter-") + name, csvText(*value));
  }
  figures(out, "summary", "", "All referrals counted", r.summary);
  for (const Breakdown& b : r.breakdowns) {
    for (const Group& g : b.groups) figures(out, b.name, g.key, g.label, g.figures);
  }
  const auto& buckets = dayBuckets();
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    row(out, "time-to-acceptance", buckets[i].label(), buckets[i].label(), "referrals",
        std::to_string(r.acceptanceDays[i]));
  }
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    row(out, "time-to-first-contact", buckets[i].label(), buckets[i].label(), "referrals",
        std::to_string(r.firstContactDays[i]));
  }
  for (const MeasureChange& m : r.outcomeMeasures) {
    const std::string& key = m.instrument.key;
    const std::string& label = m.instrument.label;
    row(out, "outcome-measure", key, label, "people", std::to_string(m.people));
    row(out, "outcome-measure", key, label, "mean-before",
        m.meanBefore ? formatNumber(*m.meanBefore, 2) : "");
    row(out, "outcome-measure", key, label, "mean-after",
        m.meanAfter ? formatNumber(*m.meanAfter, 2) : "");
    row(out, "outcome-measure", key, label, "mean-change",
        m.meanChange ? formatNumber(*m.meanChange, 2) : "");
    row(out, "outcome-measure", key, label, "improved", std::to_string(m.improved));
    row(out, "outcome-measure", key, label, "unchanged", std::to_string(m.unchanged));
    row(out, "outcome-measure", key, label, "worse", std::to_string(m.worse));
  }
  row(out, "directory", "", "Directory", "active-services", std::to_string(r.activeServices));
  row(out, "directory", "", "Directory", "not-reviewed-six-months",
      std::to_string(r.staleServices));
  row(out, "directory", "", "Directory", "places-total", std::to_string(r.placesTotal));
  row(out, "directory", "", "Directory", "places-free", std::to_string(r.placesFree));
  row(out, "directory", "", "Directory", "refused-no-place", std::to_string(r.refusals));
  row(out, "directory", "", "Directory", "capacity-unknown", std::to_string(r.capacityUnknown));
  row(out, "directory", "", "Directory", "not-yet-assured", std::to_string(r.notYetAssured));
  row(out, "directory", "", "Directory", "never-reviewed", std::to_string(r.neverReviewed));
  row(out, "directory", "", "Directory", "incomplete-entries",
      std::to_string(r.incompleteServices));
  for (const ServiceCapacity& c : r.capacity) {
    const auto n = [](const std::optional<std::int64_t>& v) {
      return v ? std::to_string(*v) : std::string();
    };
    row(out, "capacity", c.id, c.name, "active", c.active ? "true" : "false");
    row(out, "capacity", c.id, c.name, "places-total", n(c.total));
    row(out, "capacity", c.id, c.name, "places-free", n(c.free));
    row(out, "capacity", c.id, c.name, "places-in-use", n(c.inUse));
    row(out, "capacity", c.id, c.name, "capacity-status", csvText(c.status));
    row(out, "capacity", c.id, c.name, "last-reviewed", csvText(c.lastReviewed));
    row(out, "capacity", c.id, c.name, "not-reviewed-six-months", c.stale ? "true" : "false");
    row(out, "capacity", c.id, c.name, "referrals", std::to_string(c.referrals));
    row(out, "capacity", c.id, c.name, "refused-no-place", std::to_string(c.refusals));
    row(out, "capacity", c.id, c.name, "governance-tier", csvText(c.tier.value_or("")));
    row(out, "capacity", c.id, c.name, "capacity-unknown", c.capacityUnknown ? "true" : "false");
    row(out, "capacity", c.id, c.name, "not-yet-assured", c.notYetAssured ? "true" : "false");
    row(out, "capacity", c.id, c.name, "never-reviewed", c.neverReviewed ? "true" : "false");
  }
  return out;
}

}  // namespace sp::reports
