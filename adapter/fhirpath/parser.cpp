#include "fhirpath/parser.h"

#include <charconv>
#include <optional>
#include <utility>

#include "fhirpath/errors.h"
#include "fhirpath/lexer.h"

namespace sp::fhirpath {
namespace {

struct OperatorText {
  const char* text;
  bool keyword;  // spelled as an identifier (and, div, ...) rather than a symbol
  Op op;
};

// Binary operators by precedence level, loosest first. The `is`/`as` level is handled apart.
const std::vector<std::vector<OperatorText>>& binaryLevels() {
  static const std::vector<std::vector<OperatorText>> levels = {
      {{"implies", true, Op::kImplies}},
      {{"or", true, Op::kOr}, {"xor", true, Op::kXor}},
      {{"and", true, Op::kAnd}},
      {{"in", true, Op::kIn}, {"contains", true, Op::kContains}},
      {{"=", false, Op::kEqual},
       {"~", false, Op::kEquivalent},
       {"!=", false, Op::kNotEqual},
       {"!~", false, Op::kNotEquivalent}},
      {{"<", false, Op::kLess},
       {">", false, Op::kGreater},
       {"<=", false, Op::kLessOrEqual},
       {">=", false, Op::kGreaterOrEqual}},
      {{"|", false, Op::kUnion}},
      {},  // is, as
      {{"+", false, Op::kPlus}, {"-", false, Op::kMinus}, {"&", false, Op::kConcat}},
      {{"*", false, Op::kTimes},
       {"/", false, Op::kDivide},
       {"div", true, Op::kDiv},
       {"mod", true, Op::kMod}},
  };
  return levels;
}
constexpr std::size_t kTypeLevel = 7;
// Nesting (parentheses, arguments, indexers, unary operators) deeper than this is refused while
// parsing, and so is a tree deeper than kMaxDepth (long chains of `.` or `+`), so neither
// parsing nor evaluation can exhaust the stack.
constexpr int kMaxNesting = 128;
constexpr std::size_t kMaxDepth = 512;

// The depth of the tree, measured without recursion.
std::size_t depthOf(const AstNode& root) {
  std::size_t deepest = 0;
  std::vector<std::pair<const AstNode*, std::size_t>> pending = {{&root, 1}};
  while (!pending.empty()) {
    const auto [node, depth] = pending.back();
    pending.pop_back();
    if (depth > deepest) deepest = depth;
    for (const auto& child : node->children) pending.emplace_back(child.get(), depth + 1);
  }
  return deepest;
}

bool isReservedInTerm(const std::string& word) {
  return word == "and" || word == "or" || word == "xor" || word == "implies" || word == "div" ||
         word == "mod";
}

class Parser {
 public:
  explicit Parser(std::string_view text) : tokens_(tokenize(text)) {}

  AstPtr run() {
    AstPtr root = binary(0);
    if (peek().kind != TokenKind::kEnd) fail(peek(), "unexpected '" + peek().text + "'");
    if (depthOf(*root) > kMaxDepth) fail(tokens_.front(), "expression nested too deeply");
    return root;
  }

