// The NHSD-* identity headers of a message (MESSAGING.md "HTTP headers"): whom the sending
// system says it acts for, and the check that this agrees with the sender. Pure.
//
//  - NHSD-End-User-Organisation: base64 JSON of an Organization; its ODS identifiers.
//  - NHSD-Requesting-Practitioner: base64 JSON of a PractitionerRole; the ODS identifier of its
//    `organization`.
// (NHSD-Requesting-Software names a Device: recorded only.) Each organisation named must be the
// sender: the client certificate's organisation when there is one, else an organisation of
// MessageHeader.sender. A header naming no ODS code says nothing to check.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sp::messaging {

struct IdentityHeader {
  std::string name;              // as sent, e.g. "NHSD-End-User-Organisation"
  std::vector<std::string> ods;  // the ODS codes it names
};

// Reads the identity headers (names in lower case). A present header that is not base64 of a
// JSON object of the expected resourceType is refused: FhirError kInvalid (400), code `value`.
std::vector<IdentityHeader> readIdentityHeaders(const std::map<std::string, std::string>& headers);

// Refuses (FhirError kForbidden, 403, code `forbidden`) a header naming an organisation other
// than the sender's. `certificateOrganisation` is empty without a client certificate;
// `senderOds` are the ODS codes of MessageHeader.sender (may be empty: nothing to compare).
void checkIdentityHeaders(const std::vector<IdentityHeader>& identities,
                          const std::string& certificateOrganisation,
                          const std::vector<std::string>& senderOds);

}  // namespace sp::messaging
