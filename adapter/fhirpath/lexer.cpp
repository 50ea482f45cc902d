#include "fhirpath/lexer.h"

#include <cctype>

#include "fhirpath/errors.h"

namespace sp::fhirpath {
namespace {

bool isIdentifierStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}
bool isIdentifierPart(char c) {
  return isIdentifierStart(c) || std::isdigit(static_cast<unsigned char>(c)) != 0;
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }

void appendUtf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    while (true) {
      skipSpaceAndComments();
      if (pos_ >= text_.size()) break;
      tokens.push_back(next());
    }
    tokens.push_back(Token{TokenKind::kEnd, "", text_.size()});
    return tokens;
  }

 private:
  char at(std::size_t i) const { return i < text_.size() ? text_[i] : '\0'; }

  void skipSpaceAndComments() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (std::isspace(static_cast<unsigned char>(c)) != 0) {
        ++pos_;
      } else if (c == '/' && at(pos_ + 1) == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (c == '/' && at(pos_ + 1) == '*') {
        const auto end = text_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) throw FhirPathSyntaxError(pos_, "unterminated comment");
        pos_ = end + 2;
      } else {
        break;
      }
    }
  }

  Token next() {
    const std::size_t start = pos_;
    const char c = text_[pos_];
    if (isIdentifierStart(c)) {
      while (pos_ < text_.size() && isIdentifierPart(text_[pos_])) ++pos_;
      return {TokenKind::kIdentifier, std::string(text_.substr(start, pos_ - start)), start};
    }
    if (isDigit(c)) return number();
    if (c == '\'') return {TokenKind::kString, quoted('\''), start};
    if (c == '`') return {TokenKind::kDelimitedIdentifier, quoted('`'), start};
    if (c == '@') return dateTime();
    if (c == '%') return constant();
    if (c == '$') {
      ++pos_;
      const std::size_t nameStart = pos_;
      while (pos_ < text_.size() && isIdentifierPart(text_[pos_])) ++pos_;
      const std::string name(text_.substr(nameStart, pos_ - nameStart));
      if (name != "this" && name != "index" && name != "total") {
        throw FhirPathSyntaxError(start, "unknown variable '$" + name + "'");
      }
      return {TokenKind::kVariable, name, start};
    }
    return symbol();
  }

  Token number() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && isDigit(text_[pos_])) ++pos_;
    if (at(pos_) == '.' && isDigit(at(pos_ + 1))) {
      ++pos_;
      while (pos_ < text_.size() && isDigit(text_[pos_])) ++pos_;
      return {TokenKind::kDecimal, std::string(text_.substr(start, pos_ - start)), start};
    }
    return {TokenKind::kInteger, std::string(text_.substr(start, pos_ - start)), start};
  }

  // The body of a '...' or `...` literal, unescaped; pos_ is at the opening quote.
  std::string quoted(char quote) {
    const std::size_t start = pos_++;
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) throw FhirPathSyntaxError(start, "unterminated literal");
      const char c = text_[pos_++];
      if (c == quote) return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) throw FhirPathSyntaxError(start, "unterminated literal");
      const char e = text_[pos_++];
      switch (e) {
        case '\'':
        case '"':
        case '`':
        case '\\':
        case '/':
          out += e;
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u':
          appendUtf8(out, unicodeEscape());
          break;
        default:  // not a FHIRPath escape: keep it for regular expressions
          out += '\\';
          out += e;
      }
    }
  }

  unsigned long hex4() {
    if (pos_ + 4 > text_.size()) throw FhirPathSyntaxError(pos_, "bad \\u escape");
    const std::string digits(text_.substr(pos_, 4));
    for (char d : digits) {
      if (std::isxdigit(static_cast<unsigned char>(d)) == 0) {
        throw FhirPathSyntaxError(pos_, "bad \\u escape");
      }
    }
    pos_ += 4;
    return std::stoul(digits, nullptr, 16);
  }

  unsigned long unicodeEscape() {
    unsigned long cp = hex4();
    if (cp >= 0xD800 && cp <= 0xDBFF && at(pos_) == '\\' && at(pos_ + 1) == 'u') {
      const std::size_t save = pos_;
      pos_ += 2;
      const unsigned long low = hex4();
      if (low >= 0xDC00 && low <= 0xDFFF) return 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      pos_ = save;
    }
    return cp;
  }

  Token dateTime() {
    const std::size_t start = pos_++;
    if (at(pos_) == 'T') {
      ++pos_;
      const std::size_t body = pos_;
      while (isDigit(at(pos_)) || at(pos_) == ':' || at(pos_) == '.') ++pos_;
      if (pos_ == body) throw FhirPathSyntaxError(start, "malformed time literal");
      return {TokenKind::kTime, std::string(text_.substr(body, pos_ - body)), start};
    }
    const std::size_t body = pos_;
    // Date: digits and '-'; then 'T', a time and a zone.
    while (isDigit(at(pos_)) || (at(pos_) == '-' && isDigit(at(pos_ + 1)))) ++pos_;
    if (at(pos_) == 'T') {
      ++pos_;
      while (isDigit(at(pos_)) || at(pos_) == ':' || at(pos_) == '.') ++pos_;
      if (at(pos_) == 'Z') {
        ++pos_;
      } else if ((at(pos_) == '+' || at(pos_) == '-') && isDigit(at(pos_ + 1)) &&
                 isDigit(at(pos_ + 2)) && at(pos_ + 3) == ':') {
        pos_ += 6;
      }
    }
    if (pos_ == body) throw FhirPathSyntaxError(start, "malformed date literal");
    return {TokenKind::kDateTime, std::string(text_.substr(body, pos_ - body)), start};
  }

  Token constant() {
    const std::size_t start = pos_++;
    if (at(pos_) == '\'') return {TokenKind::kConstant, quoted('\''), start};
    if (at(pos_) == '`') return {TokenKind::kConstant, quoted('`'), start};
    const std::size_t nameStart = pos_;
    while (pos_ < text_.size() && isIdentifierPart(text_[pos_])) ++pos_;
    if (pos_ == nameStart) throw FhirPathSyntaxError(start, "'%' without a name");
    return {TokenKind::kConstant, std::string(text_.substr(nameStart, pos_ - nameStart)), start};
  }

  Token symbol() {
    const std::size_t start = pos_;
    const char c = text_[pos_];
    const char n = at(pos_ + 1);
    if ((c == '<' || c == '>' || c == '!') && n == '=') {
      pos_ += 2;
      return {TokenKind::kSymbol, std::string{c, '='}, start};
    }
    if (c == '!' && n == '~') {
      pos_ += 2;
      return {TokenKind::kSymbol, "!~", start};
    }
    static constexpr std::string_view kSingle = ".,()[]{}+-*/&|<>=~";
    if (kSingle.find(c) != std::string_view::npos) {
      ++pos_;
      return {TokenKind::kSymbol, std::string(1, c), start};
    }
    throw FhirPathSyntaxError(start, std::string("unexpected character '") + c + "'");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<Token> tokenize(std::string_view text) { return Lexer(text).run(); }

}  // namespace sp::fhirpath
