// What each kind of caller may do with each kind of resource, decided from the caller's role
// and the resource type alone (docs/security.md). Whether a caller may see one particular record
// is the compartment's question (security/compartment.h), answered by the store from the access
// grants those rules write.
//
//  - directory (HealthcareService, Organization, Location, Endpoint): everyone reads; the
//    directory administrator writes; a provider may update its own HealthcareService (checked
//    per resource by the caller of mayUpdateOwnService).
//  - shared (Practitioner, PractitionerRole, and the definitions: ConceptMap, ValueSet,
//    MessageDefinition, ...):
//    everyone reads; Practitioner and PractitionerRole are written by the partners that refer,
//    definitions by the administrator.
//  - AuditEvent: read and searched by the administrator only; never written through the API.
//  - records (everything else: Patient, ServiceRequest, Task, Consent, ...): the partners that do
//    the work, each within its compartment; neither the commissioner (reports, not records) nor
//    the administrator.
// Unchecked callers (development, the adapter itself) may do everything. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "security/caller.h"

namespace sp::security {

enum class Category { kDirectory, kShared, kAudit, kRecord };
Category categoryOf(const std::string& type);

enum class Action { kRead, kSearch, kHistory, kCreate, kUpdate, kDelete, kOperation };

// Throws FhirError kForbidden (kMethodNotAllowed for writes to AuditEvent) when the caller's role
// may never do `action` on resources of `type`. An empty type (system search or history) is
// allowed: the results are filtered instead.
void requireAllowed(const Caller& caller, Action action, const std::string& type);

// True when the caller sees every resource of `type` (no compartment filter applies).
bool seesAll(const Caller& caller, const std::string& type);

// Types everyone reads (the directory and shared types): a search filter lets them through.
const std::vector<std::string>& openTypes();

// Non-administrators may update directory entries only where this says so (HealthcareService),
// and then only for services their own organisation provides.
bool mayUpdateOwnService(const Caller& caller, const std::string& type);

// Whether the caller may delete a resource: directory and shared entries by the administrator,
// records by the organisation that created them.
bool mayDelete(const Caller& caller, const std::string& type, bool callerCreatedIt);

}  // namespace sp::security
