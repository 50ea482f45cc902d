// Small helpers for reading JSON answers in integration tests.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <vector>

namespace sp::testing {

inline rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  EXPECT_FALSE(doc.HasParseError()) << "not JSON: " << text;
  return doc;
}

// The string at a JSON Pointer ("/issue/0/code"), or "" when absent or not a string.
inline std::string at(const rapidjson::Value& doc, const char* pointer) {
  const rapidjson::Value* v = rapidjson::Pointer(pointer).Get(doc);
  return v && v->IsString() ? v->GetString() : "";
}

inline std::string at(const std::string& json, const char* pointer) {
  return at(parse(json), pointer);
}

// Compact JSON text of `value`.
inline std::string write(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

// `json` with the member at `pointer` set to the JSON `value`.
inline std::string with(const std::string& json, const char* pointer, const std::string& value) {
  rapidjson::Document doc = parse(json);
  rapidjson::Document v;
  v.Parse(value.c_str());
  rapidjson::Value copy;
  copy.CopyFrom(v, doc.GetAllocator());
  rapidjson::Pointer(pointer).Set(doc, copy);
  return write(doc);
}

// `json` without the member at `pointer`.
inline std::string without(const std::string& json, const char* pointer) {
  rapidjson::Document doc = parse(json);
  rapidjson::Pointer(pointer).Erase(doc);
  return write(doc);
}

// `text` as a JSON string literal (no escaping: test data only).
inline std::string quoted(const std::string& text) { return "\"" + text + "\""; }

inline std::size_t arraySize(const std::string& json, const char* pointer) {
  rapidjson::Document doc = parse(json);
  const rapidjson::Value* v = rapidjson::Pointer(pointer).Get(doc);
  return v && v->IsArray() ? v->Size() : 0;
}

// "system|code" of every coding of the CodeableConcept at `pointer`.
inline std::vector<std::string> codings(const std::string& json, const std::string& pointer) {
  std::vector<std::string> out;
  rapidjson::Document doc = parse(json);
  const rapidjson::Value* cc = rapidjson::Pointer((pointer + "/coding").c_str()).Get(doc);
  if (!cc || !cc->IsArray()) return out;
  for (const auto& c : cc->GetArray()) {
    out.push_back(at(c, "/system") + "|" + at(c, "/code"));
  }
  return out;
}

// "system|code" of every meta.tag of a resource.
inline std::vector<std::string> tags(const std::string& json) {
  std::vector<std::string> out;
  rapidjson::Document doc = parse(json);
  const rapidjson::Value* list = rapidjson::Pointer("/meta/tag").Get(doc);
  if (!list || !list->IsArray()) return out;
  for (const auto& t : list->GetArray()) out.push_back(at(t, "/system") + "|" + at(t, "/code"));
  return out;
}

}  // namespace sp::testing
