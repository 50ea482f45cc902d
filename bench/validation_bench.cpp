// Validation throughput on one core: how many typical referral ServiceRequests and Tasks the
// validator checks per second (parsing excluded), against the same loop that only parses the
// JSON as a baseline measured in the same run.
//
// Usage: validation_bench <fhir-profiles dir> <resource.json>... [--seconds N]
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "fhir/definitions.h"
#include "fhir/json.h"
#include "validation/validator.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `work` repeatedly for about `seconds`; returns operations per second.
template <typename Work>
double perSecond(double seconds, Work work) {
  const auto start = Clock::now();
  long n = 0;
  while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
    for (int i = 0; i < 100; ++i) work();
    n += 100;
  }
  return n / std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: validation_bench <fhir-profiles dir> <resource.json>... [--seconds N]\n";
    return 2;
  }
  double seconds = 3;
  std::vector<std::string> files;
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      files.push_back(argv[i]);
    }
  }
  const auto definitions = sp::fhir::Definitions::load(argv[1]);
  const sp::validation::Validator validator(definitions);
  std::cout << "resource                         validations/s   parses/s   us/validation\n";
  for (const auto& file : files) {
    const std::string text = readFile(file);
    rapidjson::Document doc;
    sp::fhir::parseJson(text, doc);
    const auto issues = validator.validate(doc);
    if (sp::validation::Validator::hasErrors(issues)) {
      std::cerr << file << " is not valid; fix the benchmark data\n";
      return 1;
    }
    const double validations = perSecond(seconds, [&] { (void)validator.validate(doc); });
    const double parses = perSecond(seconds, [&] {
      rapidjson::Document d;
      sp::fhir::parseJson(text, d);
    });
    const std::string name = file.substr(file.rfind('/') + 1);
    std::printf("%-32s %13.0f %10.0f %15.1f\n", name.c_str(), validations, parses,
                1e6 / validations);
  }
  return 0;
}
