#include "message_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <stdexcept>

namespace sp::testing {

struct MessageReceiver::Tls {
  SSL_CTX* ctx = nullptr;
  ~Tls() {
    if (ctx) SSL_CTX_free(ctx);
  }
};

namespace {

// Reads and writes one connection, plain or TLS.
struct Connection {
  int fd;
  SSL* ssl;
  long read(char* buffer, std::size_t size) {
    return ssl ? SSL_read(ssl, buffer, static_cast<int>(size)) : ::recv(fd, buffer, size, 0);
  }
  void write(const std::string& data) {
    if (ssl) {
      SSL_write(ssl, data.data(), static_cast<int>(data.size()));
    } else {
      ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    }
  }
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int listenOn(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("receiver: socket failed");
  int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
    ::close(fd);
    throw std::runtime_error(std::string("receiver: cannot listen: ") + std::strerror(errno));
  }
  return fd;
}

int boundPort(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

const char* reasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

}  // namespace

std::string duplicateOutcome() {
  return R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"duplicate",)"
         R"("details":{"coding":[{"system":"https://fhir.nhs.uk/Codesystem/http-error-codes",)"
         R"("code":"REC_CONFLICT"}]},"diagnostics":"Message already processed"}]})";
}

MessageReceiver::MessageReceiver(ReceiverTls tls) {
  if (!tls.certFile.empty()) {
    tls_ = std::make_unique<Tls>();
    tls_->ctx = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_chain_file(tls_->ctx, tls.certFile.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(tls_->ctx, tls.keyFile.c_str(), SSL_FILETYPE_PEM) != 1) {
      throw std::runtime_error("receiver: cannot load " + tls.certFile);
    }
    if (tls.clientCaFile.empty()) {
      // Ask for a client certificate and record it; whether it chains is not this side's test.
      SSL_CTX_set_verify(tls_->ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
    } else {
      // A partner that checks its callers: a certificate from its CA, for client authentication.
      if (SSL_CTX_load_verify_locations(tls_->ctx, tls.clientCaFile.c_str(), nullptr) != 1) {
        throw std::runtime_error("receiver: cannot load " + tls.clientCaFile);
      }
      SSL_CTX_set_purpose(tls_->ctx, X509_PURPOSE_SSL_CLIENT);
      SSL_CTX_set_verify(tls_->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
  }
  const int fd = listenOn(0);
  port_ = boundPort(fd);
  listenFd_ = fd;
  running_ = true;
  thread_ = std::thread([this] { serve(); });
}

MessageReceiver::~MessageReceiver() {
  running_ = false;
  if (thread_.joinable()) thread_.join();
  stop();
}

std::string MessageReceiver::url(const std::string& path) const {
  // Over TLS the name must match the certificate (CN and SAN localhost).
  return (tls_ ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port_) + path;
}

void MessageReceiver::servePage(const std::string& target, const std::string& body, int status) {
  std::lock_guard<std::mutex> lock(mutex_);
  pages_[target] = {status, body};
}

void MessageReceiver::clearPages() {
  std::lock_guard<std::mutex> lock(mutex_);
  pages_.clear();
}

void MessageReceiver::queueAnswer(int status, const std::string& body) {
  std::lock_guard<std::mutex> lock(mutex_);
  answers_.emplace_back(status, body);
}

void MessageReceiver::stop() {
  const int fd = listenFd_.exchange(-1);
  if (fd >= 0) ::close(fd);
}

void MessageReceiver::start() {
  if (listenFd_ >= 0) return;
  listenFd_ = listenOn(port_);
}

std::vector<std::string> MessageReceiver::handshakeRefusals() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return refusals_;
}

std::vector<ReceivedRequest> MessageReceiver::received() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return received_;
}

bool MessageReceiver::waitFor(const std::function<bool(const std::vector<ReceivedRequest>&)>& done,
                              std::chrono::milliseconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (done(received())) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void MessageReceiver::serve() {
  while (running_) {
    const int fd = listenFd_;
    if (fd < 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) != 1) continue;
    const int client = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    handle(client);
    ::close(client);
  }
}

void MessageReceiver::handle(int fd) {
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(nullptr, SSL_free);
  std::string clientSubject;
  if (tls_) {
    ssl.reset(SSL_new(tls_->ctx));
    SSL_set_fd(ssl.get(), fd);
    if (SSL_accept(ssl.get()) != 1) {  // the caller refused us (or we it)
      const long verdict = SSL_get_verify_result(ssl.get());
      std::lock_guard<std::mutex> lock(mutex_);
      refusals_.push_back(verdict == X509_V_OK ? "handshake failed"
                                               : X509_verify_cert_error_string(verdict));
      return;
    }
    if (X509* peer = SSL_get1_peer_certificate(ssl.get())) {
      char name[512];
      X509_NAME_oneline(X509_get_subject_name(peer), name, sizeof name);
      clientSubject = name;
      X509_free(peer);
    }
  }
  Connection connection{fd, ssl.get()};
  std::string raw;
  char buffer[8192];
  std::size_t headEnd = std::string::npos;
  long length = 0;
  for (;;) {
    if (headEnd == std::string::npos) {
      headEnd = raw.find("\r\n\r\n");
      if (headEnd != std::string::npos) {
        const std::string head = lower(raw.substr(0, headEnd));
        const std::size_t cl = head.find("content-length:");
        if (cl != std::string::npos) length = std::atol(head.c_str() + cl + 15);
      }
    }
    if (headEnd != std::string::npos && raw.size() >= headEnd + 4 + length) break;
    const long n = connection.read(buffer, sizeof buffer);
    if (n <= 0) return;
    raw.append(buffer, static_cast<std::size_t>(n));
  }
  ReceivedRequest request;
  request.clientSubject = clientSubject;
  const std::string requestLine = raw.substr(0, raw.find("\r\n"));
  request.method = requestLine.substr(0, requestLine.find(' '));
  const std::size_t pathStart = requestLine.find(' ') + 1;
  request.path = requestLine.substr(pathStart, requestLine.find(' ', pathStart) - pathStart);
  std::size_t pos = requestLine.size() + 2;
  while (pos < headEnd) {
    const std::size_t eol = raw.find("\r\n", pos);
    const std::string line = raw.substr(pos, eol - pos);
    pos = eol + 2;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    request.headers[lower(line.substr(0, colon))] = value;
  }
  request.body = raw.substr(headEnd + 4, static_cast<std::size_t>(length));
  int status = 200;
  std::string body;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (request.method == "GET" && !pages_.empty()) {
      auto page = pages_.find(request.path);
      status = page == pages_.end() ? 404 : page->second.first;
      body = page == pages_.end() ? "{}" : page->second.second;
    } else if (!answers_.empty()) {
      status = answers_.front().first;
      body = answers_.front().second;
      answers_.pop_front();
    }
    request.answeredWith = status;
    received_.push_back(request);
  }
  if (body.empty()) {
    body =
        status < 300
            ? R"({"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"informational"}]})"
            : R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient"}]})";
  }
  const std::string answer =
      "HTTP/1.1 " + std::to_string(status) + " " + reasonPhrase(status) +
      "\r\nContent-Type: application/fhir+json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  connection.write(answer);
  if (ssl) SSL_shutdown(ssl.get());
}

}  // namespace sp::testing
