#include "fhir/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "fhir/errors.h"
#include "fhir/utf8.h"

namespace sp::fhir {
namespace {

using rapidjson::Document;
using rapidjson::SizeType;
using rapidjson::Value;

bool hasControlCharacter(const char* text, SizeType length) {
  for (SizeType i = 0; i < length; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return true;
  }
  return false;
}

bool isPlainInteger(const char* text, SizeType length) {
  for (SizeType i = 0; i < length; ++i) {
    const char c = text[i];
    if (c == '.' || c == 'e' || c == 'E') return false;
  }
  return true;
}

// Forwards SAX events to a Document, enforcing the FHIR rules RapidJSON does not know and
// turning numbers into int64 or marked decimals.
class FhirJsonHandler {
 public:
  FhirJsonHandler(Document& doc, std::size_t maxDepth) : doc_(doc), maxDepth_(maxDepth) {}

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int64(i); }
  bool Uint(unsigned u) { return doc_.Int64(u); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t u) {
    const std::string text = std::to_string(u);
    return RawNumber(text.c_str(), static_cast<SizeType>(text.size()), true);
  }
  bool Double(double) { return fail("unexpected number form"); }
  bool RawNumber(const char* text, SizeType length, bool) {
    std::string s(text, length);
    if (isPlainInteger(text, length)) {
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(s.c_str(), &end, 10);
      if (errno == 0 && end == s.c_str() + s.size()) return doc_.Int64(v);
    }
    std::string marked(1, kDecimalMarker);
    marked += s;
    return doc_.String(marked.c_str(), static_cast<SizeType>(marked.size()), true);
  }
  bool String(const char* text, SizeType length, bool copy) {
    if (hasControlCharacter(text, length)) return fail("control character in a string");
    // RapidJSON validates raw bytes, but a lone "\udc00" escape decodes to a surrogate.
    if (!isValidUtf8({text, length})) return fail("a string is not valid UTF-8");
    return doc_.String(text, length, copy);
  }
  bool StartObject() {
    if (++depth_ > maxDepth_) return fail("JSON nested deeper than the limit");
    return doc_.StartObject();
  }
  bool Key(const char* text, SizeType length, bool copy) {
    if (hasControlCharacter(text, length)) return fail("control character in a member name");
    if (!isValidUtf8({text, length})) return fail("a member name is not valid UTF-8");
    return doc_.Key(text, length, copy);  // duplicates: duplicateMemberName, once parsed
  }
  bool EndObject(SizeType count) {
    --depth_;
    return doc_.EndObject(count);
  }
  bool StartArray() {
    if (++depth_ > maxDepth_) return fail("JSON nested deeper than the limit");
    return doc_.StartArray();
  }
  bool EndArray(SizeType count) {
    --depth_;
    return doc_.EndArray(count);
  }

  const std::string& problem() const { return problem_; }

 private:
  bool fail(std::string why) {
    problem_ = std::move(why);
    return false;
  }

  Document& doc_;
  std::size_t maxDepth_;
  std::size_t depth_ = 0;
  std::string problem_;
};

template <typename Writer>
void writeValue(const Value& v, Writer& w) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      w.Null();
      break;
    case rapidjson::kFalseType:
      w.Bool(false);
      break;
    case rapidjson::kTrueType:
      w.Bool(true);
      break;
    case rapidjson::kNumberType:
      if (v.IsInt64()) {
        w.Int64(v.GetInt64());
      } else if (v.IsUint64()) {
        w.Uint64(v.GetUint64());
      } else {
        w.Double(v.GetDouble());
      }
      break;
    case rapidjson::kStringType:
      if (isDecimal(v)) {
        w.RawValue(v.GetString() + 1, v.GetStringLength() - 1, rapidjson::kNumberType);
      } else {
        w.String(v.GetString(), v.GetStringLength());
      }
      break;
    case rapidjson::kObjectType:
      w.StartObject();
      for (const auto& m : v.GetObject()) {
        w.Key(m.name.GetString(), m.name.GetStringLength());
        writeValue(m.value, w);
      }
      w.EndObject();
      break;
    case rapidjson::kArrayType:
      w.StartArray();
      for (const auto& e : v.GetArray()) writeValue(e, w);
      w.EndArray();
      break;
  }
}

}  // namespace

