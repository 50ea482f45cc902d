// Which spellings of an identifier system mean the same system, read from NamingSystem
// resources (mappings/NamingSystem-*.json): the `uri` uniqueId marked preferred is the canonical
// spelling, every other `uri` uniqueId is a spelling partners use for it.
//
// Built once at start-up; const afterwards (safe to share between threads).
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <unordered_map>
#include <vector>

namespace sp::mapping {

class IdentifierSystems {
 public:
  // Adds one NamingSystem. Throws MapError when it is not a NamingSystem, has no or several
  // preferred uri uniqueIds, or lists a spelling another NamingSystem already claims.
  void add(const rapidjson::Value& namingSystem);

  // The canonical spelling of `system`; `system` itself when no table lists it.
  const std::string& canonical(const std::string& system) const;
  // "system|value" with the system part made canonical (text without '|' is returned as is).
  std::string canonicalToken(const std::string& token) const;
  std::size_t size() const { return toCanonical_.size(); }

  struct Change {
    std::string location;  // FHIRPath, e.g. "Organization.identifier[0].system"
    std::string from;
    std::string to;
  };
  // Rewrites, anywhere in `resource` (contained resources too), the `system` of every
  // Identifier (an object with string `system` and `value`) and the system part of
  // MessageHeader-style `endpoint` strings ("system|value"). Returns what changed.
  std::vector<Change> normalise(rapidjson::Value& resource,
                                rapidjson::Document::AllocatorType& allocator) const;

 private:
  std::unordered_map<std::string, std::string> toCanonical_;  // spelling -> canonical
};

}  // namespace sp::mapping
