#include "harness.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sp::testing {
namespace {

std::string runCommand(const std::string& command) {
  const CommandResult r = runShell(command);
  if (r.exitCode != 0) throw std::runtime_error("command failed: " + command + "\n" + r.output);
  return r.output;
}

std::string lastLine(const std::string& text) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  const auto pos = t.rfind('\n');
  return pos == std::string::npos ? t : t.substr(pos + 1);
}

int freePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

}  // namespace

std::string sourceDir() { return SP_SOURCE_DIR; }

std::string newUuid() {
  static std::mt19937_64 random{std::random_device{}()};
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  const std::uint64_t a = random(), b = random();
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-4%03x-a%03x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(b >> 52),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return text;
}

bool waitUntil(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

long long queryNumber(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec(sql)[0][0].as<long long>();
}

HttpClient& PartnerClients::as(const std::string& slug) {
  auto it = clients_.find(slug);
  if (it == clients_.end()) {
    const Certificates& certs = testCertificates();
    it =
        clients_
            .emplace(slug, std::make_unique<HttpClient>(
                               baseUrl_, TlsOptions{certs.ca(), certs.cert(slug), certs.key(slug)}))
            .first;
  }
  return *it->second;
}

std::string messagingFootprint(const std::string& databaseUrl) {
  pqxx::connection c(databaseUrl);
  pqxx::nontransaction tx(c);
  return tx
      .exec1(
          "SELECT (SELECT count(*) FROM resource_versions)::text || '/' ||"
          " (SELECT count(*) FROM message_conversations)::text || '/' ||"
          " (SELECT count(*) FROM message_log)::text")[0]
      .as<std::string>();
}

std::vector<std::string> quickDeliveryArgs(int maxAttempts) {
  std::vector<std::string> args{"--delivery-retry-ms", "100", "--delivery-max-retry-ms", "400",
                                "--delivery-poll-ms",  "50",  "--delivery-timeout-ms",   "3000",
                                "--handover-sweep-ms", "0"};
  if (maxAttempts > 0) {
    args.insert(args.end(), {"--delivery-max-attempts", std::to_string(maxAttempts)});
  }
  return args;
}

std::string makeTempDir(const std::string& prefix) {
  std::string pattern = "/tmp/" + prefix + "-XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  chmod(pattern.c_str(), 0755);  // the postgres user must reach a cluster inside it
  return pattern;
}

std::unique_ptr<PostgresCluster> PostgresCluster::startPrivate() {
  auto cluster = std::unique_ptr<PostgresCluster>(new PostgresCluster());
  cluster->dataDir_ = makeTempDir("sp-pg") + "/data";
  cluster->port_ = freePort();
  cluster->start();
  return cluster;
}

PostgresCluster& PostgresCluster::shared() {
  static std::unique_ptr<PostgresCluster> cluster = [] {
    if (const char* url = std::getenv("SP_TEST_DATABASE_URL"); url && *url) {
      auto c = std::unique_ptr<PostgresCluster>(new PostgresCluster());
      c->adminUrl_ = url;
      return c;
    }
    return startPrivate();
  }();
  return *cluster;
}

void PostgresCluster::start() {
  if (dataDir_.empty()) throw std::runtime_error("not our cluster");
  const std::string out =
      runCommand("SP_PG_FAST=1 SP_PG_PORT=" + std::to_string(port_) + " " + sourceDir() +
                 "/scripts/embedded-postgres.sh start " + dataDir_ + " 2>/dev/null");
  adminUrl_ = lastLine(out);
}

void PostgresCluster::stop() {
  if (dataDir_.empty()) return;
  runCommand(sourceDir() + "/scripts/embedded-postgres.sh stop " + dataDir_ + " >/dev/null 2>&1");
}

PostgresCluster::~PostgresCluster() {
  if (dataDir_.empty()) return;
  try {
    stop();
    runCommand("rm -rf " + dataDir_.substr(0, dataDir_.rfind('/')));
  } catch (const std::exception&) {
    // best effort at exit
  }
}

std::string PostgresCluster::freshDatabase() {
  static std::atomic<int> counter{0};
  const std::string name =
      "t_" + std::to_string(getpid()) + "_" + std::to_string(counter.fetch_add(1));
  pqxx::connection conn(adminUrl_);
  pqxx::nontransaction tx(conn);
  tx.exec("CREATE DATABASE " + name);
  const auto slash = adminUrl_.rfind('/');
  return adminUrl_.substr(0, slash + 1) + name;
}

const Certificates& testCertificates(const std::string& name) {
  static std::mutex mutex;
  // Removes the folders when the process ends.
  struct Registry : std::map<std::string, Certificates> {
    ~Registry() {
      std::error_code ignored;
      for (const auto& [name, certs] : *this) std::filesystem::remove_all(certs.dir, ignored);
    }
  };
  static Registry made;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = made.find(name);
  if (it != made.end()) return it->second;
  Certificates certs{makeTempDir("sp-certs-" + name)};
  runCommand(sourceDir() + "/certs/make-dev-certs.sh " + certs.dir + " >/dev/null 2>&1");
  return made.emplace(name, certs).first->second;
}

int freeLoopbackPort() { return freePort(); }

namespace {

pid_t spawn(std::vector<std::string> args, const std::string& logFile) {
  const pid_t pid = fork();
  if (pid == 0) {
    FILE* log = freopen(logFile.c_str(), "w", stdout);
    (void)log;
    dup2(fileno(stdout), fileno(stderr));
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

bool accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

}  // namespace

TlsEdge::TlsEdge(const Certificates& certs, const std::vector<int>& backendPorts,
                 const std::string& crlFile, int port)
    : dir_(makeTempDir("sp-edge")) {
  // The port is free when asked, but another test may take it first: then HAProxy exits and
  // another port is tried.
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = attempt == 0 && port != 0 ? port : freePort();
    std::vector<std::string> args = {"/bin/bash", sourceDir() + "/scripts/tls-edge.sh",
                                     "--listen",  "127.0.0.1:" + std::to_string(port_),
                                     "--cert",    certs.dir + "/server.crt",
                                     "--key",     certs.dir + "/server.key",
                                     "--ca",      certs.ca(),
                                     "--crl",     crlFile.empty() ? certs.crl() : crlFile,
                                     "--run-dir", dir_};
    for (int backend : backendPorts) {
      args.insert(args.end(), {"--backend", "127.0.0.1:" + std::to_string(backend)});
    }
    if (start(args)) return;
  }
  const std::string message = "the TLS edge did not start:\n" + log();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
  throw std::runtime_error(message);
}

bool TlsEdge::start(const std::vector<std::string>& args) {
  pid_ = spawn(args, dir_ + "/edge.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    if (accepts(port_)) {
      // Still running after that: it is HAProxy accepting, not another process that took the
      // port first (HAProxy then exits).
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  return false;
}

void TlsEdge::reload() {
  if (pid_ <= 0) return;
  const std::string before = readFile(dir_ + "/edge.log");
  kill(pid_, SIGUSR2);
  // The master logs the new worker's start; until then the old workers still serve.
  waitUntil([&] {
    const std::string now = readFile(dir_ + "/edge.log");
    return now.size() > before.size() &&
           now.find("Loading success", before.size()) != std::string::npos;
  });
}

void TlsEdge::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string TlsEdge::log() const { return readFile(dir_ + "/edge.log"); }

TlsEdge::~TlsEdge() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

ServerProcess::ServerProcess(const std::string& databaseUrl, ServerOptions options)
    : tls_(options.tls || options.behindSharedEdge) {
  const std::string dir = makeTempDir("sp-server");
  const std::string portFile = dir + "/port";
  logFile_ = dir + "/server.log";
  std::vector<std::string> args = {SP_ADAPTER_BINARY,
                                   "--port",
                                   "0",
                                   "--host",
                                   "127.0.0.1",
                                   "--database-url",
                                   databaseUrl,
                                   "--port-file",
                                   portFile,
                                   "--profiles-dir",
                                   sourceDir() + "/fhir-profiles"};
  // Behind the edge the adapter serves only PROXY v2 connections; the edge's address is its
  // public base URL, known before it starts because the edge's port is chosen first.
  int edgePort = 0;
  if (options.tls) {
    const Certificates& certs = testCertificates();
    edgePort = freePort();
    for (const std::string& a :
         {std::string("--delivery-cert"), certs.dir + "/hub-client.crt",
          std::string("--delivery-key"), certs.dir + "/hub-client.key", std::string("--client-ca"),
          certs.ca(), std::string("--base-url"), "https://localhost:" + std::to_string(edgePort)}) {
      args.push_back(a);
    }
  } else if (!options.behindSharedEdge) {
    args.push_back("--plain-http");
  }
  for (const auto& a : options.extraArgs) args.push_back(a);
  pid_ = spawn(args, logFile_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = readFile(portFile);
    if (!text.empty() && text.back() == '\n') {
      port_ = std::stoi(text);
      if (options.tls) {
        try {
          edge_ =
              std::make_unique<TlsEdge>(testCertificates(), std::vector<int>{port_}, "", edgePort);
        } catch (const std::exception& e) {
          stop();
          failStart(std::string(e.what()) + "\nadapter log:\n");
        }
      }
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      failStart("server exited at start:\n");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  failStart("server did not start in time:\n");
}

// The destructor does not run when the constructor throws: remove the folder here, keeping the
// log in the message.
void ServerProcess::failStart(const std::string& what) {
  const std::string message = what + log();
  std::error_code ignored;
  std::filesystem::remove_all(std::filesystem::path(logFile_).parent_path(), ignored);
  throw std::runtime_error(message);
}

ServerProcess::~ServerProcess() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(std::filesystem::path(logFile_).parent_path(), ignored);
}

int ServerProcess::stop() {
  if (edge_) edge_->stop();
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

std::string ServerProcess::baseUrl() const {
  return std::string(tls_ ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port());
}

std::string ServerProcess::log() const { return readFile(logFile_); }

HttpClient::HttpClient(std::string baseUrl, TlsOptions tls)
    : baseUrl_(std::move(baseUrl)), tls_(std::move(tls)) {
  static CurlGlobal global;
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

namespace {

size_t collectBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

size_t collectHeader(char* data, size_t size, size_t count, void* out) {
  std::string line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * count;
}

}  // namespace

HttpResponse HttpClient::request(const std::string& method, const std::string& path,
                                 const std::string& body, const std::vector<std::string>& headers) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);
  HttpResponse response;
  const std::string url = baseUrl_ + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_slist* list = nullptr;
  list = curl_slist_append(list, "Connection: keep-alive");
  list = curl_slist_append(list, "Expect:");
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collectBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collectHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  if (!tls_.caFile.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, tls_.caFile.c_str());
  if (!tls_.certFile.empty()) curl_easy_setopt(c, CURLOPT_SSLCERT, tls_.certFile.c_str());
  if (!tls_.keyFile.empty()) curl_easy_setopt(c, CURLOPT_SSLKEY, tls_.keyFile.c_str());
  if (tls_.legacyOnly) {
    curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_0 | CURL_SSLVERSION_MAX_TLSv1_1);
    curl_easy_setopt(c, CURLOPT_SSL_CIPHER_LIST, "DEFAULT:@SECLEVEL=0");
  }
  const CURLcode code = curl_easy_perform(c);
  curl_slist_free_all(list);
  if (code != CURLE_OK) {
    response.error = curl_easy_strerror(code);
    return response;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

HttpResponse HttpClient::send(const std::string& method, const std::string& path,
                              const std::string& json, std::vector<std::string> headers) {
  headers.push_back("Content-Type: application/fhir+json");
  return request(method, path, json, headers);
}

CommandResult runShell(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer{};
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string shellQuoted(const std::string& s) { return "'" + s + "'"; }

CommandResult nodeTlsClient(const std::string& mode, const std::string& baseUrl,
                            const std::string& slug, const std::vector<std::string>& args) {
  const Certificates& certs = testCertificates();
  std::string command = "node " +
                        shellQuoted(sourceDir() + "/tests/integration/node/tls_clients.mjs") + " " +
                        mode + " " + shellQuoted(baseUrl) + " " + shellQuoted(certs.ca()) + " " +
                        shellQuoted(certs.cert(slug)) + " " + shellQuoted(certs.key(slug));
  for (const auto& a : args) command += " " + shellQuoted(a);
  return runShell(command + " 2>&1");
}

std::string lastJsonLine(const std::string& output) {
  const auto start = output.rfind("\n{", output.size() > 1 ? output.size() - 2 : 0);
  std::string line = output.substr(start == std::string::npos ? 0 : start + 1);
  while (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

}  // namespace sp::testing
