// Real partner payloads (tests/data/partners/) sent as their systems send them, but in a test's
// own world: every id renewed, and the parties those of the test.
//
// - A Conversation renews every UUID it meets (Bundle.id, fullUrls, resource ids, references,
//   MessageHeader.response.identifier, ids inside any string) to a fresh one, the same fresh one
//   for the same original across all the messages of the conversation, so a later message still
//   names the earlier one's ids exactly where the examples share them.
// - retarget() puts the test's parties in place of the example's, by the roles the
//   MessageHeader gives: the sender's ODS code (the Organization MessageHeader.sender names, or
//   its PractitionerRole's organisation) and service id (`source.endpoint`), the receiver's
//   (`destination[0].receiver`, `destination[0].endpoint`), wherever the example repeats those
//   values (a performer Organization, a HealthcareService identifier). Identifier systems are
//   kept as spelled (`.../id/ods-organization-code`, `http://.../dos-service-id`).
// Everything else is sent unchanged.
#pragma once

#include <map>
#include <string>

namespace sp::testing {

// The text of tests/data/partners/<relativePath> (e.g. "bars/refreq03-...json").
std::string partnerPayload(const std::string& relativePath);

class Conversation {
 public:
  // `json` with every UUID renewed (case kept as lower-case, the examples' form).
  std::string renew(const std::string& json);
  // The renewed form of an original UUID (renewing it now if it was never seen).
  std::string renewed(const std::string& original);

 private:
  std::map<std::string, std::string> ids_;  // original (lower-case) -> renewed
};

struct Parties {
  std::string senderOds;          // the calling organisation (its client certificate's)
  std::string senderServiceId;    // the sender's own service id (its reply address)
  std::string receiverOds;        // the organisation the message goes to
  std::string receiverServiceId;  // the service it goes to
};

// `json` (a message Bundle) with the example's sender and receiver replaced by `parties`.
std::string retarget(const std::string& json, const Parties& parties);

// renew() then retarget(): a partner payload ready to send within `conversation`.
std::string prepared(Conversation& conversation, const std::string& relativePath,
                     const Parties& parties);

}  // namespace sp::testing
