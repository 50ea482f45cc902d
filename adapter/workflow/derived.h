// Liberal in, strict out: what a sender's standard (R4, UK Core, BaRS, Gravity SDOH) does not ask
// for and the hub's profiles do, the hub fills in itself, and says that it did: a meta.tag of
// CodeSystem hub-derived on the resource (searchable with _tag) and an informational issue in
// the answer. A sender's own elements are never changed (docs/derivation.md).
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "fhir/errors.h"

namespace sp::workflow {

// Tags `resource` as having had `code` (a hub-derived code) filled in, once, and returns the
// issue for the answer: `what` the hub did, at `expression`.
fhir::Issue recordDerived(rapidjson::Document& resource, const char* code, const std::string& what,
                          const std::string& expression);

// True when `resource` carries the hub-derived tag `code`.
bool wasDerived(const rapidjson::Value& resource, const char* code);

// Removes the hub-derived tag `code` (once what it stood for no longer holds), and meta.tag and
// meta when nothing else is left in them. Returns true when there was one.
bool forgetDerived(rapidjson::Value& resource, const char* code);

}  // namespace sp::workflow
