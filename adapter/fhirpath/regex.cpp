#include "fhirpath/regex.h"

#include "fhirpath/errors.h"

namespace sp::fhirpath {
namespace {

constexpr auto kRecursive = std::regex::ECMAScript;
#if defined(__GLIBCXX__)
constexpr auto kIterative = std::regex::ECMAScript | std::regex_constants::__polynomial;
#else
constexpr auto kIterative = std::regex::ECMAScript;
#endif

void checkLength(const std::string& input, std::size_t limit, const char* why) {
  if (input.size() > limit) {
    throw FhirPathEvaluationError("string too long (" + std::to_string(input.size()) +
                                  " bytes) for " + why);
  }
}

}  // namespace

std::shared_ptr<const CompiledRegex> compileRegex(const std::string& pattern) {
  auto out = std::make_shared<CompiledRegex>();
  // Validates the pattern on its own first, so the wrapper cannot change its meaning.
  try {
    out->pattern = std::regex(pattern, kIterative);
  } catch (const std::regex_error& e) {
    if (e.code() != std::regex_constants::error_complexity) throw;
    out->pattern = std::regex(pattern, kRecursive);
    out->recursive = true;
  }
  out->anywhere =
      std::regex("[\\s\\S]*(?:" + pattern + ")[\\s\\S]*", out->recursive ? kRecursive : kIterative);
  return out;
}

bool regexFound(const CompiledRegex& re, const std::string& input) {
  if (re.recursive) {
    checkLength(input, kMaxBacktrackingInput, "a regular expression with back-references");
    return std::regex_search(input, re.pattern);
  }
  return std::regex_match(input, re.anywhere);
}

std::string regexReplace(const CompiledRegex& re, const std::string& input,
                         const std::string& substitution) {
  checkLength(input, re.recursive ? kMaxBacktrackingInput : kMaxReplaceInput, "replaceMatches()");
  return std::regex_replace(input, re.pattern, substitution);
}

}  // namespace sp::fhirpath
