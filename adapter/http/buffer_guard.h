// Requests larger than the server buffers, refused while they arrive.
//
// Pistache 0.0.5 answers a request that overflows its buffer itself, with a plain-text 413, and
// then parses the rest of that body as new requests (one more plain-text answer per chunk). The
// edge's handler instead checks each chunk before Pistache sees it: an overflowing request gets
// one 413 OperationOutcome, the connection is closed once it is written, and whatever else that
// client sends is dropped.
//
// Pistache's parsing (Http::Handler::onInput) is private, so the edge's handler cannot call it
// for the chunks that pass. It hands them to a second handler, a plain Http::Handler that parses
// and forwards finished requests back (ParsingDelegate); attachTransport gives that delegate the
// transport of the handler Pistache registered (Tcp::Handler keeps it private).
#pragma once

#include <pistache/http.h>

#include <cstddef>
#include <memory>
#include <string>

namespace sp::http {

// True when `incoming` more bytes would take the connection's request past `maxRequestBytes`.
bool overflowsBuffer(const std::shared_ptr<Pistache::Tcp::Peer>& peer, std::size_t incoming,
                     std::size_t maxRequestBytes);

// Writes `response` (a whole HTTP response) and then closes the connection; marks the peer so
// that wasRefused() drops the rest of what it sends.
void refuseAndClose(const std::shared_ptr<Pistache::Tcp::Peer>& peer, const std::string& response);
bool wasRefused(const std::shared_ptr<Pistache::Tcp::Peer>& peer);

// Pistache's own request parsing, run for another handler that receives the finished requests.
class ParsingDelegate : public Pistache::Http::Handler {
 public:
  // What receives the parsed requests and timeouts.
  class Receiver {
   public:
    virtual ~Receiver() = default;
    virtual void onRequest(const Pistache::Http::Request&, Pistache::Http::ResponseWriter) = 0;
    virtual void onTimeout(const Pistache::Http::Request&, Pistache::Http::ResponseWriter) = 0;
  };

  // Parses with the limits and timeouts of `registered`, on its transport.
  ParsingDelegate(Receiver& receiver, const Pistache::Http::Handler& registered,
                  Pistache::Tcp::Transport* transport);

  std::shared_ptr<Pistache::Tcp::Handler> clone() const override;
  void onRequest(const Pistache::Http::Request& request,
                 Pistache::Http::ResponseWriter writer) override;
  void onTimeout(const Pistache::Http::Request& request,
                 Pistache::Http::ResponseWriter writer) override;

 private:
  Receiver& receiver_;
};

}  // namespace sp::http
