// The text format of COPY ... TO STDOUT, for reading a query's rows as PostgreSQL makes them
// (the impact report streams its hundred thousand referral rows this way, so that the server
// parses each row while PostgreSQL is still making the next, instead of waiting for the whole
// result). COPY takes no parameters, so the query's $n are replaced by SQL literals first.
// Pure; no libpqxx.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sp::store::pg {

// `sql` with each $n (n from 1) replaced by literals[n - 1], which must already be SQL literals
// (numbers, or strings quoted by the connection). Throws std::invalid_argument for a $n
// without a literal.
std::string withLiterals(std::string_view sql, const std::vector<std::string>& literals);

// One row of COPY text: fields separated by tabs, \N for null, backslash escapes (\t, \n, \\,
// ...) decoded. Reused from row to row to keep its buffers.
class CopyTextRow {
 public:
  // Reads one line (with or without its final newline).
  void parse(std::string_view line);
  std::size_t size() const { return count_; }
  bool isNull(std::size_t field) const { return field >= count_ || nulls_[field]; }
  // The text of a field, "" for null or missing.
  const std::string& text(std::size_t field) const;
  // An integer field, `otherwise` for null; throws std::invalid_argument when it is no integer.
  std::int64_t integer(std::size_t field, std::int64_t otherwise = 0) const;
  // A boolean field ("t"), false for null.
  bool boolean(std::size_t field) const;

 private:
  std::vector<std::string> fields_;
  std::vector<bool> nulls_;
  std::size_t count_ = 0;
};

}  // namespace sp::store::pg
