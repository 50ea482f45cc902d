// Regular expressions for matches() and replaceMatches() (ECMAScript syntax).
//
// libstdc++'s default matcher recurses once per input character and overflows the stack on long
// strings (~40k characters with an 8 MiB stack), and its iterative ("polynomial") matcher
// restarts at every position when searching, which is quadratic. So:
// - matches() runs the iterative matcher once over the whole string with the pattern wrapped as
//   `[\s\S]*(?:P)[\s\S]*`: linear in the input, any length;
// - replaceMatches() uses the iterative matcher's search and refuses inputs longer than
//   kMaxReplaceInput bytes;
// - a pattern with back-references cannot use the iterative matcher; it uses the recursive one
//   and refuses inputs longer than kMaxBacktrackingInput bytes.
// Refusals throw FhirPathEvaluationError rather than risk the stack or run for minutes.
#pragma once

#include <cstddef>
#include <memory>
#include <regex>
#include <string>
#include <string_view>

namespace sp::fhirpath {

struct CompiledRegex {
  std::regex pattern;      // P, for replaceMatches()
  std::regex anywhere;     // P anywhere in the input, for matches()
  bool recursive = false;  // back-references: compiled for the recursive matcher
};

inline constexpr std::size_t kMaxBacktrackingInput = 4096;
inline constexpr std::size_t kMaxReplaceInput = 16384;

// Throws std::regex_error for an invalid pattern.
std::shared_ptr<const CompiledRegex> compileRegex(const std::string& pattern);
// Whether the pattern matches somewhere in `input`.
bool regexFound(const CompiledRegex& re, const std::string& input);
// Every match of the pattern in `input` replaced by `substitution` ($1 names a group).
std::string regexReplace(const CompiledRegex& re, const std::string& input,
                         const std::string& substitution);

}  // namespace sp::fhirpath
