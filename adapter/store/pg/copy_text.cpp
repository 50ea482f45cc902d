#include "store/pg/copy_text.h"

#include <charconv>
#include <stdexcept>
#include <system_error>

namespace sp::store::pg {

std::string withLiterals(std::string_view sql, const std::vector<std::string>& literals) {
  std::string out;
  out.reserve(sql.size() + 256);
  for (std::size_t i = 0; i < sql.size();) {
    if (sql[i] != '$' || i + 1 >= sql.size() || sql[i + 1] < '1' || sql[i + 1] > '9') {
      out += sql[i++];
      continue;
    }
    std::size_t n = 0, j = i + 1;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
    if (n > literals.size()) {
      throw std::invalid_argument("no literal for $" + std::to_string(n));
    }
    out += literals[n - 1];
    i = j;
  }
  return out;
}

namespace {

// `raw` with its backslash escapes decoded, copied in runs between them.
void decodeInto(std::string_view raw, std::string& field) {
  std::size_t escape = raw.find('\\');
  if (escape == std::string_view::npos) {
    field.assign(raw.data(), raw.size());
    return;
  }
  field.clear();
  std::size_t from = 0;
  while (escape != std::string_view::npos && escape + 1 < raw.size()) {
    field.append(raw.data() + from, escape - from);
    switch (const char c = raw[escape + 1]) {
      case 'b':
        field += '\b';
        break;
      case 'f':
        field += '\f';
        break;
      case 'n':
        field += '\n';
        break;
      case 'r':
        field += '\r';
        break;
      case 't':
        field += '\t';
        break;
      case 'v':
        field += '\v';
        break;
      default:
        field += c;
        break;  // \\ and an escaped delimiter
    }
    from = escape + 2;
    escape = raw.find('\\', from);
  }
  field.append(raw.data() + from, raw.size() - from);  // a lone final backslash stays
}

}  // namespace

void CopyTextRow::parse(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  count_ = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', start);
    const std::string_view raw =
        line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start);
    if (count_ == fields_.size()) {
      fields_.emplace_back();
      nulls_.push_back(false);
    }
    std::string& field = fields_[count_];
    nulls_[count_] = raw == "\\N";
    if (nulls_[count_]) {
      field.clear();
    } else {
      decodeInto(raw, field);
    }
    ++count_;
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
}

const std::string& CopyTextRow::text(std::size_t field) const {
  static const std::string kEmpty;
  return isNull(field) ? kEmpty : fields_[field];
}

std::int64_t CopyTextRow::integer(std::size_t field, std::int64_t otherwise) const {
  if (isNull(field)) return otherwise;
  const std::string& s = fields_[field];
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || error != std::errc() || end != s.data() + s.size()) {
    throw std::invalid_argument("not an integer: " + s);
  }
  return value;
}

bool CopyTextRow::boolean(std::size_t field) const {
  return !isNull(field) && fields_[field] == "t";
}

}  // namespace sp::store::pg
