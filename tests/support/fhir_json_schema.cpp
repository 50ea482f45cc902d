#include "fhir_json_schema.h"

#include <rapidjson/error/en.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <zlib.h>

#include <stdexcept>

namespace sp::testing {

namespace {

std::string readGzipped(const std::string& path) {
  gzFile in = gzopen(path.c_str(), "rb");
  if (!in) throw std::runtime_error("cannot open " + path);
  std::string text;
  char buffer[1 << 16];
  int n;
  while ((n = gzread(in, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
  const bool failed = n < 0;
  gzclose(in);
  if (failed) throw std::runtime_error("cannot read " + path + " (not gzip?)");
  return text;
}

// Rewrites every schema's `const: X` as `enum: [X]`. The keys of a `properties` or
// `definitions` object are names, not keywords, so only their values are walked.
void constAsEnum(rapidjson::Value& value, rapidjson::Document::AllocatorType& alloc,
                 bool namesOnly = false) {
  if (value.IsArray()) {
    for (auto& item : value.GetArray()) constAsEnum(item, alloc);
    return;
  }
  if (!value.IsObject()) return;
  for (auto& member : value.GetObject()) {
    const std::string name = member.name.GetString();
    constAsEnum(member.value, alloc, !namesOnly && (name == "properties" || name == "definitions"));
  }
  if (namesOnly) return;
  auto constant = value.FindMember("const");
  if (constant == value.MemberEnd()) return;
  rapidjson::Value choices(rapidjson::kArrayType);
  choices.PushBack(rapidjson::Value(constant->value, alloc), alloc);
  value.RemoveMember(constant);
  value.AddMember("enum", choices, alloc);
}

std::string text(const rapidjson::Pointer& pointer) {
  rapidjson::StringBuffer out;
  pointer.StringifyUriFragment(out);
  return out.GetString();
}

}  // namespace

FhirJsonSchema::FhirJsonSchema(const std::string& gzippedSchemaPath) {
  const std::string json = readGzipped(gzippedSchemaPath);
  rapidjson::Document official;
  official.Parse(json.c_str(), json.size());
  if (official.HasParseError() || !official.IsObject() || !official.HasMember("definitions") ||
      !official.HasMember("discriminator")) {
    throw std::runtime_error(gzippedSchemaPath + " is not the FHIR JSON Schema");
  }
  auto& alloc = source_.GetAllocator();
  source_.SetObject();
  rapidjson::Value properties(rapidjson::kObjectType);
  for (const auto& type : official["discriminator"]["mapping"].GetObject()) {
    rapidjson::Value ref(rapidjson::kObjectType);
    ref.AddMember("$ref", rapidjson::Value(type.value, alloc), alloc);
    properties.AddMember(rapidjson::Value(type.name, alloc), ref, alloc);
  }
  source_.AddMember("definitions", rapidjson::Value(official["definitions"], alloc), alloc);
  source_.AddMember("type", "object", alloc);
  source_.AddMember("properties", properties, alloc);
  constAsEnum(source_, alloc);
  compiled_ = std::make_unique<SchemaDocument>(source_);
}

FhirJsonSchema::~FhirJsonSchema() = default;

bool FhirJsonSchema::defines(const std::string& resourceType) const {
  return source_["properties"].HasMember(resourceType.c_str());
}

std::string FhirJsonSchema::check(const rapidjson::Value& resource) {
  const auto type = resource.IsObject() ? resource.FindMember("resourceType")
                                        : rapidjson::Value::ConstMemberIterator();
  if (!resource.IsObject() || type == resource.MemberEnd() || !type->value.IsString()) {
    return "no resourceType";
  }
  const std::string name = type->value.GetString();
  if (!defines(name)) return "the schema defines no resource type " + name;
  rapidjson::Document wrapped;
  wrapped.SetObject();
  wrapped.AddMember(rapidjson::Value(name.c_str(), wrapped.GetAllocator()),
                    rapidjson::Value(resource, wrapped.GetAllocator()), wrapped.GetAllocator());
  rapidjson::GenericSchemaValidator<SchemaDocument> validator(*compiled_);
  if (wrapped.Accept(validator)) return "";
  // The place in the resource, without the wrapping property.
  std::string where = text(validator.GetInvalidDocumentPointer());
  const std::string wrapper = "#/" + name;
  if (where.rfind(wrapper, 0) == 0) where = "#" + where.substr(wrapper.size());
  return std::string(validator.GetInvalidSchemaKeyword()) + " at " +
         text(validator.GetInvalidSchemaPointer()) + ", document " + where;
}

}  // namespace sp::testing
