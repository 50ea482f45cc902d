// The search index of a resource, computed from the loaded SearchParameters.
//
// Construct once at start-up: every parameter whose base is a concrete resource type, Resource
// (then it applies to every type) or DomainResource (every type but Bundle, Binary and
// Parameters) has its FHIRPath expression parsed here (a parameter shared by several types also
// in a form narrowed to each, see type_narrowing.h). Parameters without an expression
// (_text, _content, _query) or whose expression does not parse are left out and listed by
// skipped(). Composite parameters and special ones other than `near` (Location.position, indexed
// as GeoRows) are left out silently. Where two parameters share a code on a type, the one
// loaded last wins (the project's fhir-profiles/sp/ files come after the R4 ones).
//
// extract() evaluates every parameter of the resource's type and turns what each finds into
// rows (see node_rows.h for how each data type is read); each row's `param` is the parameter's
// code and identical rows are merged. `_id` is listed by parameter()/parameters() but adds no
// rows: the store searches ids itself. An expression that fails on a particular resource (a
// FHIRPath evaluation error, such as several items where one is needed) contributes no rows
// for that parameter; extract() itself does not throw on resource content.
//
// Lifetime and threads: the Definitions must outlive the extractor (the returned definition
// pointers point into it). After construction everything is const and extract() may run on
// several threads at once.
#pragma once

#include <rapidjson/document.h>

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "fhir/definitions.h"
#include "fhirpath/fhirpath.h"
#include "search/node_rows.h"
#include "search/string_normaliser.h"  // normaliseForSearch(), for the query side
#include "store/search_index.h"
#include "validation/definitions_type_provider.h"

namespace sp::search {

class IndexExtractor {
 public:
  explicit IndexExtractor(const fhir::Definitions& definitions);

  IndexExtractor(const IndexExtractor&) = delete;
  IndexExtractor& operator=(const IndexExtractor&) = delete;

  // The rows of `resource` (a JSON object with `resourceType`); empty for an unknown type.
  store::SearchIndex extract(const rapidjson::Value& resource) const;

  // The parameter with `code` that applies to resource type `type`; null when there is none.
  const fhir::SearchParameterDefinition* parameter(const std::string& type,
                                                   const std::string& code) const;
  // Every parameter that applies to `type`, ordered by code.
  std::vector<const fhir::SearchParameterDefinition*> parameters(const std::string& type) const;
  // "code (base, ...): reason" for each parameter left out at construction.
  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  // A parameter as it is evaluated on one or more resource types.
  struct Compiled {
    const fhir::SearchParameterDefinition* definition;
    ParameterKind kind;
    // Narrowed to the types it serves (type_narrowing.h); nullopt when it adds no rows there
    // (_id, or a shared parameter without a branch for the type).
    std::optional<fhirpath::Expression> expression;
  };
  using ByCode = std::map<std::string, const Compiled*>;

  // Parses the parameter and files it under each type it applies to, or lists it in skipped_.
  void add(const fhir::SearchParameterDefinition& definition, ParameterKind kind);
  // The resource types a parameter's bases name.
  std::vector<std::string> typesOf(const fhir::SearchParameterDefinition& definition) const;

  const fhir::Definitions& definitions_;
  validation::DefinitionsTypeProvider types_;
  std::deque<Compiled> compiled_;  // a deque: byType_ points into it
  std::unordered_map<std::string, ByCode> byType_;
  std::vector<std::string> skipped_;
};

}  // namespace sp::search
