// A raw HTTP/1.1 exchange over a plain TCP socket, for requests libcurl refuses to send (NUL
// bytes or invalid UTF-8 in the request line, unencoded "../", oversized header blocks) and for
// clients that stop sending half-way (slowloris).
//
// Header-only and test-only. Every call has a receive timeout, so a server that never answers
// fails the test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <map>
#include <stdexcept>
#include <string>

namespace sp::testing {

struct RawResponse {
  int status = 0;  // 0: the server closed the connection without an answer
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// An open connection to 127.0.0.1:port; closed on destruction.
class RawConnection {
 public:
  explicit RawConnection(int port, std::chrono::seconds receiveTimeout = std::chrono::seconds(30)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    timeval tv{};
    tv.tv_sec = static_cast<long>(receiveTimeout.count());
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // a server that stops reading
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect failed");
    }
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Sends the bytes as they are; false when the server has closed the connection.
  bool send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads one response: up to the end of its Content-Length body, or until the server closes
  // the connection or the receive timeout passes.
  RawResponse receive() {
    std::string data;
    char buffer[8192];
    std::size_t headEnd = std::string::npos;
    std::size_t wanted = std::string::npos;
    for (;;) {
      if (headEnd == std::string::npos) {
        headEnd = data.find("\r\n\r\n");
        if (headEnd != std::string::npos) wanted = headEnd + 4 + contentLength(data, headEnd);
      }
      if (wanted != std::string::npos && data.size() >= wanted) break;
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      data.append(buffer, static_cast<std::size_t>(n));
    }
    return parse(data);
  }

  int fd() const { return fd_; }

  // True when the server has closed the connection (reads end of stream within the timeout).
  bool closedByServer() {
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }

 private:
  static std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  static std::size_t contentLength(const std::string& data, std::size_t headEnd) {
    const std::string head = lower(data.substr(0, headEnd));
    const auto at = head.find("\r\ncontent-length:");
    if (at == std::string::npos) return 0;
    return std::stoul(head.substr(at + 17));
  }

  static RawResponse parse(const std::string& data) {
    RawResponse r;
    const auto headEnd = data.find("\r\n\r\n");
    if (data.rfind("HTTP/1.", 0) != 0 || headEnd == std::string::npos) return r;
    r.status = std::stoi(data.substr(9, 3));
    std::size_t line = data.find("\r\n") + 2;
    while (line < headEnd) {
      const auto next = data.find("\r\n", line);
      const std::string header = data.substr(line, next - line);
      const auto colon = header.find(':');
      if (colon != std::string::npos) {
        std::string value = header.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        r.headers[lower(header.substr(0, colon))] = value;
      }
      line = next + 2;
    }
    r.body = data.substr(headEnd + 4);
    return r;
  }

  int fd_ = -1;
};

// One request on a fresh connection: the request line's target is sent exactly as given.
inline RawResponse rawRequest(int port, const std::string& method, const std::string& target,
                              const std::string& body = "", const std::string& extraHeaders = "") {
  RawConnection c(port);
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                        "Connection: close\r\n" + extraHeaders;
  if (!body.empty() || method == "POST" || method == "PUT") {
    request +=
        "Content-Type: application/fhir+json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n";
  }
  request += "\r\n" + body;
  c.send(request);
  return c.receive();
}

}  // namespace sp::testing
