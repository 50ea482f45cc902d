#include "reports/csv.h"

#include <stdexcept>

namespace sp::reports {

std::vector<CsvRow> parseCsv(std::string_view text, char comment) {
  std::vector<CsvRow> rows;
  std::size_t i = 0;
  int line = 1;
  while (i < text.size()) {
    const int rowLine = line;
    if (comment != '\0' && text[i] == comment) {
      while (i < text.size() && text[i] != '\n') ++i;
      if (i < text.size()) ++i;
      ++line;
      continue;
    }
    CsvRow row;
    row.line = rowLine;
    std::string field;
    bool quoted = false;
    bool afterQuote = false;
    for (;;) {
      if (i >= text.size()) {
        if (quoted) {
          throw std::invalid_argument("line " + std::to_string(rowLine) +
                                      ": a quoted field is not closed");
        }
        row.fields.push_back(std::move(field));
        break;
      }
      const char c = text[i++];
      if (quoted) {
        if (c == '"') {
          if (i < text.size() && text[i] == '"') {
            field += '"';
            ++i;
          } else {
            quoted = false;
            afterQuote = true;
          }
        } else {
          if (c == '\n') ++line;
          field += c;
        }
        continue;
      }
      if (c == ',') {
        row.fields.push_back(std::move(field));
        field.clear();
        afterQuote = false;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i < text.size() && text[i] == '\n') ++i;
        ++line;
        row.fields.push_back(std::move(field));
        break;
      } else if (c == '"' && field.empty() && !afterQuote) {
        quoted = true;
      } else if (afterQuote) {
        throw std::invalid_argument("line " + std::to_string(line) +
                                    ": text after the closing quote of a field");
      } else {
        field += c;
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string csvText(std::string_view value) {
  std::string v(value);
  if (!v.empty() &&
      (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r')) {
    v.insert(v.begin(), '\'');
  }
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csvLine(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += fields[i];
  }
  return out + "\r\n";
}

}  // namespace sp::reports
