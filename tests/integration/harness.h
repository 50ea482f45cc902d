// Integration test harness: a real PostgreSQL, the real server binary, a real HTTP(S) client.
//
// - PostgresCluster: the cluster named by SP_TEST_DATABASE_URL, or else a private one started
//   with scripts/embedded-postgres.sh in a temporary folder on a free port. Each test gets a
//   fresh database from freshDatabase().
// - ServerProcess: runs build/adapter/sp-adapter on port 0 against a database and stops it
//   with SIGTERM when destroyed.
// - HttpClient: libcurl, with optional CA and client certificate for mTLS.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sp::testing {

std::string sourceDir();
std::string makeTempDir(const std::string& prefix);

// A random (version 4) UUID, e.g. for message ids and X-Request-Id.
std::string newUuid();

// Polls `done` every 50 ms until it holds (true) or 30 s have passed (false): for work the
// server finishes after answering, such as deliveries from the outbox.
bool waitUntil(const std::function<bool()>& done);

// The number in the first column of the first row `sql` returns on database `url` (a count, a
// version): for tests that check what a request left in the tables.
long long queryNumber(const std::string& url, const std::string& sql);

// What any message processing adds to the tables (resource versions, conversations, log
// entries) as "v/c/l": the same before and after a refused message shows it wrote nothing.
std::string messagingFootprint(const std::string& databaseUrl);

// Server flags for tests of delivery: retries after 100 ms (400 ms at most), the outbox polled
// every 50 ms, partners given 3 s to answer, no handover sweep; `maxAttempts` > 0 caps the
// attempts at a message.
std::vector<std::string> quickDeliveryArgs(int maxAttempts = 0);

class PostgresCluster {
 public:
  // A private cluster just for the caller (own data folder and port), stopped on destruction.
  static std::unique_ptr<PostgresCluster> startPrivate();
  // The cluster shared by the tests of this process.
  static PostgresCluster& shared();
  ~PostgresCluster();

  // Creates a new empty database and returns its URL.
  std::string freshDatabase();
  void stop();
  void start();
  const std::string& adminUrl() const { return adminUrl_; }

 private:
  std::string adminUrl_;  // URL of the cluster's `sp` (or given) database
  std::string dataDir_;   // empty when the cluster is not ours
  int port_ = 0;
};

struct Certificates {
  std::string dir;  // ca.crt, server.crt/key, client-<slug>.crt/key
  std::string ca() const { return dir + "/ca.crt"; }
  std::string cert(const std::string& slug) const { return dir + "/client-" + slug + ".crt"; }
  std::string key(const std::string& slug) const { return dir + "/client-" + slug + ".key"; }
  std::string crl() const { return dir + "/ca.crl"; }
};

// A development PKI made at test time with certs/make-dev-certs.sh (once per process per name).
const Certificates& testCertificates(const std::string& name = "main");

// The TLS edge (scripts/tls-edge.sh: HAProxy) on a free loopback port, in front of adapters
// listening on loopback `backendPorts`, with the PKI `certs` (and its CRL, or `crlFile`).
class TlsEdge {
 public:
  // `port`: the port to try first (0: any free one).
  TlsEdge(const Certificates& certs, const std::vector<int>& backendPorts,
          const std::string& crlFile = "", int port = 0);
  ~TlsEdge();
  TlsEdge(const TlsEdge&) = delete;
  TlsEdge& operator=(const TlsEdge&) = delete;

  int port() const { return port_; }
  std::string baseUrl() const { return "https://localhost:" + std::to_string(port_); }
  // SIGUSR2: HAProxy reads its certificate and revocation list again, in new workers.
  void reload();
  void stop();
  std::string log() const;

 private:
  bool start(const std::vector<std::string>& args);

  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
};

// A free TCP port on 127.0.0.1 at the time of asking.
int freeLoopbackPort();

struct ServerOptions {
  bool tls = false;  // behind a TlsEdge of its own (testCertificates()), else plain HTTP
  std::vector<std::string> extraArgs;
  // Serves PROXY v2 only, with no edge of its own: for tests that put several adapters behind
  // one TlsEdge (they pass the edge's --base-url in extraArgs).
  bool behindSharedEdge = false;
};

class ServerProcess {
 public:
  ServerProcess(const std::string& databaseUrl, ServerOptions options = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::string baseUrl() const;
  // The port clients use: the edge's with tls, else the adapter's.
  int port() const { return edge_ ? edge_->port() : port_; }
  // The adapter's own port (behind the edge: loopback, PROXY v2 only).
  int adapterPort() const { return port_; }
  // Sends SIGTERM and waits; returns the exit status.
  int stop();
  std::string log() const;

 private:
  [[noreturn]] void failStart(const std::string& what);

  pid_t pid_ = -1;
  int port_ = 0;
  bool tls_ = false;
  std::string logFile_;
  std::unique_ptr<TlsEdge> edge_;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string error;  // transport error (TLS handshake refused, ...), empty when none

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct TlsOptions {
  std::string caFile;
  std::string certFile;
  std::string keyFile;
  bool legacyOnly = false;  // offer only TLS 1.0 and 1.1 (the server must refuse them)
};

class HttpClient {
 public:
  explicit HttpClient(std::string baseUrl, TlsOptions tls = {});
  ~HttpClient();

  HttpResponse request(const std::string& method, const std::string& path,
                       const std::string& body = "", const std::vector<std::string>& headers = {});
  HttpResponse get(const std::string& path, const std::vector<std::string>& headers = {}) {
    return request("GET", path, "", headers);
  }
  // POST/PUT with Content-Type application/fhir+json.
  HttpResponse send(const std::string& method, const std::string& path, const std::string& json,
                    std::vector<std::string> headers = {});

 private:
  std::string baseUrl_;
  TlsOptions tls_;
  void* curl_;
};

// One HTTPS client per partner organisation, by the slug of its client certificate
// (testCertificates(): "gp", "admin", ...), for the server at `baseUrl`; made on first use.
class PartnerClients {
 public:
  explicit PartnerClients(std::string baseUrl) : baseUrl_(std::move(baseUrl)) {}
  HttpClient& as(const std::string& slug);

 private:
  std::string baseUrl_;
  std::map<std::string, std::unique_ptr<HttpClient>> clients_;
};

// A command run with sh: its exit code (-1 when it did not exit) and its standard output (add
// "2>&1" to the command for its errors too).
struct CommandResult {
  int exitCode = -1;
  std::string output;
};
CommandResult runShell(const std::string& command);
// `s` in single quotes, for a shell command line (`s` holds no single quote).
std::string shellQuoted(const std::string& s);

// Node's own TLS clients against `baseUrl`, as organisation `slug` (tests/integration/node/
// tls_clients.mjs, which says what each mode does): a client this project did not write.
CommandResult nodeTlsClient(const std::string& mode, const std::string& baseUrl,
                            const std::string& slug, const std::vector<std::string>& args);
// The JSON line a Node run printed last.
std::string lastJsonLine(const std::string& output);

}  // namespace sp::testing
