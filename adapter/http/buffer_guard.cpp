#include "http/buffer_guard.h"

#include <pistache/peer.h>
#include <sys/socket.h>

#include <stdexcept>

#include "http/raw_request_target.h"

namespace sp::http {
namespace {

using namespace Pistache;

constexpr const char* kRefusedMark = "sp.refused";

// Tcp::Handler's transport is private and set only by the Transport that registered the
// handler; the delegate needs the same one. Reached with the explicit-instantiation technique
// (access checks do not apply to the template arguments of an explicit instantiation).
using TransportMember = Tcp::Transport* Tcp::Handler::*;
TransportMember handlerTransport();

template <TransportMember member>
struct TransportAccess {
  friend TransportMember handlerTransport() { return member; }
};
template struct TransportAccess<&Tcp::Handler::transport_>;

}  // namespace

bool overflowsBuffer(const std::shared_ptr<Tcp::Peer>& peer, std::size_t incoming,
                     std::size_t maxRequestBytes) {
  return bufferedRequestBytes(peer) + incoming > maxRequestBytes;
}

void refuseAndClose(const std::shared_ptr<Tcp::Peer>& peer, const std::string& response) {
  peer->putData(kRefusedMark, std::make_shared<bool>(true));
  // Closed through the peer only while it is still connected: once Pistache has dropped it,
  // its descriptor may already belong to another connection.
  const std::weak_ptr<Tcp::Peer> weak = peer;
  const auto close = [weak] {
    if (const auto connected = weak.lock()) ::shutdown(connected->fd(), SHUT_RDWR);
  };
  peer->send(RawBuffer(response, response.size()))
      .then([close](ssize_t) { close(); }, [close](std::exception_ptr) { close(); });
}

bool wasRefused(const std::shared_ptr<Tcp::Peer>& peer) {
  return peer->tryGetData(kRefusedMark) != nullptr;
}

ParsingDelegate::ParsingDelegate(Receiver& receiver, const Http::Handler& registered,
                                 Tcp::Transport* transport)
    : receiver_(receiver) {
  this->*handlerTransport() = transport;
  setMaxRequestSize(registered.getMaxRequestSize());
  setMaxResponseSize(registered.getMaxResponseSize());
  setHeaderTimeout(registered.getHeaderTimeout());
  setBodyTimeout(registered.getBodyTimeout());
}

std::shared_ptr<Tcp::Handler> ParsingDelegate::clone() const {
  throw std::logic_error("a ParsingDelegate belongs to one handler and is never cloned");
}

void ParsingDelegate::onRequest(const Http::Request& request, Http::ResponseWriter writer) {
  receiver_.onRequest(request, std::move(writer));
}

void ParsingDelegate::onTimeout(const Http::Request& request, Http::ResponseWriter writer) {
  receiver_.onTimeout(request, std::move(writer));
}

}  // namespace sp::http
