// What an expression may see besides its input: the external constants, optional type
// information, reference resolution, terminology and the clock.
//
// All members are optional. An Environment is read-only during evaluation; the callbacks must be
// safe to call from the evaluating thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "fhirpath/node.h"
#include "fhirpath/type_provider.h"

namespace sp::fhirpath {

struct Environment {
  // %resource, and where a path that starts with a type name not naming the context starts
  // (`Patient.name` on a Patient.contact); an empty Node means "the context".
  Node resource;
  Node rootResource;  // %rootResource; an empty Node means %resource
  const TypeProvider* types = nullptr;
  // Resolves a reference string ("Patient/1", "#contained", "urn:uuid:...") to a resource node.
  // When absent, or when it returns nullopt, resolve() falls back to contained resources, Bundle
  // entries of %rootResource (by fullUrl) and, for "Type/id" references, a node of that type
  // without a value.
  std::function<std::optional<Node>(const std::string&)> resolve;
  // Membership for memberOf(valueSetUrl); absent -> memberOf returns empty. Receives a code,
  // Coding or CodeableConcept node.
  std::function<std::optional<bool>(const Node& coding, const std::string& valueSetUrl)> memberOf;
  // For now(), today() and timeOfDay(); evaluated as UTC.
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  // Further external constants: %name -> value (checked after the built-in ones).
  std::map<std::string, Collection> variables;
};

}  // namespace sp::fhirpath
