// CSV (RFC 4180) reading for the small data tables the reports load, and writing for the
// report download. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sp::reports {

struct CsvRow {
  int line = 0;  // 1-based line where the row starts
  std::vector<std::string> fields;
};

// Splits CSV text into rows: fields separated by commas, optionally in double quotes (a quote
// inside written twice; quoted fields may hold commas and line breaks). CRLF and LF both end a
// row. Lines whose first character is `comment` (when not '\0') are skipped. Throws
// std::invalid_argument naming the line for an unterminated quote or text after a closing one.
std::vector<CsvRow> parseCsv(std::string_view text, char comment = '\0');

// One field for writing: quoted when it holds a comma, quote, or line break. Text that a
// spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) gets a
// leading apostrophe, so a name typed by a partner can never become a formula; numbers are
// written with csvNumber instead and are never touched.
std::string csvText(std::string_view value);
// A row of already formatted fields, ended by CRLF.
std::string csvLine(const std::vector<std::string>& fields);

}  // namespace sp::reports
