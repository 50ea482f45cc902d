#include "fhirpath/expression.h"

#include "fhirpath/binder.h"
#include "fhirpath/collection_ops.h"
#include "fhirpath/evaluator.h"
#include "fhirpath/parser.h"

namespace sp::fhirpath {

Expression Expression::parse(std::string_view text) {
  AstPtr root = parseAst(text);
  bind(*root);
  return Expression(std::shared_ptr<const AstNode>(std::move(root)),
                    std::make_shared<const std::string>(text));
}

Collection Expression::evaluate(const Node& context, const Environment& env) const {
  return Evaluator(context, env).evaluateRoot(*root_);
}

std::optional<bool> Expression::evaluateBoolean(const Node& context, const Environment& env) const {
  return singletonBoolean(evaluate(context, env), "the expression '" + *text_ + "'");
}

}  // namespace sp::fhirpath
