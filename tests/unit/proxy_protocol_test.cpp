// The PROXY v2 header the TLS edge sends (http/proxy_protocol.h), built byte by byte as
// HAProxy 2.6 writes it with `send-proxy-v2 proxy-v2-options ssl,cert-cn,unique-id`.
#include "http/proxy_protocol.h"

#include <gtest/gtest.h>

#include <string>

#include "http/client_identity.h"

namespace sp::http {
namespace {

std::string u16(std::size_t n) {
  return std::string{static_cast<char>((n >> 8) & 0xFF), static_cast<char>(n & 0xFF)};
}

std::string tlv(char type, const std::string& value) {
  return std::string(1, type) + u16(value.size()) + value;
}

// client flags, verify result, then the CN sub-TLV.
std::string sslTlv(unsigned char client, unsigned char verify, const std::string& cn) {
  std::string value{static_cast<char>(client), 0, 0, 0, static_cast<char>(verify)};
  value += tlv('\x21', "TLSv1.3");
  if (!cn.empty()) value += tlv('\x22', cn);
  return tlv('\x20', value);
}

std::string header(char command, const std::string& tlvs, char family = '\x11') {
  std::string addresses = family == '\x11' ? std::string(12, '\x01') : "";
  std::string out("\r\n\r\n\0\r\nQUIT\n", 12);
  out += static_cast<char>(0x20 | command);
  out += family;
  out += u16(addresses.size() + tlvs.size());
  return out + addresses + tlvs;
}

TEST(ProxyProtocol, ReadsTheVerifiedCertificateNameAndSubject) {
  const std::string h =
      header(1, sslTlv(0x07, 0, "A81001") + tlv('\x05', "/O=Riverside/OU=gp-practice/CN=A81001"));
  const ProxyHeader p = parseProxyHeader(h + "GET / HTTP/1.1\r\n");
  ASSERT_EQ(p.status, ProxyHeader::Status::kComplete) << p.error;
  EXPECT_EQ(p.length, h.size());
  EXPECT_FALSE(p.local);
  EXPECT_TRUE(p.tls);
  EXPECT_TRUE(p.verifiedCertificate);
  EXPECT_EQ(p.commonName, "A81001");
  EXPECT_EQ(p.subject, "/O=Riverside/OU=gp-practice/CN=A81001");
}

TEST(ProxyProtocol, ACertificateFromAResumedSessionCounts) {
  const ProxyHeader p = parseProxyHeader(header(1, sslTlv(0x05, 0, "A81001")));
  ASSERT_EQ(p.status, ProxyHeader::Status::kComplete);
  EXPECT_TRUE(p.verifiedCertificate);
}

TEST(ProxyProtocol, NoCertificateOrAFailedVerificationIsNotVerified) {
  EXPECT_FALSE(parseProxyHeader(header(1, sslTlv(0x01, 0, ""))).verifiedCertificate);
  EXPECT_FALSE(parseProxyHeader(header(1, sslTlv(0x03, 10, "A81001"))).verifiedCertificate);
  const ProxyHeader plain = parseProxyHeader(header(1, ""));
  ASSERT_EQ(plain.status, ProxyHeader::Status::kComplete);
  EXPECT_FALSE(plain.tls);
  EXPECT_FALSE(plain.verifiedCertificate);
}

TEST(ProxyProtocol, EveryPrefixIsIncompleteAndNeverInvalid) {
  const std::string h = header(1, sslTlv(0x07, 0, "A81001") + tlv('\x05', "/CN=A81001"));
  for (std::size_t n = 0; n < h.size(); ++n) {
    EXPECT_EQ(parseProxyHeader(h.substr(0, n)).status, ProxyHeader::Status::kIncomplete) << n;
  }
}

TEST(ProxyProtocol, LocalCommandIsTheEdgesOwnConnection) {
  const ProxyHeader p = parseProxyHeader(header(0, "", '\x00'));
  ASSERT_EQ(p.status, ProxyHeader::Status::kComplete);
  EXPECT_TRUE(p.local);
  EXPECT_FALSE(p.verifiedCertificate);
}

TEST(ProxyProtocol, AnHttpRequestOrAVersionOneHeaderIsRefusedAtOnce) {
  EXPECT_EQ(parseProxyHeader("GET /Patient HTTP/1.1\r\n").status, ProxyHeader::Status::kInvalid);
  EXPECT_EQ(parseProxyHeader("G").status, ProxyHeader::Status::kInvalid);
  EXPECT_EQ(parseProxyHeader("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n").status,
            ProxyHeader::Status::kInvalid);
}

TEST(ProxyProtocol, MalformedHeadersAreInvalid) {
  std::string wrongVersion = header(1, "");
  wrongVersion[12] = '\x11';
  EXPECT_EQ(parseProxyHeader(wrongVersion).status, ProxyHeader::Status::kInvalid);
  std::string badFamily = header(1, "");
  badFamily[13] = '\x55';
  EXPECT_EQ(parseProxyHeader(badFamily).status, ProxyHeader::Status::kInvalid);
  // A TLV that claims more bytes than the header holds.
  std::string overlong = header(1, tlv('\x05', "abc"));
  overlong[overlong.size() - 4] = '\x09';
  EXPECT_EQ(parseProxyHeader(overlong).status, ProxyHeader::Status::kInvalid);
  // An SSL TLV too short for its fixed fields.
  EXPECT_EQ(parseProxyHeader(header(1, tlv('\x20', "\x07"))).status, ProxyHeader::Status::kInvalid);
  // A header announcing more than the limit.
  std::string huge = header(1, "");
  huge[14] = '\x7F';
  EXPECT_EQ(parseProxyHeader(huge).status, ProxyHeader::Status::kInvalid);
}

TEST(ClientIdentity, OnlyAVerifiedCertificateNamesAnOrganisation) {
  const ClientIdentity gp = clientIdentityOf(
      parseProxyHeader(header(1, sslTlv(0x07, 0, "A81001") + tlv('\x05', "/O=R/CN=A81001"))));
  EXPECT_EQ(gp.organisationCode, "A81001");
  EXPECT_EQ(gp.subject, "/O=R/CN=A81001");
  EXPECT_EQ(clientIdentityOf(parseProxyHeader(header(1, sslTlv(0x07, 0, "A81001")))).subject,
            "/CN=A81001");
  for (const std::string& h : {header(1, sslTlv(0x03, 18, "A81001")), header(1, ""),
                               header(0, "", '\x00'), std::string("GET / HTTP/1.1\r\n")}) {
    const ClientIdentity none = clientIdentityOf(parseProxyHeader(h));
    EXPECT_TRUE(none.organisationCode.empty());
    EXPECT_TRUE(none.subject.empty());
  }
}

}  // namespace
}  // namespace sp::http
