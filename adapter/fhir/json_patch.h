// RFC 6902 JSON Patch over a RapidJSON DOM, with RFC 6901 JSON Pointer paths.
//
// Contract:
// - The whole patch is validated before anything is applied, then the operations run in order on
//   a deep copy of the target that is swapped in only when every operation succeeded: on any
//   failure `target` is left unchanged. All new values are allocated with target's allocator (a
//   pool allocator: memory of replaced or discarded values is reclaimed with the document).
// - Errors are FhirError with one issue whose diagnostics start "patch operation N: " (N is the
//   0-based index of the operation in the patch array) and quote the pointer involved:
//   - ErrorKind::kInvalid, code "invalid": the patch document itself is malformed (not an array,
//     an operation that is not an object, missing / non-string / unknown "op", missing or
//     non-string "path" / "from", missing "value", a pointer that is not empty and does not start
//     with '/', or a '~' not followed by '0' or '1').
//   - ErrorKind::kUnprocessable, code "processing": a well-formed operation cannot be applied to
//     this document (a location that does not exist, an array index that is malformed, such as
//     "01" or "+1", or out of range, removing the document root, a failed "test", a "move" from a
//     location into one of its own children).
// - "test" compares deeply: object members regardless of order, numbers by value (1 equals 1.0),
//   strings byte for byte (so marked FHIR decimals compare by their text). Objects with duplicate
//   member names are not supported.
// - Thread safety: pure, no shared state. Different documents may be patched concurrently; one
//   document must not be used by other threads while it is patched.
#pragma once

#include <rapidjson/document.h>

namespace sp::fhir {

// Applies the JSON Patch `patch` (a JSON array of operation objects) to `target` in place.
void applyJsonPatch(rapidjson::Document& target, const rapidjson::Value& patch);

}  // namespace sp::fhir
