// Rules that run on every write, plugged in by resource type, so domain code (mapping tables,
// the referral workflow, capacity) joins the write path without the interactions knowing it.
//
// beforeWrite may change the incoming resource (normalise codes), add warnings, or refuse the
// write by throwing fhir::FhirError; it runs before validation. afterWrite runs in the same
// store transaction once the version is appended (follow-on writes, such as a referral's Task).
// Each write is parsed once: rules get the resource as a document, and the version it replaces
// from WriteContext::previousResource(), parsed on first use and shared by every rule.
// Rules must be thread-safe; a WriteContext belongs to one request.
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fhir/errors.h"
#include "security/caller.h"
#include "store/resource_store.h"

namespace sp::rest {

struct ApiContext;

struct WriteContext {
  const ApiContext& api;
  store::StoreTransaction& tx;
  const std::string& type;
  const std::string& id;
  const std::optional<store::ResourceVersion>& previous;  // absent or deleted: a create
  const std::string& method;                              // POST, PUT or PATCH
  const security::Caller& caller;                         // who writes
  std::vector<fhir::Issue>& warnings;
  // Set by a beforeWrite rule that recorded a version of its own first (an implicit step, such
  // as workflow/implicit_acceptance.h): the write then follows that version, and afterWrite
  // sees it as `previous`.
  std::optional<store::ResourceVersion> stepBefore;
  // `previous` parsed (null for a create, or after a deletion). Throws FhirError for a stored
  // body that is not JSON.
  const rapidjson::Value* previousResource();
  std::shared_ptr<const rapidjson::Document> parsedPrevious = nullptr;  // previousResource()'s
};

class WriteRule {
 public:
  virtual ~WriteRule() = default;
  virtual void beforeWrite(rapidjson::Document& resource, WriteContext& context) const = 0;
  // `resource` is `written.body` as a document.
  virtual void afterWrite(const store::ResourceVersion& written, const rapidjson::Value& resource,
                          WriteContext& context) const {
    (void)written;
    (void)resource;
    (void)context;
  }
};

// The rules for each resource type ("*" applies to all types, first).
class WriteRules {
 public:
  void add(const std::string& type, const WriteRule* rule) { rules_[type].push_back(rule); }
  std::vector<const WriteRule*> forType(const std::string& type) const {
    std::vector<const WriteRule*> out;
    for (const char* key : {"*", type.c_str()}) {
      auto it = rules_.find(key);
      if (it != rules_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
    }
    return out;
  }

 private:
  std::map<std::string, std::vector<const WriteRule*>> rules_;
};

}  // namespace sp::rest
