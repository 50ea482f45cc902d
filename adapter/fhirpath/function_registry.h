// The table of FHIRPath functions and the calling convention they share.
//
// Contract: each function family (functions_*.cpp) contributes a table of FunctionDefs. The
// binder looks names up here at parse time, so an unknown function or a wrong argument count is
// a syntax error rather than a surprise at run time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhirpath/ast.h"
#include "fhirpath/evaluator.h"

namespace sp::fhirpath {

// One call of a function, as its implementation sees it.
struct CallContext {
  const Evaluator& evaluator;
  const AstNode& call;      // call.children are the argument expressions
  const Collection& input;  // the collection the function is invoked on
  const Scope& scope;

  std::size_t argCount() const { return call.children.size(); }
  // Argument i evaluated like a path at the call site (from the scope's focus).
  Collection arg(std::size_t i) const;
  // Argument i as a lambda over one input item.
  Collection argFor(std::size_t i, const Node& item, std::int64_t index) const;
  // Argument i as a single String (nullopt when empty; error when not a single string).
  std::optional<std::string> stringArg(std::size_t i) const;
  // Argument i as a single Integer (nullopt when empty; error otherwise).
  std::optional<std::int64_t> integerArg(std::size_t i) const;
  // The single input item (nullptr when the input is empty; error when it has several).
  const Node* singleInput() const;
  // The single input item as a string (nullopt when empty; error when not a string).
  std::optional<std::string> inputString() const;
};

using FunctionImpl = Collection (*)(const CallContext& call);

enum class ArgumentKind {
  kValue,  // arguments are ordinary expressions (or lambdas the function evaluates itself)
  kType,   // the single argument is a type specifier: ofType(Patient), as(FHIR.string)
};

struct FunctionDef {
  std::string_view name;
  int minArgs;
  int maxArgs;
  FunctionImpl impl;
  ArgumentKind argumentKind = ArgumentKind::kValue;
};

// nullptr when no function has that name.
const FunctionDef* findFunction(std::string_view name);

// The families (one per functions_*.cpp).
const std::vector<FunctionDef>& existenceFunctions();
const std::vector<FunctionDef>& filteringFunctions();
const std::vector<FunctionDef>& typeFunctions();
const std::vector<FunctionDef>& subsettingFunctions();
const std::vector<FunctionDef>& conversionFunctions();
const std::vector<FunctionDef>& stringFunctions();
const std::vector<FunctionDef>& treeFunctions();
const std::vector<FunctionDef>& utilityFunctions();
const std::vector<FunctionDef>& fhirFunctions();

}  // namespace sp::fhirpath
