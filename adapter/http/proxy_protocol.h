// The PROXY protocol version 2 header that the TLS edge (HAProxy, scripts/tls-edge.sh) writes at
// the start of every connection it opens to the adapter: who the client is, as the edge verified
// it. Pure: no sockets, no Pistache, so it is unit-tested byte by byte.
//
// The edge is configured with `send-proxy-v2 proxy-v2-options ssl,cert-cn,unique-id` and
// `unique-id-format %[ssl_c_s_dn]`: the SSL TLV says whether the client presented a certificate
// and whether it verified, its CN sub-TLV carries the organisation code, and the unique-id TLV the
// whole subject. Spec: https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt (section 2.2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sp::http {

struct ProxyHeader {
  enum class Status {
    kIncomplete,  // more bytes are needed to decide
    kInvalid,     // not a PROXY v2 header, or a malformed one: the connection is refused
    kComplete,
  };
  Status status = Status::kIncomplete;
  std::size_t length = 0;            // bytes the header takes (kComplete only)
  bool local = false;                // LOCAL command: the edge's own connection (health check)
  bool tls = false;                  // the client connected over TLS
  bool verifiedCertificate = false;  // it presented a certificate, in this connection or in the
                                     // resumed session, and the edge verified it (verify == 0)
  std::string commonName;            // the certificate subject's CN
  std::string subject;               // the whole subject (unique-id TLV); empty when not sent
  std::string error;                 // why the header is invalid (kInvalid only)
};

// Reads a PROXY v2 header from the start of `bytes`. Never reads past `bytes`; a header longer
// than kMaxProxyHeaderBytes is invalid.
ProxyHeader parseProxyHeader(std::string_view bytes);

constexpr std::size_t kMaxProxyHeaderBytes = 4096;

}  // namespace sp::http
