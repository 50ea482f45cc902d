// The seam between the hub and the network: one HTTP request to a partner (a POST from the
// delivery worker, a GET of a directory feed's page). The implementation
// (http/http_post_client.h) lives in the HTTP edge; tests may supply their own.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sp::delivery {

struct OutgoingRequest {
  std::string method = "POST";  // or "GET" (then `body` is empty)
  std::string url;              // http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct SendResult {
  int status = 0;     // the HTTP status; 0 when no answer came (refused, timed out, TLS failed)
  std::string body;   // the answer's body
  std::string error;  // why no answer came (status 0)
};

class MessageSender {
 public:
  virtual ~MessageSender() = default;
  // Sends one request and waits for the answer (bounded by the sender's timeout). Never throws
  // for network problems: they come back as status 0 with `error` set.
  virtual SendResult post(const OutgoingRequest& request) = 0;
};

}  // namespace sp::delivery
