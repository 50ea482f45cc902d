// bench/bare_server: the HTTP ceiling for bench/run.sh.
//
// A Pistache server set up like the adapter's HTTP edge (same thread count, same endpoint
// options, Content-Type written the same way) that answers every request with one fixed, small
// FHIR OperationOutcome. Whatever sp-adapter does beyond this is the cost of the server itself.
//
// Usage: bare_server [--host H] [--port N] [--threads T] [--port-file FILE]
#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pthread.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

namespace {

using namespace Pistache;

constexpr const char* kBody =
    "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"information\","
    "\"code\":\"informational\",\"diagnostics\":\"bench\"}]}";

// A response header of any name, written the way the adapter writes its headers.
class NamedHeader : public Http::Header::Header {
 public:
  NamedHeader(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  void write(std::ostream& os) const override { os << value_; }
#ifdef SAFE_HEADER_CAST
  uint64_t hash() const override { return std::hash<std::string>{}(name_); }
#endif

 private:
  std::string name_;
  std::string value_;
};

class FixedHandler : public Http::Handler {
 public:
  HTTP_PROTOTYPE(FixedHandler)

  void onRequest(const Http::Request&, Http::ResponseWriter writer) override {
    writer.headers().add(
        std::make_shared<NamedHeader>("Content-Type", "application/fhir+json; charset=utf-8"));
    writer.send(Http::Code::Ok, kBody);
  }
};

struct Options {
  std::string host = "127.0.0.1";
  int port = 18080;
  int threads = 2;
  std::string portFile;
};

[[noreturn]] void usage(int status) {
  (status == 0 ? std::cout : std::cerr)
      << "usage: bare_server [--host H] [--port N] [--threads T] [--port-file FILE]\n";
  std::exit(status);
}

int toInt(const std::string& flag, const std::string& text, int low, int high) {
  try {
    std::size_t used = 0;
    const int value = std::stoi(text, &used);
    if (used == text.size() && value >= low && value <= high) return value;
  } catch (const std::exception&) {
  }
  std::cerr << "bare_server: " << flag << " must be a number in [" << low << ", " << high << "]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") usage(0);
    if (i + 1 >= argc) usage(2);
    const std::string value = argv[++i];
    if (flag == "--host") {
      o.host = value;
    } else if (flag == "--port") {
      o.port = toInt(flag, value, 0, 65535);
    } else if (flag == "--threads") {
      o.threads = toInt(flag, value, 1, 256);
    } else if (flag == "--port-file") {
      o.portFile = value;
    } else {
      usage(2);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);

  // Block the shutdown signals before Pistache starts its threads, then wait for them here.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    Http::Endpoint endpoint(Address(options.host, Port(static_cast<uint16_t>(options.port))));
    // The same endpoint options as adapter/http/http_server.cpp with its defaults.
    endpoint.init(Http::Endpoint::options()
                      .threads(options.threads)
                      .flags(Tcp::Options::ReuseAddr)
                      .maxRequestSize(4 * 1024 * 1024 + 64 * 1024)
                      .headerTimeout(std::chrono::seconds(10))
                      .bodyTimeout(std::chrono::seconds(30)));
    endpoint.setHandler(Http::make_handler<FixedHandler>());
    endpoint.serveThreaded();
    std::cerr << "bare_server on http://" << options.host << ":" << endpoint.getPort() << " ("
              << options.threads << " threads)\n";
    if (!options.portFile.empty()) std::ofstream(options.portFile) << endpoint.getPort() << "\n";
    int received = 0;
    sigwait(&signals, &received);
    endpoint.shutdown();
  } catch (const std::exception& e) {
    std::cerr << "bare_server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
