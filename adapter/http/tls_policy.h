// What a client connection must satisfy besides a certificate chaining to the configured CA
// (which OpenSSL checks, with its validity dates): the certificate is not on the CA's revocation
// list, the protocol is TLS 1.2 or newer, and the cipher is a modern AEAD one. Compression is
// off (Pistache's useSSL default).
//
// Pistache 0.0.5 exposes neither its SSL_CTX nor protocol settings, only a verify callback; the
// policy lives there. On the first handshake the callback also sets the context's minimum
// version and cipher list, so later handshakes negotiate within the policy from the start; the
// checks in the callback hold for every handshake, the first included. The policy is
// process-wide (a plain function pointer carries no state): one TLS server per process.
#pragma once

#include <string>

namespace sp::http {

// Loads the revocation list (`crlFile`, PEM; empty: none) and checks its signature against the
// CA (`caFile`). Throws std::runtime_error when either cannot be read or they do not match.
void loadTlsPolicy(const std::string& caFile, const std::string& crlFile);

// The verify callback for Pistache's useSSLAuth: `storeContext` is OpenSSL's X509_STORE_CTX.
int verifyClientCertificate(int preverifyOk, void* storeContext);

}  // namespace sp::http
