#include "app/config.h"

#include <sstream>
#include <stdexcept>

namespace sp::app {
namespace {

enum class Kind { kText, kNumber, kFlag };

struct Option {
  const char* flag;
  const char* env;
  Kind kind;
  const char* help;
  std::function<void(Config&, const std::string&)> apply;
};

long number(const std::string& flag, const std::string& text, long min, long max) {
  std::size_t used = 0;
  long v = 0;
  try {
    v = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || v < min || v > max) {
    throw std::invalid_argument("--" + flag + ": expected a number from " + std::to_string(min) +
                                " to " + std::to_string(max) + ", got '" + text + "'");
  }
  return v;
}

bool truthy(const std::string& text) {
  return text.empty() || text == "1" || text == "true" || text == "yes" || text == "on";
}

const std::vector<Option>& options() {
  static const std::vector<Option> kOptions = {
      {"host", "SP_HOST", Kind::kText,
       "address to listen on (default 127.0.0.1); behind the TLS edge only a loopback address",
       [](Config& c, const std::string& v) { c.http.host = v; }},
      {"port", "SP_PORT", Kind::kNumber,
       "port to listen on, for the TLS edge (scripts/tls-edge.sh) or plain HTTP; 0 picks a free "
       "one (default 8444)",
       [](Config& c, const std::string& v) {
         c.http.port = static_cast<std::uint16_t>(number("port", v, 0, 65535));
       }},
      {"threads", "SP_THREADS", Kind::kNumber, "HTTP worker threads (default 8)",
       [](Config& c, const std::string& v) { c.http.threads = number("threads", v, 1, 256); }},
      {"database-url", "DATABASE_URL", Kind::kText,
       "PostgreSQL URL, e.g. postgresql://user@127.0.0.1:5432/db (required)",
       [](Config& c, const std::string& v) { c.databaseUrl = v; }},
      {"db-pool", "SP_DB_POOL", Kind::kNumber, "database connections (default: one per thread)",
       [](Config& c, const std::string& v) { c.dbPool = number("db-pool", v, 1, 1000); }},
      {"plain-http", "SP_PLAIN_HTTP", Kind::kFlag,
       "serve plain HTTP to anyone, with no identities (local debugging and tests only); "
       "otherwise only the TLS edge is served, each connection naming its client in a PROXY v2 "
       "header",
       [](Config& c, const std::string& v) { c.http.plainHttp = truthy(v); }},
      {"client-ca", "SP_CLIENT_CA", Kind::kText,
       "CA certificate of the partners' PKI (default certs/out/ca.crt)",
       [](Config& c, const std::string& v) { c.http.clientCaFile = v; }},
      {"base-url", "SP_BASE_URL", Kind::kText,
       "public base URL used in links (default: from the Host header)",
       [](Config& c, const std::string& v) { c.http.baseUrl = v; }},
      {"profiles-dir", "SP_PROFILES_DIR", Kind::kText,
       "folder of FHIR definitions (default fhir-profiles)",
       [](Config& c, const std::string& v) { c.profilesDir = v; }},
      {"mappings-dir", "SP_MAPPINGS_DIR", Kind::kText,
       "folder of ConceptMaps, NamingSystems and partners.json (default: mappings "
       "beside the profiles folder)",
       [](Config& c, const std::string& v) { c.mappingsDir = v; }},
      {"max-body-bytes", "SP_MAX_BODY_BYTES", Kind::kNumber,
       "largest request body accepted, bytes (default 4194304)",
       [](Config& c, const std::string& v) {
         c.limits.maxBodyBytes = number("max-body-bytes", v, 1024, 1L << 30);
       }},
      {"max-json-depth", "SP_MAX_JSON_DEPTH", Kind::kNumber,
       "deepest JSON nesting accepted (default 64)",
       [](Config& c, const std::string& v) {
         c.limits.maxJsonDepth = number("max-json-depth", v, 8, 1000);
       }},
      {"max-page-size", "SP_MAX_PAGE_SIZE", Kind::kNumber, "largest _count served (default 500)",
       [](Config& c, const std::string& v) {
         c.limits.maxPageSize = number("max-page-size", v, 1, 10000);
       }},
      {"max-header-bytes", "SP_MAX_HEADER_BYTES", Kind::kNumber,
       "largest request line plus headers accepted, bytes; a longer request target gets 414, "
       "longer headers 431 (default 16384)",
       [](Config& c, const std::string& v) {
         c.http.maxHeaderBytes = number("max-header-bytes", v, 1024, 1L << 20);
       }},
      {"max-search-parameters", "SP_MAX_SEARCH_PARAMETERS", Kind::kNumber,
       "most parameters in one search, URL and form body together (default 50)",
       [](Config& c, const std::string& v) {
         c.limits.maxSearchParameters = number("max-search-parameters", v, 1, 1000);
       }},
      {"header-timeout", "SP_HEADER_TIMEOUT", Kind::kNumber,
       "seconds a client may take to send a request's head before 408 and disconnection "
       "(default 10)",
       [](Config& c, const std::string& v) {
         c.http.headerTimeout = std::chrono::seconds(number("header-timeout", v, 1, 3600));
       }},
      {"body-timeout", "SP_BODY_TIMEOUT", Kind::kNumber,
       "seconds a client may take to send a request's body before 408 and disconnection "
       "(default 30)",
       [](Config& c, const std::string& v) {
         c.http.bodyTimeout = std::chrono::seconds(number("body-timeout", v, 1, 3600));
       }},
      {"handover-expiry", "SP_HANDOVER_EXPIRY", Kind::kNumber,
       "seconds a warm handover may wait for acceptance before it expires (default 259200)",
       [](Config& c, const std::string& v) {
         c.handoverExpirySeconds = number("handover-expiry", v, 1, 366L * 24 * 3600);
       }},
      {"handover-sweep-ms", "SP_HANDOVER_SWEEP_MS", Kind::kNumber,
       "milliseconds between sweeps that expire warm handovers; 0 turns them off (default 60000)",
       [](Config& c, const std::string& v) {
         c.handoverSweepMillis = number("handover-sweep-ms", v, 0, 24L * 3600 * 1000);
       }},
      {"delivery", "SP_DELIVERY", Kind::kText,
       "on or off: run the outbox delivery workers in this process (default on)",
       [](Config& c, const std::string& v) {
         if (v != "on" && v != "off") throw std::invalid_argument("--delivery must be on or off");
         c.deliveryEnabled = v == "on";
       }},
      {"delivery-workers", "SP_DELIVERY_WORKERS", Kind::kNumber,
       "delivery threads in this process, each sending one message at a time (default 2)",
       [](Config& c, const std::string& v) {
         c.deliveryWorkers = static_cast<int>(number("delivery-workers", v, 1, 64));
       }},
      {"delivery-max-attempts", "SP_DELIVERY_MAX_ATTEMPTS", Kind::kNumber,
       "attempts at one message before it is reported undelivered (default 8)",
       [](Config& c, const std::string& v) {
         c.deliveryMaxAttempts = static_cast<int>(number("delivery-max-attempts", v, 1, 1000));
       }},
      {"delivery-retry-ms", "SP_DELIVERY_RETRY_MS", Kind::kNumber,
       "milliseconds before the first retry, doubled after each failure (default 2000)",
       [](Config& c, const std::string& v) {
         c.deliveryFirstRetryMillis = number("delivery-retry-ms", v, 1, 24L * 3600 * 1000);
       }},
      {"delivery-max-retry-ms", "SP_DELIVERY_MAX_RETRY_MS", Kind::kNumber,
       "longest wait between two attempts, milliseconds (default 900000)",
       [](Config& c, const std::string& v) {
         c.deliveryMaxRetryMillis = number("delivery-max-retry-ms", v, 1, 7L * 24 * 3600 * 1000);
       }},
      {"delivery-poll-ms", "SP_DELIVERY_POLL_MS", Kind::kNumber,
       "milliseconds an idle delivery worker waits before it looks again (default 500)",
       [](Config& c, const std::string& v) {
         c.deliveryPollMillis = number("delivery-poll-ms", v, 10, 3600L * 1000);
       }},
      {"delivery-timeout-ms", "SP_DELIVERY_TIMEOUT_MS", Kind::kNumber,
       "milliseconds one delivery attempt may take, connect to answer (default 10000)",
       [](Config& c, const std::string& v) {
         c.deliveryTimeoutMillis = number("delivery-timeout-ms", v, 100, 600L * 1000);
       }},
      {"delivery-ca", "SP_DELIVERY_CA", Kind::kText,
       "CA certificate that partners' https endpoints must chain to (default: --client-ca)",
       [](Config& c, const std::string& v) { c.deliveryCaFile = v; }},
      {"delivery-cert", "SP_DELIVERY_CERT", Kind::kText,
       "the hub's client certificate for https delivery, PEM, extended key usage clientAuth "
       "(default certs/out/hub-client.crt)",
       [](Config& c, const std::string& v) { c.deliveryCertFile = v; }},
      {"delivery-key", "SP_DELIVERY_KEY", Kind::kText,
       "its private key, PEM (default certs/out/hub-client.key)",
       [](Config& c, const std::string& v) { c.deliveryKeyFile = v; }},
      {"outbox-retention-hours", "SP_OUTBOX_RETENTION_HOURS", Kind::kNumber,
       "hours a delivered outbox message is kept before the delivery workers delete it "
       "(default 168, 7 days; pending and undelivered ones are kept)",
       [](Config& c, const std::string& v) {
         c.outboxRetentionHours = number("outbox-retention-hours", v, 0, 10L * 365 * 24);
       }},
      {"feed-ca", "SP_FEED_CA", Kind::kText,
       "CA certificates that https directory feeds must chain to (default: the system's, "
       "/etc/ssl/certs/ca-certificates.crt)",
       [](Config& c, const std::string& v) { c.feedCaFile = v; }},
      {"feed-sync-seconds", "SP_FEED_SYNC_SECONDS", Kind::kNumber,
       "seconds between two syncs of each directory feed of mappings/feeds, whichever adapter "
       "on the database runs it, one at a time (default 0: only on POST "
       "HealthcareService/$sync-feed)",
       [](Config& c, const std::string& v) {
         c.feedSyncSeconds = number("feed-sync-seconds", v, 0, 7L * 24 * 3600);
       }},
      {"feed-timeout-ms", "SP_FEED_TIMEOUT_MS", Kind::kNumber,
       "milliseconds one page of a directory feed may take, connect to answer (default 30000)",
       [](Config& c, const std::string& v) {
         c.feedTimeoutMillis = number("feed-timeout-ms", v, 100, 600L * 1000);
       }},
      {"directory-port", "SP_DIRECTORY_PORT", Kind::kNumber,
       "port of the public directory, an Open Referral UK 3.0 API over plain HTTP with no client "
       "certificate, apart from the FHIR API (default 0: not served; docs/directory-feeds.md)",
       [](Config& c, const std::string& v) {
         c.directoryPort = number("directory-port", v, 0, 65535);
       }},
      {"directory-host", "SP_DIRECTORY_HOST", Kind::kText,
       "address the public directory listens on (default 127.0.0.1; put a TLS proxy in front to "
       "publish it)",
       [](Config& c, const std::string& v) { c.directoryHost = v; }},
      {"localities-file", "SP_LOCALITIES_FILE", Kind::kText,
       "postcode sectors and districts of the county's localities, for the impact report "
       "(default: localities.csv in the mappings folder)",
       [](Config& c, const std::string& v) { c.localitiesFile = v; }},
      {"organisations-file", "SP_ORGANISATIONS_FILE", Kind::kText,
       "the partner organisations and their roles (slug,ods_code,name,role): who may call and "
       "what each may see and do (default: certs/organisations.csv beside the profiles folder)",
       [](Config& c, const std::string& v) { c.organisationsFile = v; }},
      {"dev-open-reports", "SP_DEV_OPEN_REPORTS", Kind::kFlag,
       "development only: reports for every caller, also without a client certificate "
       "(plain HTTP)",
       [](Config& c, const std::string& v) { c.devOpenReports = truthy(v); }},
      {"port-file", "SP_PORT_FILE", Kind::kText, "write the bound port to this file once serving",
       [](Config& c, const std::string& v) { c.portFile = v; }},
      {"quiet", "SP_QUIET", Kind::kFlag, "no access log lines",
       [](Config& c, const std::string& v) { c.http.accessLog = !truthy(v); }},
      {"help", nullptr, Kind::kFlag, "show this text",
       [](Config& c, const std::string&) { c.help = true; }},
  };
  return kOptions;
}

// Whoever can reach the edge's port can claim any identity in its PROXY header, so only
// processes on this machine may.
bool isLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

const Option& find(const std::string& flag) {
  for (const Option& o : options()) {
    if (flag == o.flag) return o;
  }
  throw std::invalid_argument("unknown flag --" + flag + " (see --help)");
}

}  // namespace

Config parseConfig(const std::vector<std::string>& args, const EnvLookup& env) {
  Config c;
  c.http.clientCaFile = "certs/out/ca.crt";
  for (const Option& o : options()) {
    if (!o.env) continue;
    if (auto value = env(o.env)) o.apply(c, *value);
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument '" + arg + "'");
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const Option& o = find(name);
    if (!value && o.kind != Kind::kFlag) {
      if (i + 1 >= args.size()) throw std::invalid_argument("--" + name + " needs a value");
      value = args[++i];
    }
    o.apply(c, value.value_or(""));
  }
  if (c.mappingsDir.empty()) {
    std::string profiles = c.profilesDir;
    while (profiles.size() > 1 && profiles.back() == '/') profiles.pop_back();
    const std::size_t slash = profiles.rfind('/');
    c.mappingsDir =
        slash == std::string::npos ? "mappings" : profiles.substr(0, slash + 1) + "mappings";
  }
  if (c.localitiesFile.empty()) c.localitiesFile = c.mappingsDir + "/localities.csv";
  if (c.organisationsFile.empty()) {
    std::string profiles = c.profilesDir;
    while (profiles.size() > 1 && profiles.back() == '/') profiles.pop_back();
    const std::size_t slash = profiles.rfind('/');
    c.organisationsFile = (slash == std::string::npos ? "" : profiles.substr(0, slash + 1)) +
                          "certs/organisations.csv";
  }
  // Pistache refuses (in plain text) what exceeds its buffer, so it gets room for a head at the
  // limit plus a body somewhat over it: those get the server's own 413 or 431 OperationOutcome.
  c.http.maxRequestBytes = c.limits.maxBodyBytes + c.http.maxHeaderBytes + 64 * 1024;
  if (c.dbPool == 0) c.dbPool = c.http.threads;
  if (!c.http.plainHttp && !isLoopback(c.http.host)) {
    throw std::invalid_argument("--host " + c.http.host +
                                " is not a loopback address: behind the TLS edge the adapter "
                                "listens on loopback only (or pass --plain-http)");
  }
  return c;
}

std::string usage() {
  std::ostringstream out;
  out << "sp-adapter: social prescribing FHIR R4 server\n\nUsage: sp-adapter [flags]\n\n";
  for (const Option& o : options()) {
    std::string flag = std::string("--") + o.flag + (o.kind == Kind::kFlag ? "" : " VALUE");
    out << "  " << flag;
    out << std::string(flag.size() < 26 ? 26 - flag.size() : 1, ' ');
    out << o.help;
    if (o.env) out << " [env " << o.env << "]";
    out << "\n";
  }
  return out.str();
}

}  // namespace sp::app
