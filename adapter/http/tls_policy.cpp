#include "http/tls_policy.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace sp::http {
namespace {

// TLS 1.2 suites with forward secrecy and authenticated encryption; TLS 1.3 suites are all AEAD.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

struct Policy {
  std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)> crl{nullptr, X509_CRL_free};
  std::once_flag hardened;
};

Policy& policy() {
  static Policy p;
  return p;
}

template <typename T, typename Read>
T* readPem(const std::string& file, Read read, const char* what) {
  std::unique_ptr<FILE, decltype(&std::fclose)> in(std::fopen(file.c_str(), "r"), std::fclose);
  if (!in) throw std::runtime_error("cannot read " + std::string(what) + " " + file);
  T* value = read(in.get(), nullptr, nullptr, nullptr);
  if (!value) throw std::runtime_error(file + " is not a PEM " + what);
  return value;
}

void harden(SSL_CTX* context) {
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_options(context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                   SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_cipher_list(context, kTls12Ciphers);
}

bool revoked(X509* certificate) {
  X509_CRL* crl = policy().crl.get();
  X509_REVOKED* entry = nullptr;
  return crl && certificate && X509_CRL_get0_by_cert(crl, &entry, certificate) == 1;
}

}  // namespace

void loadTlsPolicy(const std::string& caFile, const std::string& crlFile) {
  if (crlFile.empty()) return;
  policy().crl.reset(readPem<X509_CRL>(crlFile, PEM_read_X509_CRL, "certificate revocation list"));
  std::unique_ptr<X509, decltype(&X509_free)> ca(
      readPem<X509>(caFile, PEM_read_X509, "CA certificate"), X509_free);
  EVP_PKEY* key = X509_get0_pubkey(ca.get());
  if (!key || X509_CRL_verify(policy().crl.get(), key) != 1) {
    throw std::runtime_error(crlFile + " is not signed by the CA in " + caFile);
  }
}

int verifyClientCertificate(int preverifyOk, void* storeContext) {
  auto* store = static_cast<X509_STORE_CTX*>(storeContext);
  auto* ssl = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (ssl) std::call_once(policy().hardened, harden, SSL_get_SSL_CTX(ssl));
  if (!preverifyOk) return 0;  // no chain to the CA, expired, not yet valid, ...
  if (!ssl || SSL_version(ssl) < TLS1_2_VERSION) return 0;
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl); cipher && !SSL_CIPHER_is_aead(cipher)) {
    return 0;
  }
  if (X509_STORE_CTX_get_error_depth(store) == 0 &&
      revoked(X509_STORE_CTX_get_current_cert(store))) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REVOKED);
    return 0;
  }
  return 1;
}

}  // namespace sp::http
