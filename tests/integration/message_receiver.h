// A partner's receiving endpoint for integration tests: a small HTTP/1.1 server (plain or TLS) on
// 127.0.0.1 that records every POST it gets (path, headers, body) and answers with the statuses
// a test queues (200 when none is queued). It can be stopped and started again on the same port,
// as a partner that goes away and comes back. It also serves a directory feed: a GET of a target
// given to servePage() gets that page, and any other GET 404 once one page is served.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sp::testing {

struct ReceivedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  int answeredWith = 0;
  std::string clientSubject;  // HTTPS: the client certificate's subject, "" when none
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// TLS for the receiver: its certificate and key, and (optionally) the CA its callers' client
// certificates are checked against.
struct ReceiverTls {
  std::string certFile;
  std::string keyFile;
  // Empty: any client certificate is accepted (and recorded). Set: as a partner that checks its
  // callers, the client certificate must chain to this CA and be for client authentication
  // (purpose sslclient); the handshake fails otherwise (handshakeRefusals says why).
  std::string clientCaFile;
};

class MessageReceiver {
 public:
  // Listens at once on a free port: plain HTTP, or HTTPS when `tls` names a certificate. Over
  // HTTPS it asks for a client certificate and records its subject (clientSubject).
  explicit MessageReceiver(ReceiverTls tls = {});
  ~MessageReceiver();
  MessageReceiver(const MessageReceiver&) = delete;
  MessageReceiver& operator=(const MessageReceiver&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "/fhir/$process-message") const;

  // The next answers, in order: a status, and the body to send with it ("" for a default).
  void queueAnswer(int status, const std::string& body = "");
  // Answers GET `target` (path and query, "/oruk/services?page=1&per_page=100") with `status`
  // and `body` (JSON or not) from now on; clearPages() forgets them all.
  void servePage(const std::string& target, const std::string& body, int status = 200);
  void clearPages();
  // Closes the listening socket: connections are refused until start().
  void stop();
  void start();

  std::vector<ReceivedRequest> received() const;
  // Why handshakes were refused (the certificate check's error, e.g. "unsuitable certificate
  // purpose"), oldest first.
  std::vector<std::string> handshakeRefusals() const;
  // Waits (polling, up to `limit`) until `done(received())` holds; returns whether it did.
  bool waitFor(const std::function<bool(const std::vector<ReceivedRequest>&)>& done,
               std::chrono::milliseconds limit = std::chrono::seconds(30)) const;

 private:
  void serve();
  void handle(int fd);
  struct Tls;

  std::unique_ptr<Tls> tls_;
  int port_ = 0;
  std::atomic<int> listenFd_{-1};
  std::atomic<bool> running_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::deque<std::pair<int, std::string>> answers_;
  std::map<std::string, std::pair<int, std::string>> pages_;
  std::vector<ReceivedRequest> received_;
  std::vector<std::string> refusals_;
};

// The OperationOutcome a BaRS receiver answers a repeat with (409, issue code duplicate).
std::string duplicateOutcome();

}  // namespace sp::testing
