#include "http/http_server.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <sstream>

#include "fhir/errors.h"
#include "fhir/ids.h"
#include "fhir/operation_outcome.h"
#include "http/buffer_guard.h"
#include "http/client_identity.h"
#include "http/head_limits.h"
#include "http/proxy_protocol.h"
#include "http/raw_request_target.h"
#include "http/verbatim_headers.h"
#include "rest/request_screen.h"
#include "rest/status_map.h"

namespace sp::http {
namespace {

using namespace Pistache;

std::string lowerCase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// What the TLS edge said about a connection, kept on its Pistache peer (putData).
struct EdgeConnection {
  std::string pending;  // bytes received before the PROXY header was complete
  bool identified = false;
  ClientIdentity identity;
};

constexpr const char* kEdgeConnection = "sp.edge";

std::shared_ptr<EdgeConnection> edgeConnection(const std::shared_ptr<Tcp::Peer>& peer) {
  if (auto data = peer->tryGetData(kEdgeConnection)) {
    return std::static_pointer_cast<EdgeConnection>(data);
  }
  auto created = std::make_shared<EdgeConnection>();
  peer->putData(kEdgeConnection, created);
  return created;
}

ClientIdentity identityOf(const std::shared_ptr<Tcp::Peer>& peer) {
  if (!peer) return {};
  const auto data = peer->tryGetData(kEdgeConnection);
  return data ? std::static_pointer_cast<EdgeConnection>(data)->identity : ClientIdentity{};
}

bool asksToClose(const Http::Request& req) {
  for (const auto& [name, raw] : req.headers().rawList()) {
    if (lowerCase(name) == "connection" &&
        lowerCase(raw.value()).find("close") != std::string::npos) {
      return true;
    }
  }
  const auto connection = req.headers().tryGet<Http::Header::Connection>();
  return connection && connection->control() == Http::ConnectionControl::Close;
}

rest::RestRequest toRestRequest(const Http::Request& req, const HttpConfig& config,
                                const std::shared_ptr<Tcp::Peer>& peer) {
  rest::RestRequest r;
  r.method = Http::methodString(req.method());
  r.path = rest::percentDecode(req.resource(), false);
  if (const auto target = rawRequestTarget(peer, r.method)) {
    const auto question = target->find('?');
    if (question != std::string::npos)
      r.query = rest::parseQueryString(target->substr(question + 1));
  } else {
    for (auto it = req.query().parameters_begin(); it != req.query().parameters_end(); ++it) {
      r.query.emplace_back(rest::percentDecode(it->first, true),
                           rest::percentDecode(it->second, true));
    }
  }
  for (const auto& header : req.headers().list()) {
    std::ostringstream value;
    header->write(value);
    r.headers[lowerCase(header->name())] = value.str();
  }
  for (const auto& [name, raw] : req.headers().rawList()) {
    r.headers[lowerCase(name)] = raw.value();
  }
  r.body = req.body();
  if (!config.baseUrl.empty()) {
    r.baseUrl = config.baseUrl;
  } else {
    const std::string host = r.header("host");
    r.baseUrl = std::string(config.plainHttp ? "http" : "https") + "://" +
                (host.empty() ? "localhost" : host);
  }
  // Over plain HTTP there is no edge and so no identity: the development caller (--plain-http).
  const ClientIdentity identity = config.plainHttp ? ClientIdentity{} : identityOf(peer);
  r.certificateCn = identity.organisationCode;
  r.certificateSubject = identity.subject;
  return r;
}

// A response header of any name: Pistache 0.0.5 does not write headers added with addRaw.
class NamedHeader : public Http::Header::Header {
 public:
  NamedHeader(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  void write(std::ostream& os) const override { os << value_; }
#ifdef SAFE_HEADER_CAST
  uint64_t hash() const override { return std::hash<std::string>{}(name_); }
#endif

 private:
  std::string name_;
  std::string value_;
};

// A client's X-Request-Id is echoed and logged only when it is short and plain.
bool isUsableRequestId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == ':';
  });
}

// The path as the access log shows it: bytes outside printable ASCII become '?', so a hostile
// path cannot forge log lines.
std::string loggablePath(const std::string& path) {
  std::string out = path.substr(0, 256);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) c = '?';
  }
  return out;
}

rest::RestResponse outcomeResponse(int status, const std::string& code,
                                   const std::string& diagnostics) {
  rest::RestResponse r;
  r.status = status;
  r.body = fhir::operationOutcomeJson({fhir::Issue{fhir::Severity::kError, code, diagnostics, ""}});
  r.headers.emplace_back("Content-Type", "application/fhir+json; charset=utf-8");
  return r;
}

