#include "fhirpath/binder.h"

#include "fhirpath/errors.h"
#include "fhirpath/function_registry.h"
#include "fhirpath/regex.h"
#include "fhirpath/system_value.h"

namespace sp::fhirpath {
namespace {

TypeSpecifier typeArgument(const AstNode& arg, const std::string& function) {
  if (arg.kind == AstKind::kIdentifier) return {"", arg.name};
  if (arg.kind == AstKind::kInvoke && arg.children[0]->kind == AstKind::kIdentifier &&
      arg.children[1]->kind == AstKind::kIdentifier &&
      (arg.children[0]->name == "FHIR" || arg.children[0]->name == "System")) {
    return {arg.children[0]->name, arg.children[1]->name};
  }
  throw FhirPathSyntaxError(arg.offset, function + "() expects a type name");
}

void compilePattern(AstNode& call) {
  const AstNode& pattern = *call.children[0];
  if (pattern.kind != AstKind::kLiteral) return;
  const auto text = stringView(pattern.literal);
  if (!text) throw FhirPathSyntaxError(pattern.offset, call.name + "() expects a string pattern");
  try {
    call.regex = compileRegex(std::string(*text));
  } catch (const std::regex_error&) {
    throw FhirPathSyntaxError(pattern.offset,
                              "invalid regular expression '" + std::string(*text) + "'");
  }
}

}  // namespace

void bind(AstNode& node) {
  for (auto& child : node.children) bind(*child);
  if (node.kind != AstKind::kFunction) return;
  const FunctionDef* def = findFunction(node.name);
  if (!def) throw FhirPathSyntaxError(node.offset, "unknown function '" + node.name + "'");
  const int count = static_cast<int>(node.children.size());
  if (count < def->minArgs || count > def->maxArgs) {
    throw FhirPathSyntaxError(node.offset, node.name + "() takes " + std::to_string(def->minArgs) +
                                               ".." + std::to_string(def->maxArgs) +
                                               " arguments, not " + std::to_string(count));
  }
  node.function = def;
  if (def->argumentKind == ArgumentKind::kType) {
    node.typeSpec = typeArgument(*node.children[0], node.name);
    node.children.clear();
  }
  if ((node.name == "matches" || node.name == "replaceMatches") && count > 0) {
    compilePattern(node);
  }
}

}  // namespace sp::fhirpath
