#include "http/raw_request_target.h"

#include <algorithm>
#include <vector>

namespace sp::http {
namespace {

namespace Private = Pistache::Http::Private;
using Buffer = Pistache::ArrayStreamBuf<char>;

// Neither the parser's buffer nor the buffer's bytes are public: they are reached with the
// standard explicit-instantiation technique (access checks do not apply to the template
// arguments of an explicit instantiation).
using BufferMember = Buffer Private::ParserBase::*;
using BytesMember = std::vector<char> Buffer::*;

BufferMember parserBuffer();
BytesMember bufferBytes();

template <BufferMember member>
struct BufferAccess {
  friend BufferMember parserBuffer() { return member; }
};
template struct BufferAccess<&Private::ParserBase::buffer>;

template <BytesMember member>
struct BytesAccess {
  friend BytesMember bufferBytes() { return member; }
};
template struct BytesAccess<&Buffer::bytes>;

const std::vector<char>* parserBytes(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  if (!peer) return nullptr;
  const auto parser = Pistache::Http::Handler::getParser(peer);
  if (!parser) return nullptr;
  return &(((*parser).*parserBuffer()).*bufferBytes());
}

}  // namespace

std::optional<std::string> rawRequestTarget(const std::shared_ptr<Pistache::Tcp::Peer>& peer,
                                            const std::string& method) {
  const std::vector<char>* buffer = parserBytes(peer);
  if (!buffer) return std::nullopt;
  const std::vector<char>& bytes = *buffer;
  const std::string prefix = method + " ";
  if (bytes.size() <= prefix.size() || !std::equal(prefix.begin(), prefix.end(), bytes.begin())) {
    return std::nullopt;
  }
  std::string target;
  for (std::size_t i = prefix.size(); i < bytes.size() && bytes[i] != ' ' && bytes[i] != '\r';
       ++i) {
    target.push_back(bytes[i]);
  }
  if (target.empty() || target[0] != '/') return std::nullopt;
  return target;
}

std::optional<std::size_t> rawRequestHeadBytes(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  const std::vector<char>* bytes = parserBytes(peer);
  if (!bytes) return std::nullopt;
  static constexpr char kBlankLine[] = "\r\n\r\n";
  const auto end = std::search(bytes->begin(), bytes->end(), kBlankLine, kBlankLine + 4);
  if (end == bytes->end()) return std::nullopt;
  return static_cast<std::size_t>(end - bytes->begin()) + 4;
}

std::size_t bufferedRequestBytes(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  const std::vector<char>* bytes = parserBytes(peer);
  return bytes ? bytes->size() : 0;
}

}  // namespace sp::http
