#include "http/client_identity.h"

namespace sp::http {

ClientIdentity clientIdentityOf(const ProxyHeader& header) {
  if (header.status != ProxyHeader::Status::kComplete || header.local ||
      !header.verifiedCertificate) {
    return {};
  }
  ClientIdentity identity;
  identity.organisationCode = header.commonName;
  // Without the unique-id TLV the subject is at least the name that was verified.
  identity.subject = header.subject.empty() ? "/CN=" + header.commonName : header.subject;
  return identity;
}

}  // namespace sp::http
