// The syntax tree of a parsed expression. Immutable once parsed and bound, so one tree can be
// evaluated by many threads at once.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "fhirpath/node.h"
#include "fhirpath/regex.h"
#include "fhirpath/type_system.h"

namespace sp::fhirpath {

struct FunctionDef;

enum class AstKind {
  kLiteral,     // `literal` (one computed node)
  kEmpty,       // {}
  kIdentifier,  // `name`: a child of each input item (or a type name at the start of a path)
  kFunction,    // `name`(children...)
  kInvoke,      // children[0] . children[1]
  kIndexer,     // children[0] [ children[1] ]
  kUnary,       // `op` (kPlus or kMinus) children[0]
  kBinary,      // children[0] `op` children[1]
  kIs,          // children[0] is `typeSpec`
  kAs,          // children[0] as `typeSpec`
  kThis,        // $this
  kIndex,       // $index
  kTotal,       // $total
  kConstant,    // %`name`
};

enum class Op {
  kNone,
  kPlus,
  kMinus,
  kTimes,
  kDivide,
  kDiv,
  kMod,
  kConcat,
  kUnion,
  kLess,
  kGreater,
  kLessOrEqual,
  kGreaterOrEqual,
  kEqual,
  kEquivalent,
  kNotEqual,
  kNotEquivalent,
  kIn,
  kContains,
  kAnd,
  kOr,
  kXor,
  kImplies,
};

struct AstNode {
  AstKind kind = AstKind::kEmpty;
  std::size_t offset = 0;
  std::string name;        // identifier, function or constant name
  Op op = Op::kNone;       // kUnary (kPlus, kMinus) and kBinary
  bool pathStart = false;  // kIdentifier that starts a path: may name the input's type
  Node literal;
  TypeSpecifier typeSpec;  // kIs, kAs, and functions taking a type (set by the binder)
  std::vector<std::unique_ptr<AstNode>> children;
  const FunctionDef* function = nullptr;       // kFunction, set by the binder
  std::shared_ptr<const CompiledRegex> regex;  // matches()/replaceMatches() literal pattern
};

using AstPtr = std::unique_ptr<AstNode>;

}  // namespace sp::fhirpath
