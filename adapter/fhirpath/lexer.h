// Splits FHIRPath text into tokens.
//
// Contract: comments (// and /* */) and white space are skipped. String literals and delimited
// identifiers come back unescaped (\' \" \` \\ \/ \f \n \r \t \uXXXX; an unknown escape such
// as \. keeps its backslash, which is what the regular expressions in the R4 invariants rely
// on). Keywords (and, or, div, is, ...) are identifiers; the parser decides by position.
// Throws FhirPathSyntaxError naming the offset on an unterminated literal or a stray character.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sp::fhirpath {

enum class TokenKind {
  kIdentifier,           // name, or a keyword
  kDelimitedIdentifier,  // `name` (text without the backticks)
  kString,               // 'text' (unescaped)
  kInteger,              // 123
  kDecimal,              // 1.5
  kDateTime,             // @2020-01-01T10:00 (text without '@'); also a date
  kTime,                 // @T10:00 (text without "@T")
  kConstant,             // %name, %'name' or %`name` (text: the name)
  kVariable,             // $this, $index, $total (text without '$')
  kSymbol,               // . , ( ) [ ] + - * / & | < > <= >= = != ~ !~
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  std::size_t offset = 0;
};

std::vector<Token> tokenize(std::string_view text);

}  // namespace sp::fhirpath
