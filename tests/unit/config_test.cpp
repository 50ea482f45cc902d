#include "app/config.h"

#include <gtest/gtest.h>

#include <map>

namespace sp::app {
namespace {

EnvLookup envOf(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

TEST(Config, Defaults) {
  const Config c = parseConfig({}, envOf({}));
  EXPECT_EQ(c.http.port, 8444);
  EXPECT_EQ(c.http.host, "127.0.0.1");
  EXPECT_EQ(c.http.threads, 8);
  EXPECT_FALSE(c.http.plainHttp);
  EXPECT_EQ(c.dbPool, 8);  // one connection per thread
  EXPECT_EQ(c.http.clientCaFile, "certs/out/ca.crt");
  EXPECT_EQ(c.http.maxHeaderBytes, 16u * 1024);
  EXPECT_EQ(c.http.maxRequestBytes, c.limits.maxBodyBytes + c.http.maxHeaderBytes + 64 * 1024);
  EXPECT_EQ(c.limits.maxSearchParameters, 50u);
  EXPECT_EQ(c.http.headerTimeout, std::chrono::seconds(10));
  EXPECT_EQ(c.http.bodyTimeout, std::chrono::seconds(30));
}

TEST(Config, BehindTheTlsEdgeOnlyLoopbackIsServed) {
  EXPECT_THROW(parseConfig({"--host", "0.0.0.0"}, envOf({})), std::invalid_argument);
  EXPECT_THROW(parseConfig({}, envOf({{"SP_HOST", "192.168.1.4"}})), std::invalid_argument);
  EXPECT_EQ(parseConfig({"--host", "127.0.0.2"}, envOf({})).http.host, "127.0.0.2");
  EXPECT_EQ(parseConfig({"--host", "::1"}, envOf({})).http.host, "::1");
  EXPECT_EQ(parseConfig({"--host", "0.0.0.0", "--plain-http"}, envOf({})).http.host, "0.0.0.0");
}

TEST(Config, HostileInputLimits) {
  const Config c = parseConfig({"--max-header-bytes", "4096", "--max-search-parameters=7",
                                "--header-timeout", "3", "--body-timeout", "4"},
                               envOf({{"SP_MAX_BODY_BYTES", "2048"}}));
  EXPECT_EQ(c.http.maxHeaderBytes, 4096u);
  EXPECT_EQ(c.http.maxRequestBytes, 2048u + 4096u + 64 * 1024);
  EXPECT_EQ(c.limits.maxSearchParameters, 7u);
  EXPECT_EQ(c.http.headerTimeout, std::chrono::seconds(3));
  EXPECT_EQ(c.http.bodyTimeout, std::chrono::seconds(4));
  EXPECT_THROW(parseConfig({"--max-header-bytes", "10"}, envOf({})), std::invalid_argument);
  EXPECT_THROW(parseConfig({"--header-timeout", "0"}, envOf({})), std::invalid_argument);
  EXPECT_THROW(parseConfig({"--max-search-parameters", "-1"}, envOf({})), std::invalid_argument);
}

TEST(Config, FlagsOverrideEnvironment) {
  const Config c = parseConfig({"--port", "9000", "--threads=4", "--plain-http"},
                               envOf({{"SP_PORT", "7000"},
                                      {"DATABASE_URL", "postgresql://x/y"},
                                      {"SP_MAX_BODY_BYTES", "2048"}}));
  EXPECT_EQ(c.http.port, 9000);
  EXPECT_EQ(c.http.threads, 4);
  EXPECT_EQ(c.dbPool, 4);
  EXPECT_TRUE(c.http.plainHttp);
  EXPECT_EQ(c.databaseUrl, "postgresql://x/y");
  EXPECT_EQ(c.limits.maxBodyBytes, 2048u);
}

TEST(Config, BadInputNamesTheFlag) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--port", "http"},
                                               {"--port", "70000"},
                                               {"--frobnicate"},
                                               {"--threads"},
                                               {"stray"}}) {
    try {
      parseConfig(args, envOf({}));
      FAIL() << args[0];
    } catch (const std::invalid_argument& e) {
      EXPECT_FALSE(std::string(e.what()).empty());
    }
  }
}

TEST(Config, DeliveryFlags) {
  const Config defaults = parseConfig({}, envOf({}));
  EXPECT_TRUE(defaults.deliveryEnabled);
  EXPECT_EQ(defaults.deliveryMaxAttempts, 8);
  EXPECT_EQ(defaults.deliveryWorkers, 2);
  EXPECT_EQ(defaults.deliveryFirstRetryMillis, 2000);
  EXPECT_EQ(defaults.deliveryTimeoutMillis, 10000);
  EXPECT_EQ(defaults.deliveryCaFile, "");
  EXPECT_EQ(defaults.outboxRetentionHours, 168);
  const Config c =
      parseConfig({"--delivery", "off", "--delivery-max-attempts=3", "--delivery-retry-ms", "50",
                   "--delivery-max-retry-ms", "400", "--delivery-poll-ms", "20",
                   "--delivery-timeout-ms", "1500", "--delivery-ca", "partners-ca.crt",
                   "--delivery-workers", "4", "--outbox-retention-hours", "24"},
                  envOf({{"SP_DELIVERY_MAX_ATTEMPTS", "5"}}));
  EXPECT_FALSE(c.deliveryEnabled);
  EXPECT_EQ(c.deliveryMaxAttempts, 3);
  EXPECT_EQ(c.deliveryFirstRetryMillis, 50);
  EXPECT_EQ(c.deliveryMaxRetryMillis, 400);
  EXPECT_EQ(c.deliveryPollMillis, 20);
  EXPECT_EQ(c.deliveryTimeoutMillis, 1500);
  EXPECT_EQ(c.deliveryCaFile, "partners-ca.crt");
  EXPECT_EQ(c.deliveryWorkers, 4);
  EXPECT_EQ(c.outboxRetentionHours, 24);
  EXPECT_EQ(parseConfig({}, envOf({{"SP_DELIVERY_MAX_ATTEMPTS", "5"}})).deliveryMaxAttempts, 5);
  EXPECT_THROW(parseConfig({"--delivery", "maybe"}, envOf({})), std::invalid_argument);
  EXPECT_THROW(parseConfig({"--delivery-max-attempts", "0"}, envOf({})), std::invalid_argument);
  EXPECT_THROW(parseConfig({"--delivery-poll-ms", "x"}, envOf({})), std::invalid_argument);
}

TEST(Config, UsageListsEveryFlagWithItsEnvironmentVariable) {
  const std::string text = usage();
  for (const char* flag : {"--port", "--database-url", "--plain-http", "--max-body-bytes",
                           "DATABASE_URL", "SP_THREADS"}) {
    EXPECT_NE(text.find(flag), std::string::npos) << flag;
  }
  EXPECT_TRUE(parseConfig({"--help"}, envOf({})).help);
}

}  // namespace
}  // namespace sp::app