// The first member name found twice in one object anywhere in `root`. Checked after parsing, on
// the parsed names, so that parsing keeps no set of names per object: small objects (nearly all
// of FHIR's) are compared pairwise, larger ones sorted.
std::optional<std::string_view> duplicateMemberName(const rapidjson::Value& root) {
  std::vector<const rapidjson::Value*> pending{&root};
  std::vector<std::string_view> names;
  while (!pending.empty()) {
    const rapidjson::Value& v = *pending.back();
    pending.pop_back();
    if (v.IsArray()) {
      for (const auto& e : v.GetArray()) {
        if (e.IsObject() || e.IsArray()) pending.push_back(&e);
      }
      continue;
    }
    if (!v.IsObject()) continue;
    names.clear();
    for (const auto& m : v.GetObject()) {
      names.emplace_back(m.name.GetString(), m.name.GetStringLength());
      if (m.value.IsObject() || m.value.IsArray()) pending.push_back(&m.value);
    }
    if (names.size() <= 16) {
      for (std::size_t i = 1; i < names.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
          if (names[i] == names[j]) return names[i];
        }
      }
      continue;
    }
    std::sort(names.begin(), names.end());
    const auto twice = std::adjacent_find(names.begin(), names.end());
    if (twice != names.end()) return *twice;
  }
  return std::nullopt;
}

void parseJson(std::string_view text, Document& out, const JsonLimits& limits) {
  FhirJsonHandler handler(out, limits.maxDepth);
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::Reader reader;
  constexpr unsigned kFlags = rapidjson::kParseNumbersAsStringsFlag |
                              rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseIterativeFlag;
  rapidjson::ParseResult result;
  struct Generator {
    rapidjson::Reader& reader;
    rapidjson::MemoryStream& stream;
    FhirJsonHandler& handler;
    rapidjson::ParseResult& result;
    bool operator()(Document&) {
      result = reader.Parse<kFlags>(stream, handler);
      return !result.IsError();
    }
  } generator{reader, stream, handler, result};
  out.Populate(generator);
  if (result.IsError()) {
    std::string why =
        handler.problem().empty() ? rapidjson::GetParseError_En(result.Code()) : handler.problem();
    throw FhirError(ErrorKind::kInvalid, "structure",
                    "Invalid JSON at offset " + std::to_string(result.Offset()) + ": " + why);
  }
  if (const auto name = duplicateMemberName(out)) {
    throw FhirError(ErrorKind::kInvalid, "structure",
                    "Invalid JSON: duplicate member name '" + std::string(*name) + "'");
  }
}

std::string writeJson(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writeValue(value, writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool isDecimal(const Value& value) {
  return value.IsString() && value.GetStringLength() > 0 && value.GetString()[0] == kDecimalMarker;
}

std::string numberText(const Value& value) {
  if (value.IsInt64()) return std::to_string(value.GetInt64());
  if (isDecimal(value)) return std::string(value.GetString() + 1, value.GetStringLength() - 1);
  if (value.IsNumber()) return std::to_string(value.GetDouble());
  return "";
}

Value makeDecimal(std::string_view text, Document::AllocatorType& alloc) {
  std::string marked(1, kDecimalMarker);
  marked.append(text);
  return Value(marked.c_str(), static_cast<SizeType>(marked.size()), alloc);
}

const Value* findMember(const Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::string getString(const Value& object, const char* name) {
  const Value* v = findMember(object, name);
  return (v && v->IsString() && !isDecimal(*v)) ? std::string(v->GetString(), v->GetStringLength())
                                                : std::string();
}

std::vector<std::string> getStrings(const Value& object, const char* name) {
  std::vector<std::string> out;
  if (const Value* list = findMember(object, name); list && list->IsArray()) {
    for (const auto& v : list->GetArray()) {
      if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
    }
  }
  return out;
}

Value makeString(std::string_view text, Document::AllocatorType& alloc) {
  return Value(text.data(), static_cast<SizeType>(text.size()), alloc);
}

void setMember(Value& object, const char* name, Value value, Document::AllocatorType& alloc) {
  auto it = object.FindMember(name);
  if (it != object.MemberEnd()) {
    it->value = std::move(value);
  } else {
    object.AddMember(Value(name, alloc), std::move(value), alloc);
  }
}

Value& memberOfType(Value& object, const char* name, rapidjson::Type type,
                    Document::AllocatorType& alloc) {
  auto it = object.FindMember(name);
  if (it != object.MemberEnd() && it->value.GetType() == type) return it->value;
  setMember(object, name, Value(type), alloc);
  return object[name];
}

void removeMember(Value& object, const char* name) {
  if (object.IsObject()) object.RemoveMember(name);
}

}  // namespace sp::fhir
