// The HTTP edge: a Pistache endpoint that turns every request into a rest::RestRequest, hands it
// to the API and writes the answer back.
//
// TLS is not served here. Partners connect to the TLS edge (HAProxy, scripts/tls-edge.sh), which
// verifies their client certificates, runs handshakes in parallel and resumes sessions; it opens
// a connection to this endpoint, on loopback, per client connection, and starts it with a PROXY v2
// header naming the verified certificate (http/proxy_protocol.h). A connection without that
// header, or whose client the edge did not verify, is refused. `plainHttp` serves plain HTTP with
// no identities instead (development and tests).
//
// No exception escapes a handler: anything the API did not answer itself becomes a logged 500
// OperationOutcome (the detail goes to the log, never to the client). One log line per request:
// method, path, status, duration, request id; no patient data. "Connection: close" closes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "rest/rest_types.h"

namespace Pistache::Http {
class Endpoint;
}

namespace sp::http {

struct HttpConfig {
  // Behind the TLS edge the endpoint must be reachable only from this machine (main refuses
  // anything but a loopback address): whoever can connect can claim any identity.
  std::string host = "127.0.0.1";
  std::uint16_t port = 8444;  // 0: any free port (see HttpServer::port)
  // Handlers run on these threads and wait on the database (round trips, the durable commit):
  // with only as many threads as cores, the CPUs idle during those waits.
  int threads = 8;
  bool plainHttp = false;
  // The partners' CA: the edge verifies their certificates with it (scripts/tls-edge.sh); the
  // adapter uses it only as the default trust for partners' endpoints when it delivers.
  std::string clientCaFile;
  std::size_t maxRequestBytes = 4 * 1024 * 1024 + 64 * 1024;  // headers and body together
  std::size_t maxHeaderBytes = 16 * 1024;     // request line and headers: 414 or 431 beyond
  std::chrono::seconds headerTimeout{10};     // a head not complete in this time: 408, closed
  std::chrono::seconds bodyTimeout{30};       // a body not complete in this time: 408, closed
  std::chrono::seconds keepaliveTimeout{60};  // an idle kept-alive connection is closed
  std::string baseUrl;                        // public base URL; derived from Host when empty
  bool accessLog = true;
};

using ApiHandler = std::function<rest::RestResponse(const rest::RestRequest&)>;

class HttpServer {
 public:
  HttpServer(HttpConfig config, ApiHandler handler);
  ~HttpServer();

  // Binds and starts serving on background threads. Throws std::runtime_error on failure
  // (port taken, certificate unreadable).
  void start();
  // Stops accepting, lets running handlers finish, closes connections.
  void shutdown();
  // The bound port (useful with port 0).
  std::uint16_t port() const;

 private:
  HttpConfig config_;
  ApiHandler handler_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
};

}  // namespace sp::http
