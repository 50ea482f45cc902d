#include "http/http_server.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <sstream>

#include "fhir/errors.h"
#include "fhir/ids.h"
#include "fhir/operation_outcome.h"
#include "http/client_identity.h"
#include "http/raw_request_target.h"
#include "http/verbatim_headers.h"
#include "http/status_map.h"

namespace sp::http {
namespace {

using namespace Pistache;

std::string lowerCase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

rest::RestRequest toRestRequest(const Http::Request& req, const HttpConfig& config,
                                const std::shared_ptr<Tcp::Peer>& peer) {
  rest::RestRequest r;
  r.method = Http::methodString(req.method());
  r.path = rest::percentDecode(req.resource(), false);
  if (const auto target = rawRequestTarget(peer, r.method)) {
    const auto question = target->find('?');
    if (question != std::string::npos) r.query = rest::parseQueryString(target->substr(question + 1));
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
  r.callerOrganisation = clientIdentityOf(peer ? peer->ssl() : nullptr).organisationCode;
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

rest::RestResponse internalError() {
  rest::RestResponse r;
  r.status = 500;
  r.body = fhir::operationOutcomeJson(
      {fhir::Issue{fhir::Severity::kFatal, "exception", "An internal error occurred", ""}});
  r.headers.emplace_back("Content-Type", "application/fhir+json; charset=utf-8");
  return r;
}

class FhirHandler : public Http::Handler {
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
      if (requestId.empty()) requestId = idGenerator_.newId();
      response = (*handler_)(request);
    } catch (const fhir::FhirError& e) {
      response.status = statusFor(e.kind());
      response.body = fhir::operationOutcomeJson(e.issues());
      response.headers.emplace_back("Content-Type", "application/fhir+json; charset=utf-8");
    } catch (const std::exception& e) {
      std::cerr << "error: request " << requestId << ": " << e.what() << "\n";
      response = internalError();
    }
    send(writer, response, requestId);
    if (config_->accessLog) {
      const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
      std::ostringstream line;
      line << Http::methodString(req.method()) << " " << req.resource() << " " << response.status
           << " " << micros / 1000.0 << "ms " << requestId << "\n";
      std::cout << line.str() << std::flush;
    }
  }

  void onTimeout(const Http::Request&, Http::ResponseWriter writer) override {
    rest::RestResponse r;
    r.status = 408;
    r.body = fhir::operationOutcomeJson(
        {fhir::Issue{fhir::Severity::kError, "timeout", "The request was not received in time", ""}});
    r.headers.emplace_back("Content-Type", "application/fhir+json; charset=utf-8");
    send(writer, r, "");
  }

 private:
  static void send(Http::ResponseWriter& writer, const rest::RestResponse& response,
                   const std::string& requestId) {
    try {
      for (const auto& [name, value] : response.headers) {
        writer.headers().add(std::make_shared<NamedHeader>(name, value));
      }
      if (!requestId.empty()) {
        writer.headers().add(std::make_shared<NamedHeader>("X-Request-Id", requestId));
      }
      writer.send(static_cast<Http::Code>(response.status), response.body);
    } catch (const std::exception& e) {
      std::cerr << "error: cannot send response: " << e.what() << "\n";
    }
  }

  const HttpConfig* config_;
  const ApiHandler* handler_;
  fhir::UuidGenerator idGenerator_;
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
                     .bodyTimeout(config_.bodyTimeout);
  endpoint_->init(options);
  if (!config_.plainHttp) {
    endpoint_->useSSL(config_.certFile, config_.keyFile);
    endpoint_->useSSLAuth(config_.clientCaFile);
  }
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
