#include "http/proxy_protocol.h"

#include <algorithm>
#include <cstring>

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
  return (static_cast<std::uint32_t>(u16At(s, i)) << 16) | static_cast<std::uint32_t>(u16At(s, i + 2));
}

// Bytes of addresses before the TLVs, by address family and protocol (the header's 14th byte).
bool addressBytes(std::uint8_t family, std::size_t& out) {
  switch (family) {
    case 0x00: out = 0; return true;    // UNSPEC
    case 0x11: case 0x12: out = 12; return true;   // TCP or UDP over IPv4
    case 0x21: case 0x22: out = 36; return true;   // over IPv6
    case 0x31: case 0x32: out = 216; return true;  // UNIX
    default: return false;
  }
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
  std::size_t addresses = 0;
  if (!addressBytes(byteAt(bytes, 13), addresses)) {
    return invalid("unknown PROXY protocol address family");
  }
  if (command == 1 && kFixedBytes + addresses > length) {
    return invalid("PROXY protocol addresses longer than the header");
  }
  if (bytes.size() < length) return ProxyHeader{};

  ProxyHeader out;
  out.status = ProxyHeader::Status::kComplete;
  out.length = length;
  out.local = command == 0;
  if (out.local) return out;  // a LOCAL header's contents are ignored (proxy-protocol.txt)
  std::size_t at = kFixedBytes + addresses;
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
