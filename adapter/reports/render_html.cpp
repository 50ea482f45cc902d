// The impact report as one HTML page for commissioners: a period and locality picker, the key
// figures, charts drawn as inline SVG, and tables. No scripts and no external resources (the
// server sends a Content-Security-Policy that forbids them).
#include <algorithm>

#include "reports/render.h"
#include "reports/stats.h"
#include "reports/svg_chart.h"

namespace sp::reports {
namespace {

constexpr const char* kStyle = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#1d2733;background:#f4f6f8}
header{background:#005eb8;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:26px}
header p{margin:0;opacity:.9}
main{padding:8px 28px 40px;max-width:1180px}
section{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:14px 18px;margin:16px 0}
h2{font-size:19px;margin:0 0 10px}
h3{font-size:16px;margin:14px 0 6px}
form{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-end}
label{display:flex;flex-direction:column;font-size:13px;font-weight:600;gap:3px}
input,select{font:inherit;font-weight:400;padding:4px 6px;border:1px solid #8a97a6;border-radius:4px}
button{font:inherit;padding:6px 16px;background:#007f3b;color:#fff;border:0;border-radius:4px;cursor:pointer}
.links a{margin-right:16px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{flex:1 1 150px;border-left:5px solid #005eb8;background:#f8fafc;padding:8px 12px}
.card .value{font-size:28px;font-weight:700}
.card .name{font-size:13px;color:#4c6272}
.warn{border-left-color:#d5281b}
table{border-collapse:collapse;font-size:14px;margin:6px 0}
th,td{border-bottom:1px solid #e3e7eb;padding:4px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}
thead th{background:#eef2f5}
.chart text{font-size:13px;fill:#1d2733}
.chart .value{fill:#4c6272}
.bar{fill:#005eb8}.bar-route{fill:#005eb8}.bar-cohort{fill:#330072}.bar-days{fill:#007f3b}
.bar-contact{fill:#768692}.bar-used{fill:#d5281b}.bar-free{fill:#78be20}
.bar-rural{fill:#7c2855}.bar-urban{fill:#00a499}
.axis{stroke:#8a97a6}
.stale{color:#d5281b;font-weight:600}
.error{border-left:5px solid #d5281b;padding:8px 12px;background:#fff4f2}
.note{font-size:13px;color:#4c6272}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
)css";

std::string text(const Measure& m) {
  if (!m.value) return "-";
  switch (m.kind) {
    case MeasureKind::kCount:
      return formatNumber(*m.value, 0);
    case MeasureKind::kPercent:
      return formatNumber(*m.value, 1) + "%";
    case MeasureKind::kDays:
      return formatNumber(*m.value, 1);
  }
  return "-";
}

std::string raw(const Measure& m) {
  return m.value ? formatNumber(*m.value, m.kind == MeasureKind::kCount ? 0 : 3) : "";
}

const Measure* find(const std::vector<Measure>& all, const std::string& name) {
  for (const auto& m : all) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

// A table cell carrying a figure: data-measure and data-value for machines, text for people.
std::string cell(const Measure& m, const std::string& idPrefix) {
  std::string id = idPrefix.empty() ? "" : " id=\"" + htmlEscape(idPrefix + m.name) + "\"";
  return "<td" + id + " data-measure=\"" + htmlEscape(m.name) + "\" data-value=\"" + raw(m) +
         "\">" + htmlEscape(text(m)) + "</td>";
}

std::string option(const std::string& value, const std::string& label, const std::string& chosen) {
  return "<option value=\"" + htmlEscape(value) + "\"" + (value == chosen ? " selected" : "") +
         ">" + htmlEscape(label) + "</option>";
}

std::string picker(const ImpactReport& r, const PageOptions& o) {
  std::string h = "<form method=\"get\" action=\"" + htmlEscape(o.basePath) + "\">";
  h += "<label>From<input type=\"date\" name=\"from\" value=\"" + formatDate(r.period.first) +
       "\" required></label>";
  h += "<label>To<input type=\"date\" name=\"to\" value=\"" + formatDate(r.period.last) +
       "\" required></label>";
  h +=
      "<label>Locality<select name=\"locality\">" + option("", "All localities", r.filter.locality);
  if (o.places) {
    for (const auto& l : o.places->localities()) h += option(l, l, r.filter.locality);
  }
  h += option(kUnknownPlace, "Not known", r.filter.locality) + "</select></label>";
  h += "<label>Area<select name=\"area\">" + option("", "Rural and urban", r.filter.area) +
       option("rural", "Rural", r.filter.area) + option("urban", "Urban", r.filter.area) +
       option(kUnknownPlace, "Not known", r.filter.area) + "</select></label>";
  h += "<label>Route<select name=\"route\">" + option("", "All routes", r.filter.route);
  for (const auto& t : referralRoutes()) h += option(t.code, t.label, r.filter.route);
  h += "</select></label>";
  h += "<label>Cohort<select name=\"cohort\">" + option("", "All cohorts", r.filter.cohort);
  for (const auto& t : priorityCohorts()) h += option(t.code, t.label, r.filter.cohort);
  h += "</select></label>";
  h += "<label>Service<select name=\"service\">" + option("", "All services", r.filter.service);
  for (const auto& c : r.capacity) h += option(c.id, c.name, r.filter.service);
  if (!r.filter.service.empty() && r.capacity.empty()) {
    h += option(r.filter.service, r.filter.service, r.filter.service);
  }
  h += "</select></label><button type=\"submit\">Show</button></form>";
  const std::string query = htmlEscape(reportQueryString(r));
  h += "<p class=\"links\"><a id=\"csv-link\" href=\"" + htmlEscape(o.basePath) + ".csv?" + query +
       "\" download>Download the figures (CSV)</a><a id=\"fhir-link\" href=\"/$impact-report?" +
       query + "\">The same as FHIR Parameters</a></p>";
  return h;
}

std::string cards(const ImpactReport& r) {
  const auto all = measuresOf(r.summary);
  const std::pair<const char*, bool> shown[] = {
      {"referrals", false},
      {"people", false},
      {"acceptance-rate", false},
      {"time-to-acceptance-median", false},
      {"time-to-acceptance-p90", false},
      {"time-to-first-contact-median", false},
      {"outcome-completed", false},
      {"refused-no-capacity", true},
  };
  std::string h = "<div class=\"cards\">";
  for (const auto& [name, warn] : shown) {
    const Measure* m = find(all, name);
    if (!m) continue;
    h += std::string("<div class=\"card") + (warn ? " warn" : "") +
         "\"><div class=\"value\" id=\"card-" + m->name + "\" data-value=\"" + raw(*m) + "\">" +
         htmlEscape(text(*m)) + "</div><div class=\"name\">" + htmlEscape(m->label) +
         "</div></div>";
  }
  return h + "</div>";
}

std::string bars(const Breakdown& b, const std::string& id, const std::string& cls) {
  std::vector<Bar> rows;
  for (const auto& g : b.groups) {
    const double n = static_cast<double>(g.figures.referrals);
    rows.push_back({g.label,
                    {{n, cls, g.label + ": " + formatNumber(n, 0) + " referrals"}},
                    formatNumber(n, 0)});
  }
  return horizontalBarChart(id, b.title + ": referrals", rows);
}

// A table of chosen measures, one row per group.
std::string breakdownTable(const Breakdown& b, const std::vector<std::string>& names) {
  const std::string header = b.name == "route"      ? "Route"
                             : b.name == "cohort"   ? "Priority cohort"
                             : b.name == "locality" ? "Locality"
                             : b.name == "area"     ? "Area"
                             : b.name == "service"  ? "Service"
                                                    : b.title;
  std::string h = "<table id=\"table-" + htmlEscape(b.name) + "\"><thead><tr><th>" +
                  htmlEscape(header) + "</th>";
  const auto labels = measuresOf(Figures{});
  for (const auto& n : names) {
    const Measure* m = find(labels, n);
    h += "<th>" + htmlEscape(m ? m->label : n) + "</th>";
  }
  h += "</tr></thead><tbody>";
  for (const auto& g : b.groups) {
    const auto all = measuresOf(g.figures);
    h += "<tr data-group=\"" + htmlEscape(g.key) + "\"><td>" + htmlEscape(g.label) + "</td>";
    for (const auto& n : names) {
      const Measure* m = find(all, n);
      h += m ? cell(*m, "") : "<td></td>";
    }
    h += "</tr>";
  }
  return h + "</tbody></table>";
}

std::string distribution(const std::vector<std::int64_t>& counts, const std::string& id,
                         const std::string& title, const std::string& cls) {
  std::vector<Bar> columns;
  const auto& buckets = dayBuckets();
  for (std::size_t i = 0; i < buckets.size() && i < counts.size(); ++i) {
    const double n = static_cast<double>(counts[i]);
    columns.push_back({buckets[i].label(),
                       {{n, cls, buckets[i].label() + ": " + formatNumber(n, 0) + " referrals"}},
                       formatNumber(n, 0)});
  }
  return columnChart(id, title, columns);
}

std::string capacitySection(const ImpactReport& r) {
  std::string h = "<section id=\"capacity\"><h2>Capacity and the directory now</h2>";
  h += "<p>" + formatNumber(static_cast<double>(r.placesFree), 0) + " of " +
       formatNumber(static_cast<double>(r.placesTotal), 0) +
       " places free across <span id=\"fig-active-services\" data-value=\"" +
       std::to_string(r.activeServices) + "\">" + std::to_string(r.activeServices) +
       "</span> active services. <span class=\"stale\" id=\"fig-not-reviewed-six-months\" "
       "data-value=\"" +
       std::to_string(r.staleServices) + "\">" + std::to_string(r.staleServices) +
       "</span> not reviewed since " + htmlEscape(formatLongDate(r.staleBefore)) + ". " +
       "<span id=\"fig-refused-no-place\" data-value=\"" + std::to_string(r.refusals) + "\">" +
       std::to_string(r.refusals) +
       "</span> requests refused at once in the period for want of a place (no waiting lists).</p>";
  const auto figure = [](const char* id, std::int64_t value) {
    return "<span id=\"fig-" + std::string(id) + "\" data-value=\"" + std::to_string(value) +
           "\">" + std::to_string(value) + "</span>";
  };
  h += "<p id=\"directory-quality\">Entries held without the hub's details: " +
       figure("incomplete-entries", r.incompleteServices) + " active services, of which " +
       figure("capacity-unknown", r.capacityUnknown) +
       " with capacity unknown (never offered as "
       "having a free place), " +
       figure("not-yet-assured", r.notYetAssured) + " not yet assured (no governance tier) and " +
       figure("never-reviewed", r.neverReviewed) + " never reviewed.</p>";
  std::vector<Bar> rows;
  for (const auto& c : r.capacity) {
    if (!c.active || !c.total || !c.free) continue;
    const double used = static_cast<double>(c.inUse.value_or(0));
    const double free = static_cast<double>(std::min(*c.free, *c.total));
    rows.push_back({c.name,
                    {{used, "bar-used", c.name + ": " + formatNumber(used, 0) + " places in use"},
                     {free, "bar-free", c.name + ": " + formatNumber(free, 0) + " places free"}},
                    formatNumber(free, 0) + " free of " + std::to_string(*c.total)});
  }
  if (!rows.empty()) {
    h += "<p class=\"legend\"><span class=\"bar-used\" style=\"background:#d5281b\"></span>in use"
         "<span style=\"background:#78be20\"></span>free</p>";
    h += horizontalBarChart("chart-capacity", "Places in use and free per service", rows);
  }
  h += "<table id=\"table-capacity\"><thead><tr><th>Service</th><th>Places</th><th>Free</th>"
       "<th>In use</th><th>Status</th><th>Referrals counted</th><th>Refused, no place</th>"
       "<th>Last reviewed</th><th>Tier</th></tr>"
       "</thead><tbody>";
  const auto n = [](const std::optional<std::int64_t>& v) {
    return v ? std::to_string(*v) : std::string("-");
  };
  for (const auto& c : r.capacity) {
    h += "<tr data-group=\"" + htmlEscape(c.id) + "\"><td>" + htmlEscape(c.name) +
         (c.active ? "" : " (inactive)") + "</td><td data-measure=\"places-total\">" + n(c.total) +
         "</td><td data-measure=\"places-free\">" + n(c.free) +
         "</td><td data-measure=\"places-in-use\">" + n(c.inUse) + "</td><td>" +
         htmlEscape(c.capacityUnknown  ? "unknown"
                    : c.status.empty() ? "-"
                                       : c.status) +
         "</td><td data-measure=\"referrals\">" + std::to_string(c.referrals) +
         "</td><td data-measure=\"refused-no-place\">" + std::to_string(c.refusals) +
         "</td><td data-measure=\"last-reviewed\"" + (c.stale ? " class=\"stale\"" : "") + ">" +
         htmlEscape(c.lastReviewed.empty() ? "never" : c.lastReviewed) +
         (c.stale ? " (over six months)" : "") + "</td><td data-measure=\"governance-tier\">" +
         htmlEscape(c.tier ? (c.tier->empty() ? "-" : *c.tier) : "not yet assured") + "</td></tr>";
  }
  return h + "</tbody></table></section>";
}

std::string outcomeMeasures(const ImpactReport& r) {
  std::string h =
      "<section id=\"outcome-measures\"><h2>Wellbeing before and after</h2><p class=\"note\">"
      "People referred in the period with a score before (from " +
      std::to_string(kBaselineWindowDays) +
      " days before their referral) and a later one. Change is the later score minus the "
      "first.</p><table id=\"table-outcome-measures\"><thead><tr><th>Measure</th><th>People</th>"
      "<th>Mean before</th><th>Mean after</th><th>Mean change</th><th>Better</th><th>Same</th>"
      "<th>Worse</th></tr></thead><tbody>";
  const auto d = [](const std::optional<double>& v) { return formatNumber(v, 1); };
  for (const auto& m : r.outcomeMeasures) {
    h += "<tr data-group=\"" + htmlEscape(m.instrument.key) + "\"><td>" +
         htmlEscape(m.instrument.label) + "</td><td data-measure=\"people\">" +
         std::to_string(m.people) + "</td><td data-measure=\"mean-before\">" + d(m.meanBefore) +
         "</td><td data-measure=\"mean-after\">" + d(m.meanAfter) +
         "</td><td data-measure=\"mean-change\">" + d(m.meanChange) +
         "</td><td data-measure=\"improved\">" + std::to_string(m.improved) +
         "</td><td data-measure=\"unchanged\">" + std::to_string(m.unchanged) +
         "</td><td data-measure=\"worse\">" + std::to_string(m.worse) + "</td></tr>";
  }
  return h + "</tbody></table></section>";
}

// A service as people know it: its name from the directory, its id only when it has none there.
std::string serviceName(const ImpactReport& r, const std::string& id) {
  for (const auto& c : r.capacity) {
    if (c.id == id && !c.name.empty()) return c.name;
  }
  return id;
}

std::string filterText(const ImpactReport& r) {
  std::string t;
  const auto add = [&](const std::string& s) { t += (t.empty() ? "" : ", ") + s; };
  if (!r.filter.locality.empty())
    add(r.filter.locality == kUnknownPlace ? "locality not known" : r.filter.locality);
  if (!r.filter.area.empty()) add(r.filter.area + " areas");
  if (!r.filter.route.empty()) add("route: " + routeLabel(r.filter.route));
  if (!r.filter.cohort.empty()) add("cohort: " + cohortLabel(r.filter.cohort));
  if (!r.filter.service.empty()) add("service: " + serviceName(r, r.filter.service));
  return t.empty() ? "all referrals" : t;
}

}  // namespace

std::string htmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string impactHtml(const ImpactReport& r, const PageOptions& o) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>Social prescribing: measures of impact</title><style>";
  h += kStyle;
  h += "</style></head><body><header><h1>Social prescribing: measures of impact</h1><p "
       "id=\"period\" "
       "data-start=\"" +
       formatDate(r.period.first) + "\" data-end=\"" + formatDate(r.period.last) +
       "\">Referrals made " + htmlEscape(r.period.describe()) + " &middot; " +
       htmlEscape(filterText(r)) + " &middot; figures as at " + htmlEscape(r.generatedAt) +
       "</p></header><main>";
  h += "<section id=\"picker\"><h2>Period and place</h2>" + picker(r, o) + "</section>";
  if (!o.error.empty()) {
    return h + "<section><p class=\"error\" id=\"error\">" + htmlEscape(o.error) +
           "</p></section></main></body></html>\n";
  }
  h += "<section id=\"summary\"><h2>In short</h2>" + cards(r) + "</section>";

  const auto all = measuresOf(r.summary);
  h += "<section id=\"referrals\"><h2>Referrals in</h2>";
  if (const Breakdown* b = r.breakdown("route"))
    h += "<h3>By route</h3>" + bars(*b, "chart-route", "bar-route");
  if (const Breakdown* b = r.breakdown("cohort")) {
    h += "<h3>By priority cohort</h3><p class=\"note\">A referral naming several needs counts "
         "under each.</p>" +
         bars(*b, "chart-cohort", "bar-cohort");
  }
  h += "</section>";

  h += "<section id=\"timeliness\"><h2>How quickly people are seen</h2>";
  h += "<h3>Days from referral to acceptance</h3>" +
       distribution(r.acceptanceDays, "chart-acceptance", "Days from referral to acceptance",
                    "bar-days");
  h += "<h3>Days from referral to first contact</h3>" +
       distribution(r.firstContactDays, "chart-first-contact",
                    "Days from referral to first contact", "bar-contact");
  h += "</section>";

  h += "<section id=\"equity\"><h2>Equity: rural and urban</h2>";
  const std::vector<std::string> equity = {"referrals",
                                           "people",
                                           "acceptance-rate",
                                           "time-to-acceptance-median",
                                           "time-to-acceptance-p90",
                                           "time-to-first-contact-median",
                                           "completion-rate",
                                           "refused-no-capacity"};
  if (const Breakdown* b = r.breakdown("area")) {
    std::vector<Bar> rows;
    for (const auto& g : b->groups) {
      const double n = static_cast<double>(g.figures.referrals);
      rows.push_back({g.label,
                      {{n,
                        g.key == "rural"   ? "bar-rural"
                        : g.key == "urban" ? "bar-urban"
                                           : "bar",
                        g.label + ": " + formatNumber(n, 0) + " referrals"}},
                      formatNumber(n, 0)});
    }
    h += horizontalBarChart("chart-area", "Referrals by rural and urban area", rows);
    h += breakdownTable(*b, equity);
  }
  if (const Breakdown* b = r.breakdown("locality")) {
    h += "<h3>By locality</h3>" + breakdownTable(*b, equity);
  }
  h += "</section>";

  h += "<section id=\"outcomes\"><h2>What happened to the referrals</h2>";
  h += "<table id=\"table-summary\"><thead><tr><th>Figure</th><th>All referrals counted</th></tr>"
       "</thead><tbody>";
  for (const auto& m : all) {
    h += "<tr><td>" + htmlEscape(m.label) + "</td>" + cell(m, "fig-") + "</tr>";
  }
  h += "</tbody></table>";
  if (const Breakdown* b = r.breakdown("route")) {
    h += "<h3>By route</h3>" +
         breakdownTable(*b, {"referrals", "accepted", "rejected", "outcome-completed",
                             "acceptance-rate", "time-to-acceptance-median"});
  }
  if (const Breakdown* b = r.breakdown("cohort")) {
    h += "<h3>By priority cohort</h3>" +
         breakdownTable(*b, {"referrals", "people", "accepted", "rejected", "outcome-completed",
                             "time-to-acceptance-median"});
  }
  if (const Breakdown* b = r.breakdown("service")) {
    h += "<h3>By service</h3>" +
         breakdownTable(*b, {"referrals", "accepted", "rejected", "rejected-no-capacity",
                             "outcome-completed", "time-to-acceptance-median"});
  }
  h += "</section>";
  h += outcomeMeasures(r);
  h += capacitySection(r);
  h += "<p class=\"note\">Counted from the referrals (ServiceRequests) and their Tasks as stored "
       "now: nothing is typed in twice. Days are UK calendar days; a referral's place is the "
       "postcode of the person's address. Medians and 90th percentiles interpolate between "
       "referrals.</p></main></body></html>\n";
  return h;
}

}  // namespace sp::reports
