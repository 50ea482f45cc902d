// The operation table: what the use cases (adapter/services/) add to the FHIR API, keyed by
// resource type and name, registered from main like the write rules. rest/ routes to the
// entries, checks access, audits and lists them in the CapabilityStatement, and names none.
//
// Two kinds of operation:
//  - an Operation runs like an interaction: in a store transaction the API opens (read-only
//    when the entry says so), after the caller's access to the type is checked, with its audit
//    record written in the same transaction; it may also run as an entry of a batch;
//  - a RequestOperation takes the whole request and answers it itself (its own transactions,
//    such as a FHIR message's); the API writes its audit record unless the answer says it did.
// An entry's name is a path segment: "$translate" for a FHIR operation, or a plain name for a
// page served beside the API ("reports", at system level only).
// Thread-safe once built: the table is read-only while requests are served.
#pragma once

#include <string>
#include <vector>

#include "fhir/errors.h"
#include "rest/rest_types.h"
#include "security/caller.h"
#include "store/resource_store.h"

namespace sp::rest {

struct ApiContext;
struct InteractionInput;
struct InteractionResult;
struct Route;

class Operation {
 public:
  virtual ~Operation() = default;
  virtual InteractionResult run(const ApiContext& ctx, store::StoreTransaction& tx,
                                const Route& route, const InteractionInput& in) const = 0;
};

class RequestOperation {
 public:
  virtual ~RequestOperation() = default;
  virtual RestResponse handle(const RestRequest& request, const security::Caller& caller) const = 0;
  // The body of an answer to a refused request on this path (default: its OperationOutcome).
  virtual std::string errorBody(int status, const std::vector<fhir::Issue>& issues) const;
};

struct OperationEntry {
  std::string type = "";        // the resource type; empty at system level
  std::string name = "";        // the path segment: "$translate", "reports.csv"
  bool typeLevel = true;        // Type/$name (or /$name at system level)
  bool instanceLevel = false;   // Type/id/$name
  std::string methods = "GET";  // as an Allow header lists them: "GET, POST"
  bool readOnly = true;         // an Operation runs in a read-only transaction
  // Answers FHIR JSON, negotiated like every answer (406 otherwise); false for a page or a
  // download in a format of its own, which the operation answers as it sees fit.
  bool answersFhirJson = true;
  // The canonical of its OperationDefinition, for the CapabilityStatement (empty: not listed).
  std::string definition = "";
  const Operation* operation = nullptr;  // exactly one of these two
  const RequestOperation* requestOperation = nullptr;
};

class Operations {
 public:
  // Throws std::invalid_argument for an entry without exactly one handler, or one registered
  // twice.
  void add(OperationEntry entry);
  // The entry for `name` on `type` (empty: system level) at instance or type level; null if none.
  const OperationEntry* find(const std::string& type, const std::string& name, bool instance) const;
  // Every entry, in the order they were added.
  const std::vector<OperationEntry>& entries() const { return entries_; }

 private:
  std::vector<OperationEntry> entries_;
};

}  // namespace sp::rest
