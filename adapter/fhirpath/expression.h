// A parsed FHIRPath expression (R4, normative N1 subset), evaluated over RapidJSON resources.
//
// Usage:
//   const auto e = Expression::parse("name.where(use = 'official').given");
//   Collection given = e.evaluate(resourceNode(patientJson), env);
//
// Contract: parse() throws FhirPathSyntaxError (naming the offset) for invalid text, unknown
// functions and wrong argument counts. A parsed Expression is immutable; copies share the tree
// and may be evaluated from several threads at once. evaluate() reads the JSON in place (Nodes
// point into it; the DOM must outlive the result) and throws FhirPathEvaluationError where the
// specification calls for an error. The context node is %context, the initial focus and $this.
//
// Where this engine departs from, or goes beyond, the letter of the specification:
// - `as` (operator and function) filters like ofType() instead of failing on several items: the
//   R4 search parameter expressions apply it to repeating elements.
// - A FHIR primitive also has its System type (`active is Boolean` is true); computed System
//   values are not FHIR types (`'a' is string` is false, `'a' is String` is true).
// - Without type information, ordering two JSON strings that both read as dates compares them
//   as dates (per-1 `start <= end`); `=` on them stays string equality.
// - conformsTo() and htmlChecks() return true; memberOf() needs Environment::memberOf.
// - Not provided: the STU math functions (abs, round, ...), type(), and the FHIR functions that
//   need definitions or terminology (elementDefinition, slice, checkModifiers, subsumes,
//   subsumedBy). Calling them is a syntax error.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "fhirpath/environment.h"
#include "fhirpath/errors.h"
#include "fhirpath/node.h"
#include "fhirpath/type_provider.h"

namespace sp::fhirpath {

struct AstNode;

class Expression {
 public:
  static Expression parse(std::string_view text);

  Collection evaluate(const Node& context, const Environment& env) const;
  // evaluate() reduced by the singleton rules: empty -> nullopt, a single Boolean -> its value,
  // a single other item -> true, several items -> FhirPathEvaluationError.
  std::optional<bool> evaluateBoolean(const Node& context, const Environment& env) const;
  const std::string& text() const { return *text_; }

 private:
  Expression(std::shared_ptr<const AstNode> root, std::shared_ptr<const std::string> text)
      : root_(std::move(root)), text_(std::move(text)) {}

  std::shared_ptr<const AstNode> root_;
  std::shared_ptr<const std::string> text_;
};

}  // namespace sp::fhirpath
