// A test helper: checks a resource against the official FHIR R4 JSON Schema (fhir.schema.json,
// vendored gzipped in tests/data/), independently of the project's own validator.
//
// RapidJSON's schema validator implements draft-04; the FHIR schema is draft-06 and uses one
// draft-06 keyword, `const` (every resource definition fixes its resourceType with it). The
// checker rewrites each `const: X` as the draft-04 equivalent `enum: [X]`. It compiles the
// schema once, with a root that names each resource type's definition as a property, and checks
// a resource as the value of the property named by its resourceType (what the schema's
// discriminator says), so a failure names the keyword and the place that failed instead of the
// top-level oneOf. Nested resources (contained, Bundle entries) still go through the schema's
// ResourceList oneOf, which the rewritten `enum` makes exclusive.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>

namespace rapidjson {
template <typename ValueT, typename Allocator>
class GenericSchemaDocument;
}

namespace sp::testing {

class FhirJsonSchema {
 public:
  // Reads the gzipped schema; throws std::runtime_error when it cannot.
  explicit FhirJsonSchema(const std::string& gzippedSchemaPath);
  ~FhirJsonSchema();
  FhirJsonSchema(const FhirJsonSchema&) = delete;
  FhirJsonSchema& operator=(const FhirJsonSchema&) = delete;

  // Whether the schema defines this resource type.
  bool defines(const std::string& resourceType) const;

  // What is wrong with `resource` by the schema ("" when it passes): the failing keyword, where
  // in the schema, and where in the resource, e.g. "additionalProperties at
  // #/definitions/Patient, document #/favouriteColour".
  std::string check(const rapidjson::Value& resource);

 private:
  using SchemaDocument =
      rapidjson::GenericSchemaDocument<rapidjson::Value, rapidjson::CrtAllocator>;

  rapidjson::Document source_;  // definitions, const rewritten, and the root described above
  std::unique_ptr<SchemaDocument> compiled_;
};

}  // namespace sp::testing
