#include "rest/route.h"

#include <vector>

#include "fhir/errors.h"
#include "fhir/ids.h"

namespace sp::rest {
namespace {

using fhir::ErrorKind;
using fhir::FhirError;

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start < path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

struct Shape {
  std::string allow;  // methods this shape accepts
  bool known = true;
  const OperationEntry* operation = nullptr;
};

// The registered operation a path names, or null.
const OperationEntry* operationAt(const std::vector<std::string>& s, const Operations* ops) {
  if (!ops) return nullptr;
  if (s.size() == 1) return ops->find("", s[0], false);
  if (s.size() == 2 && s[1][0] == '$') return ops->find(s[0], s[1], false);
  if (s.size() == 3 && s[2][0] == '$') return ops->find(s[0], s[2], true);
  return nullptr;
}

// The methods each path shape accepts; the shape is found from the segments alone.
Shape shapeOf(const std::vector<std::string>& s, const fhir::Definitions& defs,
              const Operations* ops) {
  if (s.empty()) return {"GET, POST"};
  if (s.size() == 1 && s[0] == "metadata") return {"GET"};
  if (s.size() == 1 && s[0] == "healthz") return {"GET"};
  if (s.size() == 1 && s[0] == "_history") return {"GET"};
  if (s.size() == 1) {
    if (const OperationEntry* op = operationAt(s, ops)) return {op->methods, true, op};
  }
  if (!defs.isResourceType(s[0])) return {"", false};
  if (s.size() == 1) return {"GET, POST, PUT"};
  if (const OperationEntry* op = operationAt(s, ops)) return {op->methods, true, op};
  if (s.size() == 2 && s[1] == "_history") return {"GET"};
  if (s.size() == 2 && s[1] == "_search") return {"POST"};
  if (s.size() == 2 && s[1] == "$validate") return {"POST"};
  if (s.size() == 3 && s[2] == "$validate") return {"POST"};
  if (s.back()[0] == '$') return {"", false};  // an operation not listed above
  if (s.size() == 2) return {"GET, PUT, PATCH, DELETE"};
  if (s.size() == 3 && s[2] == "_history") return {"GET"};
  if (s.size() == 4 && s[2] == "_history") return {"GET"};
  return {"", false};
}

// True when `method` is one of the comma-separated methods in `allow`.
bool allows(const std::string& allow, const std::string& method) {
  std::size_t start = 0;
  while (start < allow.size()) {
    std::size_t end = allow.find(',', start);
    if (end == std::string::npos) end = allow.size();
    std::size_t first = allow.find_first_not_of(' ', start);
    if (allow.compare(first, end - first, method) == 0 && end - first == method.size()) return true;
    start = end + 1;
  }
  return false;
}

void requireValidId(const std::string& id) {
  if (!fhir::isValidId(id)) {
    throw FhirError(ErrorKind::kInvalid, "value",
                    "Invalid resource id: ids are 1 to 64 of A-Z a-z 0-9 - .");
  }
}

}  // namespace

std::string allowedMethods(const std::string& path, const fhir::Definitions& definitions,
                           const Operations* operations) {
  return shapeOf(splitPath(path), definitions, operations).allow;
}

Route parseRoute(const std::string& method, const std::string& path, bool hasQuery,
                 const fhir::Definitions& defs, const Operations* operations) {
  const std::vector<std::string> s = splitPath(path);
  const Shape shape = shapeOf(s, defs, operations);
  if (!shape.known) {
    if (!s.empty() && s[0][0] != '$' && !defs.isResourceType(s[0])) {
      throw FhirError(ErrorKind::kNotFound, "not-supported",
                      "Unknown resource type or path '" + s[0] + "'");
    }
    // An operation this server does not have answers alike at system, type and instance level.
    for (const std::string& segment : s) {
      if (segment.size() > 1 && segment[0] == '$') {
        throw FhirError(ErrorKind::kNotFound, "not-supported",
                        "Operation '" + segment + "' is not supported here");
      }
    }
    throw FhirError(ErrorKind::kNotFound, "not-found", "No such path");
  }
  if (!allows(shape.allow, method)) {
    throw FhirError(ErrorKind::kMethodNotAllowed, "not-supported",
                    method + " is not allowed here; allowed: " + shape.allow);
  }
  if (shape.operation) {
    Route op{Interaction::kOperation, shape.operation->type, "", "", shape.operation};
    if (s.size() == 3) {
      requireValidId(s[1]);
      op.id = s[1];
    }
    return op;
  }
  Route r{Interaction::kBatch, "", "", ""};
  if (s.empty()) {
    if (method == "GET") r.interaction = Interaction::kSearchSystem;
    return r;
  }
  if (s[0] == "metadata") return {Interaction::kCapabilities, "", "", ""};
  if (s[0] == "healthz") return {Interaction::kHealth, "", "", ""};
  if (s[0] == "_history") return {Interaction::kHistorySystem, "", "", ""};
  r.type = s[0];
  if (s.size() == 1) {
    if (method == "POST") r.interaction = Interaction::kCreate;
    if (method == "GET") r.interaction = Interaction::kSearchType;
    if (method == "PUT") {
      if (!hasQuery) {
        throw FhirError(ErrorKind::kInvalid, "required",
                        "PUT on a type needs search criteria (conditional update) or an id");
      }
      r.interaction = Interaction::kConditionalUpdate;
    }
    return r;
  }
  if (s[1] == "_history") {
    r.interaction = Interaction::kHistoryType;
    return r;
  }
  if (s[1] == "_search") {
    r.interaction = Interaction::kSearchType;
    return r;
  }
  if (s[1] == "$validate") {
    r.interaction = Interaction::kValidate;
    return r;
  }
  requireValidId(s[1]);
  r.id = s[1];
  if (s.size() == 2) {
    if (method == "GET") r.interaction = Interaction::kRead;
    if (method == "PUT") r.interaction = Interaction::kUpdate;
    if (method == "PATCH") r.interaction = Interaction::kPatch;
    if (method == "DELETE") r.interaction = Interaction::kDelete;
    return r;
  }
  if (s.size() == 3) {
    r.interaction = s[2] == "$validate" ? Interaction::kValidate : Interaction::kHistoryInstance;
    return r;
  }
  r.interaction = Interaction::kVread;
  r.versionId = s[3];
  if (!fhir::parseEtagVersion(r.versionId) || r.versionId.find('"') != std::string::npos) {
    throw FhirError(ErrorKind::kNotFound, "not-found", "No such version '" + s[3] + "'");
  }
  return r;
}

}  // namespace sp::rest
