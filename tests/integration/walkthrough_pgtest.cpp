// The README's curl walkthrough (scripts/walkthrough.sh, whose commands the README shows
// character for character) against the real server behind the TLS edge, with the test PKI's
// client certificates: every step must answer 2xx (issue 17).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

#include "harness.h"

namespace sp::testing {
namespace {

// Runs `command` with sh, stdout and stderr together.
CommandResult run(const std::string& command) { return runShell(command + " 2>&1"); }

std::string script() { return sourceDir() + "/scripts/walkthrough.sh"; }

TEST(Walkthrough, TheReadmeShowsTheScriptsCommands) {
  const CommandResult r = run("bash " + script() + " --check-readme " + sourceDir() + "/README.md");
  EXPECT_EQ(r.exitCode, 0) << r.output;
}

TEST(Walkthrough, EveryStepAnswers2xxBehindTheTlsEdge) {
  ServerProcess server(PostgresCluster::shared().freshDatabase(), ServerOptions{true, {"--quiet"}});
  const Certificates& certs = testCertificates();
  const CommandResult r =
      run("cd " + sourceDir() + " && bash " + script() + " " + server.baseUrl() + " " + certs.dir);
  EXPECT_EQ(r.exitCode, 0) << r.output;
  // Each step ran and was counted: metadata, the directory entry, the transaction, two reads.
  EXPECT_NE(r.output.find("walkthrough: step 5,"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("not 2xx"), std::string::npos) << r.output;
  // The Task read back is the one the transaction made (an empty id would search instead).
  EXPECT_NE(r.output.find("{\"resourceType\":\"Task\""), std::string::npos) << r.output;
}

}  // namespace
}  // namespace sp::testing