// 414 or 431 when the request line or the head is over the limit; nullopt when within.
std::optional<rest::RestResponse> oversizedHead(const Http::Request& req,
                                                const std::shared_ptr<Tcp::Peer>& peer,
                                                const HttpConfig& config) {
  const std::string method = Http::methodString(req.method());
  const std::size_t target = rawRequestTarget(peer, method).value_or(req.resource()).size();
  std::size_t head = method.size() + target + 11;  // "M T HTTP/1.1\r\n", when not measured
  if (const auto measured = rawRequestHeadBytes(peer)) {
    head = *measured;
  } else {
    for (const auto& [name, raw] : req.headers().rawList())
      head += name.size() + raw.value().size() + 4;
  }
  const int status = headLimitStatus(target, head, config.maxHeaderBytes);
  if (status == 0) return std::nullopt;
  const std::string what = status == 414 ? "request target" : "request line and headers";
  return outcomeResponse(
      status, "too-costly",
      "The " + what + " are longer than " + std::to_string(config.maxHeaderBytes) + " bytes");
}

rest::RestResponse internalError() {
  rest::RestResponse r;
  r.status = 500;
  r.body = fhir::operationOutcomeJson(
      {fhir::Issue{fhir::Severity::kFatal, "exception", "An internal error occurred", ""}});
  r.headers.emplace_back("Content-Type", "application/fhir+json; charset=utf-8");
  return r;
}

// The whole response as bytes, for answers written before Pistache has a ResponseWriter.
std::string wireResponse(const rest::RestResponse& r) {
  std::string out = "HTTP/1.1 " + rest::statusLine(r.status) + "\r\n";
  for (const auto& [name, value] : r.headers) out += name + ": " + value + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\nConnection: close\r\n\r\n";
  return out + r.body;
}

class FhirHandler : public Http::Handler, public ParsingDelegate::Receiver {
 public:
  HTTP_PROTOTYPE(FhirHandler)

  FhirHandler(const HttpConfig* config, const ApiHandler* handler)
      : config_(config), handler_(handler) {}

  void onRequest(const Http::Request& req, Http::ResponseWriter writer) override {
    const auto started = std::chrono::steady_clock::now();
    std::string requestId;
    rest::RestResponse response;
    try {
      auto peer = writer.peer();
      rest::RestRequest request = toRestRequest(req, *config_, peer);
      requestId = request.header("x-request-id");
      if (!isUsableRequestId(requestId)) requestId = idGenerator_.newId();
      request.requestId = requestId;  // the audit trail records it
      if (auto refused = oversizedHead(req, peer, *config_)) {
        response = *refused;
      } else {
        rest::screenRequestText(request);
        response = (*handler_)(request);
      }
    } catch (const fhir::FhirError& e) {
      response.status = rest::statusFor(e.kind());
      response.body = fhir::operationOutcomeJson(e.issues());
      response.headers.emplace_back("Content-Type", "application/fhir+json; charset=utf-8");
    } catch (const std::exception& e) {
      std::cerr << "error: request " << requestId << ": " << e.what() << "\n";
      response = internalError();
    }
    send(writer, response, requestId, asksToClose(req));
    if (config_->accessLog) {
      const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
      std::ostringstream line;
      line << Http::methodString(req.method()) << " " << loggablePath(req.resource()) << " "
           << response.status << " " << micros / 1000.0 << "ms " << requestId << "\n";
      std::cout << line.str() << std::flush;
    }
  }

  void onTimeout(const Http::Request&, Http::ResponseWriter writer) override {
    send(writer, outcomeResponse(408, "timeout", "The request was not received in time"), "");
  }

  // Every chunk a client sends, before Pistache parses it (buffer_guard.h). Behind the TLS edge
  // a connection starts with the edge's PROXY v2 header, which is taken off here.
  void onInput(const char* buffer, size_t length, const std::shared_ptr<Tcp::Peer>& peer) override {
    if (wasRefused(peer)) return;
    std::string afterHeader;
    if (!config_->plainHttp) {
      auto edge = edgeConnection(peer);
      if (!edge->identified) {
        edge->pending.append(buffer, length);
        if (!takeEdgeHeader(*edge, peer)) return;
        afterHeader.swap(edge->pending);
        if (afterHeader.empty()) return;
        buffer = afterHeader.data();
        length = afterHeader.size();
      }
    }
    if (overflowsBuffer(peer, length, config_->maxRequestBytes)) {
      refuseAndClose(peer, wireResponse(outcomeResponse(
                               413, "too-costly",
                               "The request is larger than " +
                                   std::to_string(config_->maxRequestBytes) + " bytes")));
      if (config_->accessLog) std::cout << "- - 413 request over the buffer limit\n" << std::flush;
      return;
    }
    static_cast<Tcp::Handler&>(parsing()).onInput(buffer, length, peer);
  }

