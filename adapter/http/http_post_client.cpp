#include "http/http_post_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>

namespace sp::http {

using delivery::OutgoingRequest;
using delivery::SendResult;
using Clock = std::chrono::steady_clock;

struct HttpPostClient::Tls {
  SSL_CTX* ctx = nullptr;
  ~Tls() {
    if (ctx) SSL_CTX_free(ctx);
  }
};

namespace {

std::string lastTlsError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "TLS failure";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

// A socket closed on destruction.
struct Socket {
  int fd = -1;
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
};

struct Session {
  SSL* ssl = nullptr;
  ~Session() {
    if (ssl) SSL_free(ssl);
  }
};

// Connects to host:port before `deadline`; returns an error text or "".
std::string connectTo(const ParsedUrl& url, Clock::time_point deadline, Socket& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(url.host.c_str(), std::to_string(url.port).c_str(), &hints, &found);
  if (rc != 0) return std::string("cannot resolve ") + url.host + ": " + gai_strerror(rc);
  std::string error = "cannot connect to " + url.host;
  for (addrinfo* a = found; a; a = a->ai_next) {
    Socket s;
    s.fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (s.fd < 0) continue;
    if (::connect(s.fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      error = "cannot connect to " + url.host + ": " + std::strerror(errno);
      continue;
    }
    pollfd p{s.fd, POLLOUT, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) {
      error = "connecting to " + url.host + " timed out";
      continue;
    }
    int soError = 0;
    socklen_t len = sizeof soError;
    ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &soError, &len);
    if (soError != 0) {
      error = "cannot connect to " + url.host + ": " + std::strerror(soError);
      continue;
    }
    // Blocking from here on, each read and write bounded by what is left of the timeout.
    ::fcntl(s.fd, F_SETFL, ::fcntl(s.fd, F_GETFL) & ~O_NONBLOCK);
    out.fd = s.fd;
    s.fd = -1;
    ::freeaddrinfo(found);
    return "";
  }
  ::freeaddrinfo(found);
  return error;
}

// Sets the socket's send and receive timeouts to what is left before `deadline`; false when
// nothing is left.
bool boundBy(int fd, Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
  if (left.count() <= 0) return false;
  timeval tv{static_cast<time_t>(left.count() / 1000000),
             static_cast<suseconds_t>(left.count() % 1000000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return true;
}

// One connection, plain or TLS: write all, read until the peer closes.
class Channel {
 public:
  Channel(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}

  bool writeAll(const std::string& data, Clock::time_point deadline) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      if (!boundBy(fd_, deadline)) return false;
      const int n =
          ssl_
              ? SSL_write(ssl_, data.data() + sent, static_cast<int>(data.size() - sent))
              : static_cast<int>(::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL));
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Appends what arrives to `out` until the peer closes, `complete(out)` says the answer is
  // whole, or the deadline passes (false).
  template <typename Complete>
  bool readAll(std::string& out, Clock::time_point deadline, Complete complete) {
    char buffer[16384];
    for (;;) {
      if (complete(out)) return true;
      if (!boundBy(fd_, deadline)) return false;
      const int n = ssl_ ? SSL_read(ssl_, buffer, sizeof buffer)
                         : static_cast<int>(::recv(fd_, buffer, sizeof buffer, 0));
      if (n == 0) return true;
      if (n < 0) {
        if (ssl_ && SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN) return true;
        return complete(out);
      }
      out.append(buffer, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  SSL* ssl_;
};

std::string lowercase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The answer's parts once its head has arrived.
struct Head {
  int status = 0;
  std::size_t bodyStart = 0;
  long contentLength = -1;
  bool chunked = false;
};

bool parseHead(const std::string& raw, Head& head) {
  const std::size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  head.bodyStart = end + 4;
  const std::string statusLine = raw.substr(0, raw.find("\r\n"));
  const std::size_t space = statusLine.find(' ');
  if (statusLine.rfind("HTTP/1.", 0) != 0 || space == std::string::npos) return false;
  head.status = std::atoi(statusLine.c_str() + space + 1);
  std::size_t pos = statusLine.size() + 2;
  while (pos < end) {
    const std::size_t eol = raw.find("\r\n", pos);
    const std::string line = raw.substr(pos, eol - pos);
    pos = eol + 2;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string name = lowercase(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (name == "content-length") head.contentLength = std::atol(value.c_str());
    if (name == "transfer-encoding" && lowercase(value).find("chunked") != std::string::npos) {
      head.chunked = true;
    }
  }
  return head.status >= 100 && head.status <= 999;
}

// Decodes a chunked body; false while it is incomplete.
bool decodeChunked(const std::string& raw, std::size_t pos, std::string& body) {
  body.clear();
  for (;;) {
    const std::size_t eol = raw.find("\r\n", pos);
    if (eol == std::string::npos) return false;
    const unsigned long size = std::strtoul(raw.c_str() + pos, nullptr, 16);
    pos = eol + 2;
    if (size == 0) return true;
    if (raw.size() < pos + size + 2) return false;
    body.append(raw, pos, size);
    pos += size + 2;
  }
}

}  // namespace

ParsedUrl parseHttpUrl(const std::string& url) {
  ParsedUrl out;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    out.tls = true;
    out.port = 443;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    out.port = 80;
    rest = url.substr(7);
  } else {
    return out;
  }
  const std::size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.find('@') != std::string::npos) return out;  // no credentials in URLs
  if (!authority.empty() && authority[0] == '[') {           // [v6]:port
    const std::size_t close = authority.find(']');
    if (close == std::string::npos) return out;
    out.host = authority.substr(1, close - 1);
    authority = authority.substr(close + 1);
    if (!authority.empty()) {
      if (authority[0] != ':') return out;
      out.port = std::atoi(authority.c_str() + 1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) out.port = std::atoi(authority.c_str() + colon + 1);
  }
  out.valid = !out.host.empty() && out.port > 0 && out.port < 65536;
  return out;
}

HttpPostClient::HttpPostClient(PostClientConfig config) : config_(std::move(config)) {
  if (config_.caFile.empty()) return;
  tls_ = std::make_unique<Tls>();
  tls_->ctx = SSL_CTX_new(TLS_client_method());
  if (!tls_->ctx) throw std::runtime_error("delivery TLS context: " + lastTlsError());
  SSL_CTX_set_min_proto_version(tls_->ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(tls_->ctx, SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(tls_->ctx, config_.caFile.c_str(), nullptr) != 1) {
    throw std::runtime_error("cannot load CA file " + config_.caFile + ": " + lastTlsError());
  }
  if (!config_.certFile.empty()) {
    if (SSL_CTX_use_certificate_chain_file(tls_->ctx, config_.certFile.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(tls_->ctx, config_.keyFile.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(tls_->ctx) != 1) {
      throw std::runtime_error("cannot load client certificate " + config_.certFile + ": " +
                               lastTlsError());
    }
    // A receiver that checks the purpose of its callers' certificates refuses one made only for
    // servers (X509_V_ERR_INVALID_PURPOSE): say so at start-up rather than at every delivery.
    X509* own = SSL_CTX_get0_certificate(tls_->ctx);
    if (own && X509_check_purpose(own, X509_PURPOSE_SSL_CLIENT, 0) != 1) {
      std::cerr << "delivery: " << config_.certFile
                << " is not a client authentication certificate (extended key usage): partners "
                   "that check it will refuse every delivery\n";
    }
  }
}

HttpPostClient::~HttpPostClient() = default;

SendResult HttpPostClient::post(const OutgoingRequest& request) {
  SendResult result;
  const ParsedUrl url = parseHttpUrl(request.url);
  if (!url.valid) {
    result.error = "not an http(s) URL: " + request.url;
    return result;
  }
  if (url.tls && !tls_) {
    result.error = "https delivery needs a CA file (--delivery-ca or --client-ca)";
    return result;
  }
  const auto deadline = Clock::now() + config_.timeout;
  Socket socket;
  if (std::string error = connectTo(url, deadline, socket); !error.empty()) {
    result.error = error;
    return result;
  }
  Session session;
  if (url.tls) {
    session.ssl = SSL_new(tls_->ctx);
    SSL_set_fd(session.ssl, socket.fd);
    SSL_set_tlsext_host_name(session.ssl, url.host.c_str());
    SSL_set1_host(session.ssl, url.host.c_str());
    if (!boundBy(socket.fd, deadline) || SSL_connect(session.ssl) != 1) {
      result.error = "TLS handshake with " + url.host + " failed: " + lastTlsError();
      return result;
    }
  }
  std::string head = request.method + " " + url.target + " HTTP/1.1\r\nHost: " + url.host + ":" +
                     std::to_string(url.port) + "\r\nConnection: close\r\nContent-Length: " +
                     std::to_string(request.body.size()) + "\r\n";
  for (const auto& [name, value] : request.headers) head += name + ": " + value + "\r\n";
  head += "\r\n";
  Channel channel(socket.fd, session.ssl);
  if (!channel.writeAll(head + request.body, deadline)) {
    result.error = "sending to " + url.host + " failed or timed out";
    return result;
  }
  std::string raw;
  Head parsed;
  std::string body;
  bool tooLong = false;
  const auto complete = [&](const std::string& data) {
    if (config_.maxResponseBytes && data.size() > config_.maxResponseBytes) {
      tooLong = true;
      return true;
    }
    if (!parsed.status && !parseHead(data, parsed)) return false;
    if (parsed.chunked) return decodeChunked(data, parsed.bodyStart, body);
    if (parsed.contentLength >= 0) {
      if (data.size() < parsed.bodyStart + static_cast<std::size_t>(parsed.contentLength)) {
        return false;
      }
      body = data.substr(parsed.bodyStart, static_cast<std::size_t>(parsed.contentLength));
      return true;
    }
    return false;  // read until the peer closes
  };
  const bool whole = channel.readAll(raw, deadline, complete);
  if (tooLong) {
    result.error = "the answer from " + url.host + " is longer than " +
                   std::to_string(config_.maxResponseBytes) + " bytes";
    return result;
  }
  if (!parsed.status && !parseHead(raw, parsed)) {
    result.error =
        whole ? "no HTTP answer from " + url.host : "no answer from " + url.host + " in time";
    return result;
  }
  if (!parsed.chunked && parsed.contentLength < 0) body = raw.substr(parsed.bodyStart);
  if (session.ssl) SSL_shutdown(session.ssl);
  result.status = parsed.status;
  result.body = std::move(body);
  return result;
}

}  // namespace sp::http
