// A small HTTP/1.1 client for the delivery worker and the directory feeds: one request (POST, or
// GET for a feed's page) per connection (Connection: close),
// plain TCP for http:// URLs and TLS (OpenSSL) for https:// URLs. With TLS it presents the
// hub's client certificate (one for client authentication: --delivery-cert) and verifies the
// partner against the configured CA file, host name included; a certificate that is not for
// client authentication is loaded with a warning. Every step is bounded by one timeout.
// Thread-safe: each post uses its own socket and TLS session; the TLS context is shared.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "delivery/message_sender.h"

namespace sp::http {

struct PostClientConfig {
  std::string caFile;    // partners' certificates are verified against it (https only)
  std::string certFile;  // our client certificate (may be empty: none presented)
  std::string keyFile;
  std::chrono::milliseconds timeout{10000};  // connect, send and receive, all together
  // An answer longer than this (head and body) is abandoned: status 0 with an error. 0: no limit.
  std::size_t maxResponseBytes = 0;
};

class HttpPostClient : public delivery::MessageSender {
 public:
  // Throws std::runtime_error when the certificate, key or CA file cannot be loaded.
  explicit HttpPostClient(PostClientConfig config);
  ~HttpPostClient() override;
  delivery::SendResult post(const delivery::OutgoingRequest& request) override;

 private:
  struct Tls;
  PostClientConfig config_;
  std::unique_ptr<Tls> tls_;  // null when no TLS context could be needed (no CA given)
};

// The parts of an http(s) URL; nullopt-like `valid == false` for anything else.
struct ParsedUrl {
  bool valid = false;
  bool tls = false;
  std::string host;
  int port = 0;
  std::string target;  // path and query, "/" when empty
};
ParsedUrl parseHttpUrl(const std::string& url);

}  // namespace sp::http
