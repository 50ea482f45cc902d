// Transport-neutral request and response of the FHIR REST API. The HTTP edge fills a
// RestRequest from the wire and writes a RestResponse back; nothing here knows Pistache.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sp::rest {

using QueryParams = std::vector<std::pair<std::string, std::string>>;  // decoded, in order

struct RestRequest {
  std::string method;  // upper case
  std::string path;    // decoded, without query: "/Patient/123/_history/2"
  QueryParams query;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string baseUrl;             // "https://localhost:8443", no trailing slash
  std::string certificateCn;       // the client certificate's CN (an ODS code); empty when none
  std::string certificateSubject;  // the client certificate's subject; empty when there is none
  std::string requestId;           // the X-Request-Id answered: the client's, or one made for it

  std::string header(const std::string& lowerCaseName) const {
    auto it = headers.find(lowerCaseName);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct RestResponse {
  int status = 200;
  std::string body;  // JSON text, or empty
  std::vector<std::pair<std::string, std::string>> headers;
  // The request's own audit record was written with its work (in the same transaction).
  bool audited = false;
};

// Parses an application/x-www-form-urlencoded string ("a=1&b=x%20y") into decoded pairs.
QueryParams parseQueryString(const std::string& text);
std::string percentDecode(const std::string& text, bool plusIsSpace);
std::string percentEncode(const std::string& text);

}  // namespace sp::rest
