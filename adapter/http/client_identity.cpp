#include "http/client_identity.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace sp::http {

ClientIdentity clientIdentityOf(void* ssl) {
  ClientIdentity identity;
  if (!ssl) return identity;
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      SSL_get1_peer_certificate(static_cast<SSL*>(ssl)), X509_free);
  if (!cert) return identity;
  X509_NAME* name = X509_get_subject_name(cert.get());
  char buf[512];
  if (X509_NAME_get_text_by_NID(name, NID_commonName, buf, sizeof buf) > 0) {
    identity.organisationCode = buf;
  }
  if (char* line = X509_NAME_oneline(name, nullptr, 0)) {
    identity.subject = line;
    OPENSSL_free(line);
  }
  return identity;
}

}  // namespace sp::http
