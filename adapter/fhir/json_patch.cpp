#include "fhir/json_patch.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fhir/errors.h"

namespace sp::fhir {
namespace {

using rapidjson::SizeType;
using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

enum class OpType { kAdd, kRemove, kReplace, kMove, kCopy, kTest };

struct OpName {
  const char* name;
  OpType type;
};

constexpr OpName kOpNames[] = {
    {"add", OpType::kAdd},   {"remove", OpType::kRemove}, {"replace", OpType::kReplace},
    {"move", OpType::kMove}, {"copy", OpType::kCopy},     {"test", OpType::kTest},
};

// A parsed RFC 6901 pointer: its text (for messages) and its unescaped reference tokens.
struct Pointer {
  std::string text;
  std::vector<std::string> tokens;  // empty for the whole document
};

struct Operation {
  std::size_t number = 0;  // index in the patch array
  OpType type = OpType::kAdd;
  Pointer path;
  Pointer from;                  // move and copy only
  const Value* value = nullptr;  // add, replace and test only
};

// Where a pointer leads: the container holding the last token and that token. `parent` is null
// when the pointer is the whole document. For an array parent, `index` is in [0, size], where
// size means one past the end ("-").
struct Location {
  Value* parent = nullptr;
  std::string key;
  std::size_t index = 0;
};

[[noreturn]] void throwInvalid(std::size_t number, const std::string& message) {
  throw FhirError(ErrorKind::kInvalid, "invalid",
                  "patch operation " + std::to_string(number) + ": " + message);
}

[[noreturn]] void throwUnprocessable(std::size_t number, const std::string& message) {
  throw FhirError(ErrorKind::kUnprocessable, "processing",
                  "patch operation " + std::to_string(number) + ": " + message);
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

std::string stringOf(const Value& value) {
  return std::string(value.GetString(), value.GetStringLength());
}

// ---- Parsing the patch document ----

Pointer parsePointer(const std::string& text, std::size_t number, const char* field) {
  Pointer pointer{text, {}};
  if (text.empty()) return pointer;
  if (text[0] != '/') {
    throwInvalid(number, std::string("'") + field + "' " + quoted(text) +
                             " is not a JSON pointer (must be empty or start with '/')");
  }
  std::string token;
  for (std::size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '/') {
      pointer.tokens.push_back(std::move(token));
      token.clear();
    } else if (text[i] != '~') {
      token += text[i];
    } else if (i + 1 < text.size() && (text[i + 1] == '0' || text[i + 1] == '1')) {
      token += text[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      throwInvalid(number, std::string("'") + field + "' " + quoted(text) +
                               " has an invalid escape ('~' must be followed by '0' or '1')");
    }
  }
  return pointer;
}

Pointer pointerMember(const Value& op, const char* field, std::size_t number) {
  auto it = op.FindMember(field);
  if (it == op.MemberEnd()) throwInvalid(number, std::string("missing '") + field + "'");
  if (!it->value.IsString()) throwInvalid(number, std::string("'") + field + "' must be a string");
  return parsePointer(stringOf(it->value), number, field);
}

Operation parseOperation(const Value& op, std::size_t number) {
  if (!op.IsObject()) throwInvalid(number, "operation must be a JSON object");
  Operation operation;
  operation.number = number;

  auto opIt = op.FindMember("op");
  if (opIt == op.MemberEnd()) throwInvalid(number, "missing 'op'");
  if (!opIt->value.IsString()) throwInvalid(number, "'op' must be a string");
  const std::string name = stringOf(opIt->value);
  bool known = false;
  for (const OpName& entry : kOpNames) {
    if (name == entry.name) {
      operation.type = entry.type;
      known = true;
    }
  }
  if (!known) throwInvalid(number, "unknown op " + quoted(name));

  operation.path = pointerMember(op, "path", number);
  if (operation.type == OpType::kMove || operation.type == OpType::kCopy) {
    operation.from = pointerMember(op, "from", number);
  }
  if (operation.type == OpType::kAdd || operation.type == OpType::kReplace ||
      operation.type == OpType::kTest) {
    auto valueIt = op.FindMember("value");
    if (valueIt == op.MemberEnd()) throwInvalid(number, "missing 'value'");
    operation.value = &valueIt->value;
  }
  return operation;
}

// ---- Navigating the document ----

// An RFC 6901 array index: "0" or digits without a leading zero; "-" is one past the end
// (`size`). Nullopt when malformed; a number too large to represent yields the maximum size_t.
std::optional<std::size_t> parseIndex(const std::string& token, std::size_t size) {
  if (token == "-") return size;
  if (token.empty() || (token.size() > 1 && token[0] == '0')) return std::nullopt;
  std::size_t index = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::size_t digit = static_cast<std::size_t>(c - '0');
    if (index > (std::numeric_limits<std::size_t>::max() - digit) / 10) {
      index = std::numeric_limits<std::size_t>::max();
    } else {
      index = index * 10 + digit;
    }
  }
  return index;
}

Value* memberValue(Value& object, const std::string& key) {
  const Value name(rapidjson::StringRef(key.data(), key.size()));
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// Resolves `pointer` to the container of its last token. Every container on the way must exist;
// the last token itself need not (add creates it). Throws kUnprocessable otherwise.
Location resolve(Value& root, const Pointer& pointer, std::size_t number) {
  Location location;
  Value* current = &root;
  for (std::size_t i = 0; i < pointer.tokens.size(); ++i) {
    const std::string& token = pointer.tokens[i];
    const bool last = i + 1 == pointer.tokens.size();
    if (current->IsObject()) {
      if (last) {
        location.parent = current;
        location.key = token;
        break;
      }
      current = memberValue(*current, token);
      if (current == nullptr) {
        throwUnprocessable(number, "path " + quoted(pointer.text) + " does not exist");
      }
    } else if (current->IsArray()) {
      const std::size_t size = current->Size();
      const std::optional<std::size_t> index = parseIndex(token, size);
      if (!index) {
        throwUnprocessable(
            number, "invalid array index " + quoted(token) + " in path " + quoted(pointer.text));
      }
      if (*index > size || (!last && *index == size)) {
        throwUnprocessable(number, "array index " + quoted(token) + " out of range in path " +
                                       quoted(pointer.text));
      }
      if (last) {
        location.parent = current;
        location.index = *index;
        break;
      }
      current = &(*current)[static_cast<SizeType>(*index)];
    } else {
      throwUnprocessable(number, "path " + quoted(pointer.text) +
                                     " does not exist (a parent is not an object or array)");
    }
  }
  return location;
}

// The value at `location`, or null when there is none.
Value* valueAt(Value& root, const Location& location) {
  if (location.parent == nullptr) return &root;
  if (location.parent->IsObject()) return memberValue(*location.parent, location.key);
  if (location.index >= location.parent->Size()) return nullptr;
  return &(*location.parent)[static_cast<SizeType>(location.index)];
}

Value& existingValue(Value& root, const Pointer& pointer, std::size_t number) {
  Value* value = valueAt(root, resolve(root, pointer, number));
  if (value == nullptr) {
    throwUnprocessable(number, "path " + quoted(pointer.text) + " does not exist");
  }
  return *value;
}

// Adds `value` (moved from) at `location`: replaces the document or an object member, or inserts
// into an array.
void insertAt(Value& root, const Location& location, Value& value, Allocator& alloc) {
  Value* existing = valueAt(root, location);
  if (existing != nullptr && (location.parent == nullptr || location.parent->IsObject())) {
    existing->Swap(value);
    return;
  }
  Value& parent = *location.parent;
  if (parent.IsObject()) {
    Value name(location.key.data(), static_cast<SizeType>(location.key.size()), alloc);
    parent.AddMember(name, value, alloc);
    return;
  }
  parent.PushBack(value, alloc);
  for (std::size_t i = parent.Size() - 1; i > location.index; --i) {
    parent[static_cast<SizeType>(i)].Swap(parent[static_cast<SizeType>(i - 1)]);
  }
}

// Removes the value at `pointer` (which must exist and not be the root) and returns it.
Value takeAt(Value& root, const Pointer& pointer, std::size_t number) {
  if (pointer.tokens.empty()) throwUnprocessable(number, "cannot remove the document root");
  const Location location = resolve(root, pointer, number);
  Value* existing = valueAt(root, location);
  if (existing == nullptr) {
    throwUnprocessable(number, "path " + quoted(pointer.text) + " does not exist");
  }
  Value taken;
  taken.Swap(*existing);
  Value& parent = *location.parent;
  if (parent.IsObject()) {
    const Value name(rapidjson::StringRef(location.key.data(), location.key.size()));
    parent.EraseMember(parent.FindMember(name));  // keeps the order of the other members
  } else {
    parent.Erase(parent.Begin() + location.index);
  }
  return taken;
}

// ---- Deep equality for "test" ----

bool numbersEqual(const Value& a, const Value& b) {
  if (!a.IsDouble() && !b.IsDouble()) {
    if (a.IsInt64() && b.IsInt64()) return a.GetInt64() == b.GetInt64();
    if (a.IsUint64() && b.IsUint64()) return a.GetUint64() == b.GetUint64();
    return false;  // one is negative, the other above the int64 range
  }
  if (a.IsDouble() && b.IsDouble()) return a.GetDouble() == b.GetDouble();
  // One double, one integer: compare exactly, without rounding the integer to a double.
  const double d = a.IsDouble() ? a.GetDouble() : b.GetDouble();
  const Value& integer = a.IsDouble() ? b : a;
  if (!(d == std::floor(d))) return false;  // fractional, NaN
  constexpr double kTwoPow63 = 9223372036854775808.0;
  if (integer.IsInt64()) {
    return d >= -kTwoPow63 && d < kTwoPow63 && static_cast<std::int64_t>(d) == integer.GetInt64();
  }
  return d >= 0 && d < 2 * kTwoPow63 && static_cast<std::uint64_t>(d) == integer.GetUint64();
}

bool jsonEqual(const Value& a, const Value& b) {
  if (a.IsNumber() && b.IsNumber()) return numbersEqual(a, b);
  if (a.GetType() != b.GetType()) return false;
  if (a.IsString()) {
    return a.GetStringLength() == b.GetStringLength() &&
           std::memcmp(a.GetString(), b.GetString(), a.GetStringLength()) == 0;
  }
  if (a.IsArray()) {
    if (a.Size() != b.Size()) return false;
    for (SizeType i = 0; i < a.Size(); ++i) {
      if (!jsonEqual(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.IsObject()) {
    if (a.MemberCount() != b.MemberCount()) return false;
    for (auto it = a.MemberBegin(); it != a.MemberEnd(); ++it) {
      auto other = b.FindMember(it->name);
      if (other == b.MemberEnd() || !jsonEqual(it->value, other->value)) return false;
    }
    return true;
  }
  return true;  // null, true, false: same type is same value
}

// ---- The operations ----

void applyAdd(Value& root, const Operation& op, Allocator& alloc) {
  Value value(*op.value, alloc);
  insertAt(root, resolve(root, op.path, op.number), value, alloc);
}

void applyRemove(Value& root, const Operation& op) { takeAt(root, op.path, op.number); }

void applyReplace(Value& root, const Operation& op, Allocator& alloc) {
  Value& target = existingValue(root, op.path, op.number);
  Value value(*op.value, alloc);
  target.Swap(value);
}

bool isProperPrefix(const Pointer& prefix, const Pointer& pointer) {
  return prefix.tokens.size() < pointer.tokens.size() &&
         std::equal(prefix.tokens.begin(), prefix.tokens.end(), pointer.tokens.begin());
}

void applyMove(Value& root, const Operation& op, Allocator& alloc) {
  if (isProperPrefix(op.from, op.path)) {
    throwUnprocessable(op.number, "cannot move " + quoted(op.from.text) + " into its own child " +
                                      quoted(op.path.text));
  }
  if (op.from.tokens == op.path.tokens) {
    existingValue(root, op.from, op.number);  // must exist; moving onto itself changes nothing
    return;
  }
  Value value = takeAt(root, op.from, op.number);
  insertAt(root, resolve(root, op.path, op.number), value, alloc);
}

void applyCopy(Value& root, const Operation& op, Allocator& alloc) {
  // Copy before resolving the destination: inserting may reallocate the source's array.
  Value value(existingValue(root, op.from, op.number), alloc);
  insertAt(root, resolve(root, op.path, op.number), value, alloc);
}

void applyTest(Value& root, const Operation& op) {
  if (!jsonEqual(existingValue(root, op.path, op.number), *op.value)) {
    throwUnprocessable(op.number, "test failed: value at path " + quoted(op.path.text) +
                                      " differs from the expected value");
  }
}

void applyOperation(Value& root, const Operation& op, Allocator& alloc) {
  switch (op.type) {
    case OpType::kAdd:
      return applyAdd(root, op, alloc);
    case OpType::kRemove:
      return applyRemove(root, op);
    case OpType::kReplace:
      return applyReplace(root, op, alloc);
    case OpType::kMove:
      return applyMove(root, op, alloc);
    case OpType::kCopy:
      return applyCopy(root, op, alloc);
    case OpType::kTest:
      return applyTest(root, op);
  }
}

}  // namespace

void applyJsonPatch(rapidjson::Document& target, const rapidjson::Value& patch) {
  if (!patch.IsArray()) {
    throw FhirError(ErrorKind::kInvalid, "invalid", "JSON Patch document must be a JSON array");
  }
  std::vector<Operation> operations;
  operations.reserve(patch.Size());
  for (SizeType i = 0; i < patch.Size(); ++i) operations.push_back(parseOperation(patch[i], i));

  Allocator& alloc = target.GetAllocator();
  Value work(target, alloc);
  for (const Operation& op : operations) applyOperation(work, op, alloc);
  static_cast<Value&>(target).Swap(work);
}

}  // namespace sp::fhir
