#include "search/type_narrowing.h"

#include <cctype>
#include <cstddef>
#include <vector>

#include "fhirpath/errors.h"
#include "fhirpath/lexer.h"

namespace sp::search {
namespace {

using fhirpath::Token;
using fhirpath::TokenKind;

bool isSymbol(const Token& t, const char* text) {
  return t.kind == TokenKind::kSymbol && t.text == text;
}

bool opens(const Token& t) { return isSymbol(t, "(") || isSymbol(t, "[") || isSymbol(t, "{"); }
bool closes(const Token& t) { return isSymbol(t, ")") || isSymbol(t, "]") || isSymbol(t, "}"); }

// An operator with lower precedence than `|`: splitting there would change the meaning.
bool bindsLooserThanUnion(const Token& t) {
  if (t.kind == TokenKind::kSymbol) {
    for (const char* op : {"<", ">", "<=", ">=", "=", "!=", "~", "!~"}) {
      if (t.text == op) return true;
    }
    return false;
  }
  if (t.kind != TokenKind::kIdentifier) return false;
  for (const char* op : {"and", "or", "xor", "implies", "in", "contains"}) {
    if (t.text == op) return true;
  }
  return false;
}

// A branch: tokens [begin, end) of the whole expression.
struct Branch {
  std::size_t begin;
  std::size_t end;
};

// The branches of a top-level union; empty when the text is not one.
std::vector<Branch> unionBranches(const std::vector<Token>& tokens) {
  std::vector<Branch> branches;
  std::size_t depth = 0;
  std::size_t begin = 0;
  const std::size_t last = tokens.size() - 1;  // the kEnd token
  for (std::size_t i = 0; i < last; ++i) {
    const Token& t = tokens[i];
    if (opens(t)) {
      ++depth;
    } else if (closes(t)) {
      if (depth == 0) return {};
      --depth;
    } else if (depth == 0 && bindsLooserThanUnion(t)) {
      return {};
    } else if (depth == 0 && isSymbol(t, "|")) {
      branches.push_back({begin, i});
      begin = i + 1;
    }
  }
  branches.push_back({begin, last});
  return branches;
}

// The resource type a branch is written for: `Type.` at its start, or inside a leading
// parenthesis without a union of its own. "" when the branch does not say.
std::string startingType(const std::vector<Token>& tokens, const Branch& b) {
  std::size_t i = b.begin;
  if (i < b.end && isSymbol(tokens[i], "(")) {
    std::size_t depth = 0;
    for (std::size_t k = i; k < b.end; ++k) {
      if (opens(tokens[k])) ++depth;
      if (closes(tokens[k]) && --depth == 0) break;
      if (depth == 1 && isSymbol(tokens[k], "|")) return "";
    }
    ++i;
  }
  if (i + 1 >= b.end || tokens[i].kind != TokenKind::kIdentifier || !isSymbol(tokens[i + 1], ".")) {
    return "";
  }
  return tokens[i].text;
}

}  // namespace

std::string narrowToType(std::string_view expression, const std::string& type,
                         const std::function<bool(const std::string&)>& isResourceType) {
  std::vector<Token> tokens;
  try {
    tokens = fhirpath::tokenize(expression);
  } catch (const fhirpath::FhirPathSyntaxError&) {
    return std::string(expression);  // the parser will report it
  }
  const std::vector<Branch> branches = unionBranches(tokens);
  if (branches.size() < 2) return std::string(expression);
  std::string out;
  for (const Branch& b : branches) {
    const std::string start = startingType(tokens, b);
    if (!start.empty() && start != type && isResourceType(start)) continue;
    const std::size_t from = tokens[b.begin].offset;
    std::string_view text = expression.substr(from, tokens[b.end].offset - from);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
      text.remove_suffix(1);
    }
    if (!out.empty()) out += " | ";
    out += text;
    // A line comment at the end of a branch must not swallow the next separator.
    if (text.find("//") != std::string_view::npos) out += '\n';
  }
  return out;
}

}  // namespace sp::search
