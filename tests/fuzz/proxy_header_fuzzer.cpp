// libFuzzer target: the PROXY v2 header the TLS edge sends (http/proxy_protocol.h), the first
// bytes of every connection the adapter serves. Any bytes: no crash, no read past the input, and
// a complete header's length within the input, with every shorter prefix incomplete.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/client_identity.h"
#include "http/proxy_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const sp::http::ProxyHeader header = sp::http::parseProxyHeader(bytes);
  if (header.status == sp::http::ProxyHeader::Status::kComplete) {
    if (header.length < 16 || header.length > size) std::abort();
    if (sp::http::parseProxyHeader(bytes.substr(0, header.length - 1)).status !=
        sp::http::ProxyHeader::Status::kIncomplete) {
      std::abort();
    }
    const sp::http::ClientIdentity identity = sp::http::clientIdentityOf(header);
    if (!header.verifiedCertificate && !identity.organisationCode.empty()) std::abort();
  }
  return 0;
}
