// Who is at the other end of a TLS connection, read from its verified client certificate.
#pragma once

#include <string>

namespace sp::http {

struct ClientIdentity {
  std::string organisationCode;  // subject CN: the ODS-style code
  std::string subject;           // the whole subject, one line
};

// `ssl` is the peer's OpenSSL SSL* (Pistache's Peer::ssl()), or null for plain HTTP.
// Returns an empty identity when there is no certificate.
ClientIdentity clientIdentityOf(void* ssl);

}  // namespace sp::http