 private:
  // Reads the edge's PROXY header from what the connection sent so far. True once it is read and
  // names a verified client certificate (edge.pending then holds what followed it); false while
  // more is needed, or after refusing the connection: one that does not come from the edge, or
  // whose client the edge did not verify, gets no answer but a refusal.
  bool takeEdgeHeader(EdgeConnection& edge, const std::shared_ptr<Tcp::Peer>& peer) {
    const ProxyHeader header = parseProxyHeader(edge.pending);
    if (header.status == ProxyHeader::Status::kIncomplete) return false;
    if (header.status == ProxyHeader::Status::kComplete && header.local) {
      // The edge's health check: it only needs the connection to be accepted.
      ::shutdown(peer->fd(), SHUT_RDWR);
      return false;
    }
    std::string refusal;
    if (header.status == ProxyHeader::Status::kInvalid) {
      refusal = "This port serves only the TLS edge: " + header.error;
    } else if (!header.verifiedCertificate) {
      refusal = "The TLS edge verified no client certificate for this connection";
    }
    if (!refusal.empty()) {
      std::cerr << "edge: connection refused: " << refusal << "\n";
      refuseAndClose(peer, wireResponse(outcomeResponse(401, "login", refusal)));
      return false;
    }
    edge.identity = clientIdentityOf(header);
    edge.identified = true;
    edge.pending.erase(0, header.length);
    return true;
  }

  // Answers, then closes the connection when the client asked for that (Pistache 0.0.5 writes
  // "Connection: close" but keeps the socket until its keep-alive timeout).
  static void send(Http::ResponseWriter& writer, const rest::RestResponse& response,
                   const std::string& requestId, bool close) {
    if (!close) {
      send(writer, response, requestId);
      return;
    }
    const std::weak_ptr<Tcp::Peer> weak = writer.peer();
    const auto closeIt = [weak] {
      if (const auto connected = weak.lock()) ::shutdown(connected->fd(), SHUT_RDWR);
    };
    send(writer, response, requestId)
        .then([closeIt](ssize_t) { closeIt(); }, [closeIt](std::exception_ptr) { closeIt(); });
  }

  static Async::Promise<ssize_t> send(Http::ResponseWriter& writer,
                                      const rest::RestResponse& response,
                                      const std::string& requestId) {
    try {
      for (const auto& [name, value] : response.headers) {
        writer.headers().add(std::make_shared<NamedHeader>(name, value));
      }
      // A handler that chose the request id ($process-message generates one) sends its own.
      const bool answered = std::any_of(response.headers.begin(), response.headers.end(),
                                        [](const auto& h) { return h.first == "X-Request-Id"; });
      if (!requestId.empty() && !answered) {
        writer.headers().add(std::make_shared<NamedHeader>("X-Request-Id", requestId));
      }
      return writer.send(static_cast<Http::Code>(response.status), response.body);
    } catch (const std::exception& e) {
      std::cerr << "error: cannot send response: " << e.what() << "\n";
      return Async::Promise<ssize_t>::rejected(e);
    }
  }

  // Pistache's parser, run for this handler (each clone of the handler gets its own).
  ParsingDelegate& parsing() {
    if (!parsing_ || parsingOwner_ != this) {
      parsing_ = std::make_shared<ParsingDelegate>(*this, *this, transport());
      parsingOwner_ = this;
    }
    return *parsing_;
  }

  const HttpConfig* config_;
  const ApiHandler* handler_;
  fhir::UuidGenerator idGenerator_;
  std::shared_ptr<ParsingDelegate> parsing_;
  const FhirHandler* parsingOwner_ = nullptr;
};

}  // namespace

HttpServer::HttpServer(HttpConfig config, ApiHandler handler)
    : config_(std::move(config)), handler_(std::move(handler)) {}

HttpServer::~HttpServer() { shutdown(); }

void HttpServer::start() {
  keepMediaTypeHeadersVerbatim();
  Address address(config_.host, Port(config_.port));
  endpoint_ = std::make_unique<Http::Endpoint>(address);
  auto options = Http::Endpoint::options()
                     .threads(config_.threads)
                     .flags(Tcp::Options::ReuseAddr)
                     .maxRequestSize(config_.maxRequestBytes)
                     .headerTimeout(config_.headerTimeout)
                     .bodyTimeout(config_.bodyTimeout)
                     .keepaliveTimeout(config_.keepaliveTimeout);
  endpoint_->init(options);
  endpoint_->setHandler(Http::make_handler<FhirHandler>(&config_, &handler_));
  endpoint_->serveThreaded();
}

void HttpServer::shutdown() {
  if (endpoint_) {
    endpoint_->shutdown();
    endpoint_.reset();
  }
}

std::uint16_t HttpServer::port() const {
  return endpoint_ ? static_cast<std::uint16_t>(endpoint_->getPort()) : 0;
}

}  // namespace sp::http
