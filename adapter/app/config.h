// Server configuration: command-line flags with environment-variable fallbacks.
// Pure (environment passed in) so it can be unit-tested.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/http_server.h"
#include "rest/interactions.h"

namespace sp::app {

// Where certs/make-dev-certs.sh puts the hub's client certificate (relative to the working
// folder, like the TLS defaults).
inline constexpr const char* kDefaultDeliveryCert = "certs/out/hub-client.crt";
inline constexpr const char* kDefaultDeliveryKey = "certs/out/hub-client.key";

struct Config {
  http::HttpConfig http;
  rest::ApiLimits limits;
  std::string databaseUrl;
  int dbPool = 0;  // 0: one connection per server thread
  std::string profilesDir = "fhir-profiles";
  std::string mappingsDir;                 // empty: the "mappings" folder beside profilesDir
  std::string portFile;                    // when set, the bound port is written here once serving
  long handoverExpirySeconds = 72 * 3600;  // a warm handover not accepted in this time expires
  long handoverSweepMillis = 60 * 1000;    // how often expired handovers are swept; 0: never
  std::string localitiesFile;              // empty: localities.csv in the mappings folder
  std::string organisationsFile;  // empty: certs/organisations.csv beside the profiles folder
  bool devOpenReports = false;    // reports for every caller, with or without a certificate
  // Delivery to partners from the outbox (docs/delivery.md).
  bool deliveryEnabled = true;           // run the delivery workers in this process
  int deliveryWorkers = 2;               // delivery threads (one slow partner holds only one)
  int deliveryMaxAttempts = 8;           // then the message is reported undelivered
  long deliveryFirstRetryMillis = 2000;  // doubled after each failed attempt
  long deliveryMaxRetryMillis = 15 * 60 * 1000;
  long deliveryPollMillis = 500;       // how often an idle worker looks at the outbox
  long deliveryTimeoutMillis = 10000;  // one attempt: connect, send and answer
  std::string deliveryCaFile;          // partners' CA for https; empty: --client-ca
  // The hub's client certificate and key, presented when it delivers over https: extended key
  // usage clientAuth (a server certificate is refused by receivers that check the purpose).
  std::string deliveryCertFile = kDefaultDeliveryCert;
  std::string deliveryKeyFile = kDefaultDeliveryKey;
  long outboxRetentionHours = 7 * 24;  // delivered outbox rows older than this are deleted
  // Directory feeds (mappings/feeds, docs/directory-feeds.md).
  std::string feedCaFile = "/etc/ssl/certs/ca-certificates.crt";  // public CAs of https feeds
  long feedSyncSeconds = 0;        // every feed synced this often; 0: only on request
  long feedTimeoutMillis = 30000;  // one page: connect, send and answer
  // The public directory (Open Referral UK 3.0 API) on a plain listener of its own; 0: off.
  long directoryPort = 0;
  std::string directoryHost = "127.0.0.1";
  bool help = false;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Parses argv (flags `--name value` or `--name=value`) over environment fallbacks. Throws
// std::invalid_argument with a message naming the flag on unknown flags or bad values.
Config parseConfig(const std::vector<std::string>& args, const EnvLookup& env);

// The --help text: every flag, its environment variable and default.
std::string usage();

}  // namespace sp::app