 private:
  const Token& peek(std::size_t ahead = 0) const {
    const std::size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  const Token& take() {
    const Token& t = peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return t;
  }
  bool isSymbol(const char* text, std::size_t ahead = 0) const {
    return peek(ahead).kind == TokenKind::kSymbol && peek(ahead).text == text;
  }
  bool isKeyword(const char* text) const {
    return peek().kind == TokenKind::kIdentifier && peek().text == text;
  }
  void expectSymbol(const char* text) {
    if (!isSymbol(text)) fail(peek(), std::string("expected '") + text + "'");
    take();
  }
  [[noreturn]] static void fail(const Token& at, const std::string& why) {
    throw FhirPathSyntaxError(at.offset, at.kind == TokenKind::kEnd ? why + " at end" : why);
  }

  static AstPtr make(AstKind kind, std::size_t offset) {
    auto n = std::make_unique<AstNode>();
    n->kind = kind;
    n->offset = offset;
    return n;
  }

  // Counts one level of nesting for its lifetime.
  class Nesting {
   public:
    Nesting(Parser& parser, const Token& at) : parser_(parser) {
      if (++parser_.nesting_ > kMaxNesting) fail(at, "expression nested too deeply");
    }
    ~Nesting() { --parser_.nesting_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Parser& parser_;
  };

  AstPtr binary(std::size_t level) {
    std::optional<Nesting> nesting;
    if (level == 0) nesting.emplace(*this, peek());
    const auto& levels = binaryLevels();
    if (level == levels.size()) return unary();
    if (level == kTypeLevel) return typeExpression();
    AstPtr left = binary(level + 1);
    while (true) {
      const OperatorText* match = nullptr;
      for (const auto& candidate : levels[level]) {
        if (candidate.keyword ? isKeyword(candidate.text) : isSymbol(candidate.text)) {
          match = &candidate;
          break;
        }
      }
      if (!match) return left;
      const Token& opToken = take();
      auto node = make(AstKind::kBinary, opToken.offset);
      node->op = match->op;
      node->children.push_back(std::move(left));
      node->children.push_back(binary(level + 1));
      left = std::move(node);
    }
  }

  AstPtr typeExpression() {
    AstPtr left = binary(kTypeLevel + 1);
    while (isKeyword("is") || isKeyword("as")) {
      const Token& opToken = take();
      auto node = make(opToken.text == "is" ? AstKind::kIs : AstKind::kAs, opToken.offset);
      node->typeSpec = typeSpecifier();
      node->children.push_back(std::move(left));
      left = std::move(node);
    }
    return left;
  }

  TypeSpecifier typeSpecifier() {
    const Token& first = take();
    if (first.kind != TokenKind::kIdentifier && first.kind != TokenKind::kDelimitedIdentifier) {
      fail(first, "expected a type name");
    }
    if ((first.text == "FHIR" || first.text == "System") && isSymbol(".")) {
      take();
      const Token& name = take();
      if (name.kind != TokenKind::kIdentifier && name.kind != TokenKind::kDelimitedIdentifier) {
        fail(name, "expected a type name");
      }
      return {first.text, name.text};
    }
    return {"", first.text};
  }

  AstPtr unary() {
    if (isSymbol("+") || isSymbol("-")) {
      const Nesting nesting(*this, peek());
      const Token& opToken = take();
      AstPtr operand = unary();
      if (opToken.text == "-" && operand->kind == AstKind::kLiteral) {
        if (negateLiteral(operand->literal)) return operand;
      }
      auto node = make(AstKind::kUnary, opToken.offset);
      node->op = opToken.text == "+" ? Op::kPlus : Op::kMinus;
      node->children.push_back(std::move(operand));
      return node;
    }
    return postfix();
  }

  static bool negateLiteral(Node& literal) {
    if (auto* i = std::get_if<std::int64_t>(&literal.computed)) {
      *i = -*i;
      return true;
    }
    if (auto* d = std::get_if<Decimal>(&literal.computed)) {
      *d = d->negated();
      return true;
    }
    if (auto* q = std::get_if<Quantity>(&literal.computed)) {
      q->value = q->value.negated();
      return true;
    }
    return false;
  }

  AstPtr postfix() {
    AstPtr left = term();
    while (true) {
      if (isSymbol(".")) {
        const Token& dot = take();
        auto node = make(AstKind::kInvoke, dot.offset);
        node->children.push_back(std::move(left));
        node->children.push_back(invocation(false));
        left = std::move(node);
      } else if (isSymbol("[")) {
        const Token& open = take();
        auto node = make(AstKind::kIndexer, open.offset);
        node->children.push_back(std::move(left));
        node->children.push_back(binary(0));
        expectSymbol("]");
        left = std::move(node);
      } else {
        return left;
      }
    }
  }

  // An identifier, a function call or $this/$index/$total.
  AstPtr invocation(bool pathStart) {
    const Token& t = take();
    if (t.kind == TokenKind::kVariable) {
      const AstKind kind = t.text == "this"    ? AstKind::kThis
                           : t.text == "index" ? AstKind::kIndex
                                               : AstKind::kTotal;
      return make(kind, t.offset);
    }
    if (t.kind == TokenKind::kIdentifier && isSymbol("(")) {
      take();
      auto node = make(AstKind::kFunction, t.offset);
      node->name = t.text;
      if (!isSymbol(")")) {
        node->children.push_back(binary(0));
        while (isSymbol(",")) {
          take();
          node->children.push_back(binary(0));
        }
      }
      expectSymbol(")");
      return node;
    }
    if (t.kind != TokenKind::kIdentifier && t.kind != TokenKind::kDelimitedIdentifier) {
      fail(t, t.kind == TokenKind::kEnd ? "expected a name" : "unexpected '" + t.text + "'");
    }
    if (pathStart && t.kind == TokenKind::kIdentifier && isReservedInTerm(t.text)) {
      fail(t, "unexpected keyword '" + t.text + "'");
    }
    auto node = make(AstKind::kIdentifier, t.offset);
    node->name = t.text;
    node->pathStart = pathStart;
    return node;
  }

  AstPtr literal(Node value, std::size_t offset) {
    auto node = make(AstKind::kLiteral, offset);
    node->literal = std::move(value);
    return node;
  }

  AstPtr term() {
    const Token& t = peek();
    switch (t.kind) {
      case TokenKind::kInteger:
      case TokenKind::kDecimal:
        return number();
      case TokenKind::kString:
        take();
        return literal(stringNode(t.text), t.offset);
      case TokenKind::kDateTime: {
        take();
        const auto value = Temporal::parseDateTime(t.text);
        if (!value) fail(t, "malformed date/time literal '@" + t.text + "'");
        return literal(temporalNode(*value), t.offset);
      }
      case TokenKind::kTime: {
        take();
        const auto value = Temporal::parseTime(t.text);
        if (!value) fail(t, "malformed time literal '@T" + t.text + "'");
        return literal(temporalNode(*value), t.offset);
      }
      case TokenKind::kConstant: {
        take();
        auto node = make(AstKind::kConstant, t.offset);
        node->name = t.text;
        return node;
      }
      case TokenKind::kSymbol:
        if (t.text == "(") {
          take();
          AstPtr inner = binary(0);
          expectSymbol(")");
          return inner;
        }
        if (t.text == "{") {
          take();
          expectSymbol("}");
          return make(AstKind::kEmpty, t.offset);
        }
        fail(t, "unexpected '" + t.text + "'");
      case TokenKind::kIdentifier:
        if ((t.text == "true" || t.text == "false") && !isSymbol("(", 1)) {
          take();
          return literal(booleanNode(t.text == "true"), t.offset);
        }
        return invocation(true);
      case TokenKind::kDelimitedIdentifier:
      case TokenKind::kVariable:
        return invocation(true);
      case TokenKind::kEnd:
        fail(t, "expected an expression");
    }
    fail(t, "unexpected token");
  }

  AstPtr number() {
    const Token& t = take();
    Node value;
    if (t.kind == TokenKind::kInteger) {
      std::int64_t i = 0;
      const auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), i);
      if (ec != std::errc() || end != t.text.data() + t.text.size()) {
        fail(t, "integer literal out of range");
      }
      value = integerNode(i);
    } else {
      const auto d = Decimal::parse(t.text);
      if (!d) fail(t, "decimal literal out of range");
      value = decimalNode(*d);
    }
    // A quantity: the number followed by a unit string or a calendar duration word.
    const Token& unit = peek();
    const bool unitString = unit.kind == TokenKind::kString;
    if (unitString || (unit.kind == TokenKind::kIdentifier && isCalendarUnit(unit.text))) {
      take();
      Decimal amount = t.kind == TokenKind::kInteger
                           ? Decimal::fromInteger(std::get<std::int64_t>(value.computed))
                           : std::get<Decimal>(value.computed);
      return literal(quantityNode(Quantity{amount, unit.text}), t.offset);
    }
    return literal(std::move(value), t.offset);
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int nesting_ = 0;
};

}  // namespace

AstPtr parseAst(std::string_view text) { return Parser(text).run(); }

}  // namespace sp::fhirpath
