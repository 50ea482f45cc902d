// Small SVG charts drawn as text, for the report page: no scripts, no fonts to fetch, sized in
// CSS pixels, readable by screen readers (role img, a title and a description). Pure;
// thread-safe.
#pragma once

#include <string>
#include <vector>

namespace sp::reports {

struct Segment {
  double value = 0;
  std::string cssClass;  // colour, from the page's stylesheet ("bar", "bar-free", ...)
  std::string title;     // tooltip text
};

struct Bar {
  std::string label;
  std::vector<Segment> segments;  // drawn left to right (one for a plain bar)
  std::string valueText;          // written after the bar
};

// Horizontal bars, one row per bar, scaled to the largest total (or `scaleMax` when larger).
std::string horizontalBarChart(const std::string& id, const std::string& title,
                               const std::vector<Bar>& bars, double scaleMax = 0);

// Vertical columns with their label below and value above (a distribution).
std::string columnChart(const std::string& id, const std::string& title,
                        const std::vector<Bar>& columns);

}  // namespace sp::reports
