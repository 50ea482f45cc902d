// String functions (spec 5.6 and the R4 STU trim/split/join): indexOf substring startsWith
// endsWith contains upper lower replace matches replaceMatches length toChars trim split join.
// Positions and lengths count Unicode code points (UTF-8); upper()/lower() change ASCII letters
// only. Regular expressions use ECMAScript syntax (see regex.h); matches() succeeds when the
// pattern matches anywhere in the string.
#include <cctype>
#include <regex>

#include "fhirpath/errors.h"
#include "fhirpath/function_registry.h"
#include "fhirpath/regex.h"
#include "fhirpath/system_value.h"

namespace sp::fhirpath {
namespace {

// Byte offsets where each code point starts, plus the total size at the end.
std::vector<std::size_t> codePointStarts(const std::string& s) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  starts.push_back(s.size());
  return starts;
}

std::int64_t codePointIndex(const std::string& s, std::size_t byteOffset) {
  std::int64_t n = 0;
  for (std::size_t i = 0; i < byteOffset && i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++n;
  }
  return n;
}

Collection indexOf(const CallContext& c) {
  const auto s = c.inputString();
  const auto sub = c.stringArg(0);
  if (!s || !sub) return {};
  const auto pos = s->find(*sub);
  return {integerNode(pos == std::string::npos ? -1 : codePointIndex(*s, pos))};
}

Collection substring(const CallContext& c) {
  const auto s = c.inputString();
  const auto start = c.integerArg(0);
  if (!s || !start) return {};
  const auto starts = codePointStarts(*s);
  const std::int64_t length = static_cast<std::int64_t>(starts.size()) - 1;
  if (*start < 0 || *start >= length) return {};
  std::int64_t end = length;
  if (c.argCount() > 1) {
    if (const auto count = c.integerArg(1)) {
      if (*count <= 0) return {stringNode("")};
      if (*count < length - *start) end = *start + *count;
    }
  }
  const std::size_t from = starts[static_cast<std::size_t>(*start)];
  const std::size_t to = starts[static_cast<std::size_t>(end)];
  return {stringNode(s->substr(from, to - from))};
}

Collection startsWith(const CallContext& c) {
  const auto s = c.inputString();
  const auto prefix = c.stringArg(0);
  if (!s || !prefix) return {};
  return {booleanNode(s->compare(0, prefix->size(), *prefix) == 0)};
}

Collection endsWith(const CallContext& c) {
  const auto s = c.inputString();
  const auto suffix = c.stringArg(0);
  if (!s || !suffix) return {};
  return {booleanNode(s->size() >= suffix->size() &&
                      s->compare(s->size() - suffix->size(), suffix->size(), *suffix) == 0)};
}

Collection containsFunction(const CallContext& c) {
  const auto s = c.inputString();
  const auto sub = c.stringArg(0);
  if (!s || !sub) return {};
  return {booleanNode(s->find(*sub) != std::string::npos)};
}

template <int (*kMap)(int)>
Collection mapCase(const CallContext& c) {
  auto s = c.inputString();
  if (!s) return {};
  for (char& ch : *s) {
    if (static_cast<unsigned char>(ch) < 0x80) ch = static_cast<char>(kMap(ch));
  }
  return {stringNode(std::move(*s))};
}

int toUpper(int c) { return std::toupper(c); }
int toLower(int c) { return std::tolower(c); }

Collection replace(const CallContext& c) {
  const auto s = c.inputString();
  const auto pattern = c.stringArg(0);
  const auto substitution = c.stringArg(1);
  if (!s || !pattern || !substitution) return {};
  std::string out;
  if (pattern->empty()) {
    const auto starts = codePointStarts(*s);
    for (std::size_t i = 0; i + 1 < starts.size(); ++i) {
      out += *substitution;
      out.append(*s, starts[i], starts[i + 1] - starts[i]);
    }
    out += *substitution;
    return {stringNode(std::move(out))};
  }
  std::size_t from = 0;
  for (auto pos = s->find(*pattern); pos != std::string::npos; pos = s->find(*pattern, from)) {
    out.append(*s, from, pos - from);
    out += *substitution;
    from = pos + pattern->size();
  }
  out.append(*s, from, std::string::npos);
  return {stringNode(std::move(out))};
}

// The call's compiled literal pattern, or argument 0 compiled now; nullopt when it is empty.
std::optional<std::shared_ptr<const CompiledRegex>> pattern(const CallContext& c) {
  if (c.call.regex) return c.call.regex;
  const auto text = c.stringArg(0);
  if (!text) return std::nullopt;
  try {
    return compileRegex(*text);
  } catch (const std::regex_error&) {
    throw FhirPathEvaluationError("invalid regular expression '" + *text + "'");
  }
}

Collection matches(const CallContext& c) {
  const auto s = c.inputString();
  if (!s) return {};
  const auto re = pattern(c);
  if (!re) return {};
  return {booleanNode(regexFound(**re, *s))};
}

Collection replaceMatches(const CallContext& c) {
  const auto s = c.inputString();
  if (!s) return {};
  const auto re = pattern(c);
  const auto substitution = c.stringArg(1);
  if (!re || !substitution) return {};
  return {stringNode(regexReplace(**re, *s, *substitution))};
}

Collection length(const CallContext& c) {
  const auto s = c.inputString();
  if (!s) return {};
  return {integerNode(static_cast<std::int64_t>(codePointStarts(*s).size()) - 1)};
}

Collection toChars(const CallContext& c) {
  const auto s = c.inputString();
  if (!s) return {};
  const auto starts = codePointStarts(*s);
  Collection out;
  for (std::size_t i = 0; i + 1 < starts.size(); ++i) {
    out.push_back(stringNode(s->substr(starts[i], starts[i + 1] - starts[i])));
  }
  return out;
}

Collection trim(const CallContext& c) {
  const auto s = c.inputString();
  if (!s) return {};
  const auto isSpace = [](char ch) { return std::isspace(static_cast<unsigned char>(ch)) != 0; };
  std::size_t begin = 0;
  std::size_t end = s->size();
  while (begin < end && isSpace((*s)[begin])) ++begin;
  while (end > begin && isSpace((*s)[end - 1])) --end;
  return {stringNode(s->substr(begin, end - begin))};
}

Collection split(const CallContext& c) {
  const auto s = c.inputString();
  const auto separator = c.stringArg(0);
  if (!s || !separator) return {};
  if (separator->empty()) return toChars(c);
  Collection out;
  std::size_t from = 0;
  for (auto pos = s->find(*separator); pos != std::string::npos; pos = s->find(*separator, from)) {
    out.push_back(stringNode(s->substr(from, pos - from)));
    from = pos + separator->size();
  }
  out.push_back(stringNode(s->substr(from)));
  return out;
}

Collection join(const CallContext& c) {
  if (c.input.empty()) return {};
  const std::string separator = c.argCount() > 0 ? c.stringArg(0).value_or("") : "";
  std::string out;
  for (std::size_t i = 0; i < c.input.size(); ++i) {
    const auto text = stringView(c.input[i]);
    if (!text) throw FhirPathEvaluationError("join() expects strings");
    if (i > 0) out += separator;
    out += *text;
  }
  return {stringNode(std::move(out))};
}

}  // namespace

const std::vector<FunctionDef>& stringFunctions() {
  static const std::vector<FunctionDef> kFunctions = {
      {"indexOf", 1, 1, indexOf},
      {"substring", 1, 2, substring},
      {"startsWith", 1, 1, startsWith},
      {"endsWith", 1, 1, endsWith},
      {"contains", 1, 1, containsFunction},
      {"upper", 0, 0, mapCase<toUpper>},
      {"lower", 0, 0, mapCase<toLower>},
      {"replace", 2, 2, replace},
      {"matches", 1, 1, matches},
      {"replaceMatches", 2, 2, replaceMatches},
      {"length", 0, 0, length},
      {"toChars", 0, 0, toChars},
      {"trim", 0, 0, trim},
      {"split", 1, 1, split},
      {"join", 0, 1, join},
  };
  return kFunctions;
}

}  // namespace sp::fhirpath
