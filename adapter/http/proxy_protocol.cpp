#include "http/proxy_protocol.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace sp::http {
namespace {

constexpr char kSignature[12] = {'\r', '\n', '\r', '\n', '\0', '\r',
                                 '\n', 'Q',  'U',  'I',  'T',  '\n'};
constexpr std::size_t kFixedBytes = 16;  // signature, version and command, family, length

// TLV types and the SSL TLV's fields (proxy-protocol.txt, 2.2).
constexpr std::uint8_t kTypeUniqueId = 0x05;
constexpr std::uint8_t kTypeSsl = 0x20;
constexpr std::uint8_t kSubtypeSslCn = 0x22;
constexpr std::uint8_t kClientSsl = 0x01;
constexpr std::uint8_t kClientCertConnection = 0x02;
constexpr std::uint8_t kClientCertSession = 0x04;

std::uint8_t byteAt(std::string_view s, std::size_t i) { return static_cast<std::uint8_t>(s[i]); }

std::size_t u16At(std::string_view s, std::size_t i) {
  return (static_cast<std::size_t>(byteAt(s, i)) << 8) | byteAt(s, i + 1);
}

std::uint32_t u32At(std::string_view s, std::size_t i) {
  return (static_cast<std::uint32_t>(u16At(s, i)) << 16) |
         static_cast<std::uint32_t>(u16At(s, i + 2));
}

// Bytes of addresses before the TLVs, by the header's 14th byte: UNSPEC, or IPv4, IPv6 or UNIX
// (high nibble 1, 2, 3) over TCP or UDP (low nibble 1, 2).
std::optional<std::size_t> addressBytes(std::uint8_t family) {
  constexpr std::size_t kByFamily[] = {0, 12, 36, 216};
  if (family == 0x00) return 0;
  const std::size_t high = family >> 4, low = family & 0x0F;
  if (high < 1 || high > 3 || (low != 1 && low != 2)) return std::nullopt;
  return kByFamily[high];
}

ProxyHeader invalid(std::string error) {
  ProxyHeader h;
  h.status = ProxyHeader::Status::kInvalid;
  h.error = std::move(error);
  return h;
}

// The sub-TLVs of the SSL TLV: only the CN is read.
bool readSslSubTlvs(std::string_view tlvs, ProxyHeader& out) {
  std::size_t at = 0;
  while (at < tlvs.size()) {
    if (tlvs.size() - at < 3) return false;
    const std::uint8_t type = byteAt(tlvs, at);
    const std::size_t length = u16At(tlvs, at + 1);
    if (tlvs.size() - at - 3 < length) return false;
    if (type == kSubtypeSslCn) out.commonName = std::string(tlvs.substr(at + 3, length));
    at += 3 + length;
  }
  return true;
}

}  // namespace

ProxyHeader parseProxyHeader(std::string_view bytes) {
  if (bytes.empty()) return ProxyHeader{};
  const std::size_t seen = std::min(bytes.size(), sizeof kSignature);
  if (std::memcmp(bytes.data(), kSignature, seen) != 0) {
    return invalid("the connection did not start with a PROXY protocol v2 header");
  }
  if (bytes.size() < kFixedBytes) return ProxyHeader{};
  const std::uint8_t versionCommand = byteAt(bytes, 12);
  if ((versionCommand >> 4) != 2) return invalid("PROXY protocol version is not 2");
  const std::uint8_t command = versionCommand & 0x0F;
  if (command > 1) return invalid("unknown PROXY protocol command");
  const std::size_t length = kFixedBytes + u16At(bytes, 14);
  if (length > kMaxProxyHeaderBytes) return invalid("PROXY protocol header too long");
  const std::optional<std::size_t> addresses = addressBytes(byteAt(bytes, 13));
  if (!addresses) return invalid("unknown PROXY protocol address family");
  if (command == 1 && kFixedBytes + *addresses > length) {
    return invalid("PROXY protocol addresses longer than the header");
  }
  if (bytes.size() < length) return ProxyHeader{};

  ProxyHeader out;
  out.status = ProxyHeader::Status::kComplete;
  out.length = length;
  out.local = command == 0;
  if (out.local) return out;  // a LOCAL header's contents are ignored (proxy-protocol.txt)
  std::size_t at = kFixedBytes + *addresses;
  while (at < length) {
    if (length - at < 3) return invalid("truncated PROXY protocol TLV");
    const std::uint8_t type = byteAt(bytes, at);
    const std::size_t size = u16At(bytes, at + 1);
    if (length - at - 3 < size) return invalid("PROXY protocol TLV longer than the header");
    const std::string_view value = bytes.substr(at + 3, size);
    if (type == kTypeUniqueId) {
      out.subject = std::string(value);
    } else if (type == kTypeSsl) {
      if (value.size() < 5) return invalid("truncated PROXY protocol SSL TLV");
      const std::uint8_t client = byteAt(value, 0);
      const std::uint32_t verify = u32At(value, 1);
      out.tls = (client & kClientSsl) != 0;
      out.verifiedCertificate =
          out.tls && (client & (kClientCertConnection | kClientCertSession)) != 0 && verify == 0;
      if (!readSslSubTlvs(value.substr(5), out)) return invalid("malformed PROXY protocol SSL TLV");
    }
    at += 3 + size;
  }
  return out;
}

}  // namespace sp::http
