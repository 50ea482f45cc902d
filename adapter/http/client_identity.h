// Who is at the other end of a connection, as the TLS edge verified it from the client
// certificate and told the adapter in the connection's PROXY v2 header (http/proxy_protocol.h).
#pragma once

#include <string>

#include "http/proxy_protocol.h"

namespace sp::http {

struct ClientIdentity {
  std::string organisationCode;  // subject CN: the ODS-style code
  std::string subject;           // the whole subject, one line ("/O=.../OU=.../CN=...")
};

// The identity of a verified client certificate; empty when the edge verified none (a LOCAL
// connection, a client without a certificate), so that such a caller is never taken for one.
ClientIdentity clientIdentityOf(const ProxyHeader& header);

}  // namespace sp::http
