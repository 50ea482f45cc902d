#include "reports/svg_chart.h"

#include <algorithm>
#include <cstdio>

#include "reports/render.h"

namespace sp::reports {
namespace {

std::string num(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  return buffer;
}

double totalOf(const Bar& bar) {
  double t = 0;
  for (const auto& s : bar.segments) t += std::max(0.0, s.value);
  return t;
}

std::string open(const std::string& id, const std::string& title, int width, int height) {
  return "<svg id=\"" + htmlEscape(id) + "\" class=\"chart\" role=\"img\" aria-labelledby=\"" +
         htmlEscape(id) + "-title\" width=\"" + std::to_string(width) + "\" height=\"" +
         std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) + " " +
         std::to_string(height) + "\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"" +
         htmlEscape(id) + "-title\">" + htmlEscape(title) + "</title>";
}

}  // namespace

std::string horizontalBarChart(const std::string& id, const std::string& title,
                               const std::vector<Bar>& bars, double scaleMax) {
  constexpr int kWidth = 720, kLabel = 230, kBarArea = 380, kRow = 26, kTop = 6;
  double max = scaleMax;
  for (const auto& b : bars) max = std::max(max, totalOf(b));
  const int height = kTop * 2 + kRow * static_cast<int>(std::max<std::size_t>(bars.size(), 1));
  std::string svg = open(id, title, kWidth, height);
  int y = kTop;
  for (const auto& b : bars) {
    svg += "<g class=\"row\"><text class=\"label\" x=\"" + std::to_string(kLabel - 8) + "\" y=\"" +
           std::to_string(y + 17) + "\" text-anchor=\"end\">" + htmlEscape(b.label) + "</text>";
    double x = kLabel;
    for (const auto& s : b.segments) {
      const double w = max > 0 ? std::max(0.0, s.value) / max * kBarArea : 0;
      svg += "<rect class=\"" + htmlEscape(s.cssClass.empty() ? "bar" : s.cssClass) + "\" x=\"" +
             num(x) + "\" y=\"" + std::to_string(y + 4) + "\" width=\"" + num(w) +
             "\" height=\"18\"><title>" + htmlEscape(s.title) + "</title></rect>";
      x += w;
    }
    svg += "<text class=\"value\" x=\"" + num(x + 6) + "\" y=\"" + std::to_string(y + 17) + "\">" +
           htmlEscape(b.valueText) + "</text></g>";
    y += kRow;
  }
  return svg + "</svg>";
}

std::string columnChart(const std::string& id, const std::string& title,
                        const std::vector<Bar>& columns) {
  constexpr int kColumn = 80, kPlot = 160, kTop = 22, kBottom = 28;
  const int width = std::max<int>(kColumn * static_cast<int>(columns.size()), kColumn) + 20;
  const int height = kTop + kPlot + kBottom;
  double max = 0;
  for (const auto& c : columns) max = std::max(max, totalOf(c));
  std::string svg = open(id, title, width, height);
  svg += "<line class=\"axis\" x1=\"10\" y1=\"" + std::to_string(kTop + kPlot) + "\" x2=\"" +
         std::to_string(width - 10) + "\" y2=\"" + std::to_string(kTop + kPlot) + "\"/>";
  int x = 10;
  for (const auto& c : columns) {
    const double h = max > 0 ? totalOf(c) / max * kPlot : 0;
    const double top = kTop + kPlot - h;
    const std::string cls =
        c.segments.empty() || c.segments[0].cssClass.empty() ? "bar" : c.segments[0].cssClass;
    const std::string tip = c.segments.empty() ? c.valueText : c.segments[0].title;
    svg += "<g class=\"column\"><rect class=\"" + htmlEscape(cls) + "\" x=\"" +
           std::to_string(x + 12) + "\" y=\"" + num(top) + "\" width=\"" +
           std::to_string(kColumn - 24) + "\" height=\"" + num(h) + "\"><title>" + htmlEscape(tip) +
           "</title></rect>";
    svg += "<text class=\"value\" x=\"" + std::to_string(x + kColumn / 2) + "\" y=\"" +
           num(top - 5) + "\" text-anchor=\"middle\">" + htmlEscape(c.valueText) + "</text>";
    svg += "<text class=\"label\" x=\"" + std::to_string(x + kColumn / 2) + "\" y=\"" +
           std::to_string(kTop + kPlot + 18) + "\" text-anchor=\"middle\">" + htmlEscape(c.label) +
           "</text></g>";
    x += kColumn;
  }
  return svg + "</svg>";
}

}  // namespace sp::reports
