// Walks a bound syntax tree over a context node.
//
// Contract: evaluation never copies JSON (Nodes point into the caller's DOM) and never mutates
// the tree, so one tree may be evaluated concurrently. An Evaluator lives for one evaluate()
// call. Errors the specification calls errors throw FhirPathEvaluationError.
#pragma once

#include <cstdint>

#include "fhirpath/ast.h"
#include "fhirpath/environment.h"
#include "fhirpath/node.h"

namespace sp::fhirpath {

// What the names inside an expression refer to at one point of the evaluation.
struct Scope {
  const Collection* focus = nullptr;  // where a path's first identifier navigates from
  const Node* thisNode = nullptr;     // $this (null: empty)
  std::int64_t index = -1;            // $index (-1: not iterating)
  const Collection* total = nullptr;  // $total (aggregate only)
};

class Evaluator {
 public:
  Evaluator(const Node& context, const Environment& env);

  // The expression over the context node (%context, and the initial focus and $this).
  // %resource is env.resource, or the context when that is empty; %rootResource is
  // env.rootResource, or %resource when that is empty.
  Collection evaluateRoot(const AstNode& root) const;
  // A sub-expression in `scope` (a path starts from scope.focus).
  Collection evaluate(const AstNode& node, const Scope& scope) const;
  // `member` (an identifier, function call or variable) applied to `input`.
  Collection evaluateOn(const AstNode& member, const Collection& input, const Scope& scope) const;
  // A lambda argument for one item: focus {item}, $this item, $index index.
  Collection evaluateFor(const AstNode& lambda, const Node& item, std::int64_t index,
                         const Scope& outer) const;

  const Environment& env() const { return env_; }
  const Node& context() const { return context_; }
  // %resource and %rootResource with their defaults applied (possibly empty Nodes).
  const Node& resource() const;
  const Node& rootResource() const;

 private:
  Collection constant(const AstNode& node) const;
  Collection binary(const AstNode& node, const Scope& scope) const;
  Collection logic(const AstNode& node, const Scope& scope) const;
  // `atRoot`: the input is the expression's initial focus, where a leading type name that does
  // not name the context may name %resource instead.
  Collection navigate(const AstNode& identifier, const Collection& input, bool atRoot) const;

  const Node& context_;
  const Environment& env_;
  Collection rootFocus_;  // {context}, or empty when the context is an empty Node
};

}  // namespace sp::fhirpath
