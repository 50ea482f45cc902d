#include "fhirpath/navigation.h"

#include <cctype>
#include <string_view>

#include "fhirpath/type_system.h"

namespace sp::fhirpath {
namespace {

using rapidjson::SizeType;
using rapidjson::Value;

std::string_view keyOf(const Value::ConstMemberIterator& it) {
  return {it->name.GetString(), it->name.GetStringLength()};
}

bool isUnderscoreOf(std::string_view key, std::string_view name) {
  return key.size() == name.size() + 1 && key.front() == '_' && key.substr(1) == name;
}

const Value* findKey(const Value& object, std::string_view key) {
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    if (keyOf(it) == key) return &it->value;
  }
  return nullptr;
}

const Value* findExtension(const Value& object, std::string_view name) {
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    if (isUnderscoreOf(keyOf(it), name)) return &it->value;
  }
  return nullptr;
}

void appendOne(const Value* value, const Value* extension, const std::string& declared,
               Collection& out) {
  if (value && value->IsNull()) value = nullptr;
  if (extension && !extension->IsObject()) extension = nullptr;
  if (!value && !extension) return;
  Node n;
  n.value = value;
  n.primitiveExtension = extension;
  if (value) {
    n.type = inferredType(*value);
    // A contained resource keeps its own type; otherwise the declared type wins.
    if (!(value->IsObject() && !n.type.empty()) && !declared.empty()) n.type = declared;
  } else {
    n.type = declared;
  }
  out.push_back(std::move(n));
}

void appendValues(const Value* value, const Value* extension, const std::string& declared,
                  Collection& out) {
  if (value && value->IsArray()) {
    const bool parallel = extension && extension->IsArray();
    for (SizeType i = 0; i < value->Size(); ++i) {
      const Value* ext = parallel && i < extension->Size() ? &(*extension)[i] : nullptr;
      appendOne(&(*value)[i], ext, declared, out);
    }
    return;
  }
  if (!value && extension && extension->IsArray()) {
    for (const auto& ext : extension->GetArray()) appendOne(nullptr, &ext, declared, out);
    return;
  }
  appendOne(value, extension, declared, out);
}

std::string declaredType(const Node& parent, const std::string& key, const TypeProvider* types) {
  if (!types || parent.type.empty()) return "";
  return fhirTypeForCode(types->elementType(parent.type, key));
}

// value[x]: every key `name` + upper-case suffix naming a type.
void appendChoice(const Node& parent, const std::string& name, const TypeProvider* types,
                  Collection& out) {
  const Value& object = *parent.value;
  const bool known = types && !parent.type.empty();
  if (known && !types->isChoice(parent.type, name)) return;
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    std::string_view key = keyOf(it);
    const bool underscore = !key.empty() && key.front() == '_';
    if (underscore) key.remove_prefix(1);
    if (key.size() <= name.size() || key.compare(0, name.size(), name) != 0 ||
        std::isupper(static_cast<unsigned char>(key[name.size()])) == 0) {
      continue;
    }
    // `_valueString` is handled with `valueString` unless that key is absent.
    if (underscore && findKey(object, key)) continue;
    const std::string fullKey(key);
    std::string type = known ? fhirTypeForCode(types->elementType(parent.type, fullKey)) : "";
    if (type.empty()) type = typeForChoiceSuffix(key.substr(name.size()));
    if (type.empty()) continue;
    const Value* value = underscore ? nullptr : &it->value;
    const Value* extension = underscore ? &it->value : findExtension(object, key);
    appendValues(value, extension, type, out);
  }
}

}  // namespace

void appendMember(const Node& parent, const std::string& name, const TypeProvider* types,
                  Collection& out) {
  if (parent.value && parent.value->IsObject()) {
    const Value& object = *parent.value;
    const Value* value = nullptr;
    const Value* extension = nullptr;
    for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
      const std::string_view key = keyOf(it);
      if (key == name) {
        value = &it->value;
      } else if (isUnderscoreOf(key, name)) {
        extension = &it->value;
      }
    }
    if (value || extension) {
      appendValues(value, extension, declaredType(parent, name, types), out);
    } else {
      appendChoice(parent, name, types, out);
    }
    return;
  }
  // A primitive: only its `_name` object has children.
  if (parent.primitiveExtension && (name == "id" || name == "extension")) {
    if (const Value* v = findKey(*parent.primitiveExtension, name)) {
      appendValues(v, nullptr, name == "id" ? "string" : "Extension", out);
    }
  }
}

void appendChildren(const Node& parent, const TypeProvider* types, Collection& out) {
  if (parent.value && parent.value->IsObject()) {
    const Value& object = *parent.value;
    for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
      const std::string_view key = keyOf(it);
      if (key == "resourceType") continue;
      if (!key.empty() && key.front() == '_') {
        const std::string base(key.substr(1));
        if (!findKey(object, base)) {
          appendValues(nullptr, &it->value, declaredType(parent, base, types), out);
        }
        continue;
      }
      const std::string name(key);
      appendValues(&it->value, findExtension(object, key), declaredType(parent, name, types), out);
    }
    return;
  }
  if (parent.primitiveExtension) {
    for (const auto& m : parent.primitiveExtension->GetObject()) {
      const std::string_view key(m.name.GetString(), m.name.GetStringLength());
      appendValues(&m.value, nullptr, key == "id" ? "string" : "Extension", out);
    }
  }
}

bool namesTypeOf(const Node& node, const std::string& name) {
  return !name.empty() && std::isupper(static_cast<unsigned char>(name.front())) != 0 &&
         !node.type.empty() && derivesFrom(node.type, name);
}

}  // namespace sp::fhirpath
