// Wires the layers together: configuration, definitions, store, API, HTTP edge, signals.
#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <vector>

#include "app/config.h"
#include "delivery/delivery_worker.h"
#include "fhir/definitions.h"
#include "fhir/ids.h"
#include "fhir/json.h"
#include "fhir/project_urls.h"
#include "http/http_post_client.h"
#include "http/http_server.h"
#include "mapping/mapping_set.h"
#include "mapping/oruk_feed.h"
#include "rest/fhir_api.h"
#include "rest/operations.h"
#include "search/index_extractor.h"
#include "security/organisation_registry.h"
#include "services/alternatives_operation.h"
#include "services/code_mapping.h"
#include "services/delivery_rules.h"
#include "services/derivation_rules.h"
#include "services/directory_entry_rule.h"
#include "services/feed_scheduler.h"
#include "services/feed_sync_operation.h"
#include "services/handover_sweeper.h"
#include "services/oruk_directory.h"
#include "services/process_message.h"
#include "services/publish_resources.h"
#include "services/report_operations.h"
#include "services/translate_operation.h"
#include "services/workflow_rules.h"
#include "store/pg/pg_outbox_store.h"
#include "store/pg/pg_reports.h"
#include "store/pg/pg_resource_store.h"
#include "store/pg/pg_sync_gate.h"
#include "validation/validator.h"

namespace {

std::optional<std::string> fromEnvironment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? std::optional<std::string>(value) : std::nullopt;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The impact report's tables, read once. A malformed file stops the start with its name and
// line; a missing one only closes reports (or leaves every place unknown), so a server started
// without them (a copied profiles folder, a test) still serves FHIR.
sp::reports::LocalityTable loadLocalities(const std::string& path) {
  if (!std::ifstream(path)) {
    std::cerr << "warning: " << path << " not found: the impact report knows no localities\n";
    return sp::reports::LocalityTable::parse("postcode,locality,area\n");
  }
  try {
    return sp::reports::LocalityTable::parse(readFile(path));
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

// The MessageDefinitions of fhir-profiles/sp/ (the events $process-message accepts), to be
// stored so that partners can read and search them.
std::vector<sp::mapping::MappingSet::Resource> messageDefinitions(
    const sp::fhir::Definitions& definitions) {
  std::vector<sp::mapping::MappingSet::Resource> out;
  for (const std::string& json : definitions.projectResources()) {
    rapidjson::Document doc;
    sp::fhir::parseJson(json, doc);
    if (sp::fhir::getString(doc, "resourceType") != "MessageDefinition") continue;
    const std::string id = sp::fhir::getString(doc, "id");
    out.push_back({"MessageDefinition", id, json, "MessageDefinition-" + id + ".json"});
  }
  return out;
}

// The partner organisations and their roles: who may call, and what each may do.
sp::security::OrganisationRegistry loadRegistry(const std::string& path) {
  try {
    return sp::security::OrganisationRegistry::parse(readFile(path));
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

// Blocks SIGINT and SIGTERM in every thread (call before any thread starts); returns the set
// so the main thread can wait for them.
sigset_t blockShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return signals;
}

// The client that delivers to partners: over https it shows the hub's client certificate
// (--delivery-cert: extended key usage clientAuth, never the server's own certificate, which
// receivers that check the purpose refuse) and trusts the delivery CA (by default the one that
// signs client certificates).
sp::http::PostClientConfig deliveryClientConfig(const sp::app::Config& config) {
  sp::http::PostClientConfig out;
  out.timeout = std::chrono::milliseconds(config.deliveryTimeoutMillis);
  out.caFile = config.deliveryCaFile.empty() ? config.http.clientCaFile : config.deliveryCaFile;
  if (!std::ifstream(out.caFile)) out.caFile.clear();  // --plain-http without certificates
  if (out.caFile.empty()) return out;
  if (std::ifstream(config.deliveryCertFile) && std::ifstream(config.deliveryKeyFile)) {
    out.certFile = config.deliveryCertFile;
    out.keyFile = config.deliveryKeyFile;
  } else {
    std::cerr << "delivery: no client certificate (" << config.deliveryCertFile
              << " not found): partners that require one refuse https deliveries\n";
  }
  return out;
}

sp::delivery::WorkerSettings deliverySettings(const sp::app::Config& config) {
  sp::delivery::WorkerSettings out;
  out.retry.maxAttempts = config.deliveryMaxAttempts;
  out.retry.firstDelay = std::chrono::milliseconds(config.deliveryFirstRetryMillis);
  out.retry.maxDelay = std::chrono::milliseconds(config.deliveryMaxRetryMillis);
  out.pollInterval = std::chrono::milliseconds(config.deliveryPollMillis);
  out.retention = std::chrono::hours(config.outboxRetentionHours);
  return out;
}

int run(const sp::app::Config& config) {
  const sigset_t signals = blockShutdownSignals();
  const auto definitions = sp::fhir::Definitions::load(config.profilesDir);
  const sp::validation::Validator validator(definitions);
  for (const auto& skipped : validator.skippedInvariants()) {
    std::cerr << "invariant not evaluated: " << skipped << "\n";
  }
  const auto mappings = sp::mapping::MappingSet::load(config.mappingsDir, &definitions);
  const auto registry = loadRegistry(config.organisationsFile);  // read once, for everyone
  const sp::search::IndexExtractor indexer(definitions);
  sp::store::pg::PgResourceStore store(config.databaseUrl, config.dbPool);
  sp::fhir::SystemClock clock;
  sp::fhir::UuidGenerator ids;

  // The write rules, by resource type (rest/write_rules.h).
  sp::rest::WriteRules rules;
  const sp::services::CodeMappingRule codeMapping(mappings);
  rules.add("*", &codeMapping);  // before type rules: they see canonical codes
  // Then what the hub derives (liberal in, strict out), before the workflow judges the write.
  const sp::services::SenderFacts senders(mappings, &registry);
  const sp::services::ReferralDerivationRule referralDerivation(senders);
  const sp::services::TaskDerivationRule taskDerivation(senders);
  rules.add("ServiceRequest", &referralDerivation);
  rules.add("Task", &taskDerivation);
  const sp::services::WorkflowRules workflow(
      sp::services::WorkflowSettings{std::chrono::seconds(config.handoverExpirySeconds)});
  workflow.registerIn(rules);
  const sp::services::DirectoryEntryRule directoryEntries;  // unassured entries tagged
  rules.add("HealthcareService", &directoryEntries);
  sp::services::PublicBase publicBase;
  publicBase.set(config.http.baseUrl);
  const sp::services::ReferrerResponseRule referrerResponses(publicBase, &mappings);
  const sp::services::ReferralPushRule referralPushes(publicBase, &mappings);
  const sp::services::SubscriptionRule subscriptions(publicBase);
  sp::services::registerDeliveryRules(rules, referrerResponses, referralPushes, subscriptions);
  sp::rest::WriteRules followOnRules;  // the workflow's own writes notify partners too
  sp::services::registerDeliveryRules(followOnRules, referrerResponses, referralPushes,
                                      subscriptions);

  sp::rest::FhirApi api(store, definitions, clock, ids, config.limits,
                        sp::rest::ServerInfo{.baseUrl = config.http.baseUrl}, &validator, &rules,
                        &indexer);
  api.useFollowOnRules(&followOnRules);
  api.useRegistry(&registry);
  const sp::services::PartnerReadView partnerView(mappings);
  api.useReadView(&partnerView);

  // The operation table (rest/operations.h).
  sp::rest::Operations operations;
  const sp::services::MessageReceiver messages(store, api.context(), &mappings);
  operations.add(messages.entry());
  // Three connections: one report reads on all three at once (pg_reports.h).
  sp::store::pg::PgReportStore reportStore(config.databaseUrl, 3);
  const sp::services::ReportOperations reports(
      reportStore, clock, loadLocalities(config.localitiesFile),
      config.devOpenReports ? sp::reports::ReportAccess::open()
                            : sp::services::reportAccessOf(registry));
  for (const auto& entry : reports.entries()) operations.add(entry);
  const sp::services::TranslateOperation translate(&mappings);
  operations.add({.type = "ConceptMap",
                  .name = "$translate",
                  .instanceLevel = true,
                  .methods = "GET, POST",
                  .definition = "http://hl7.org/fhir/OperationDefinition/ConceptMap-translate",
                  .operation = &translate});
  const sp::services::AlternativesOperation alternatives;
  operations.add(
      {.type = "HealthcareService",
       .name = "$alternatives",
       .definition = std::string(sp::fhir::kOperationBase) + "HealthcareService-alternatives",
       .operation = &alternatives});
  // Directory feeds (mappings/feeds, docs/directory-feeds.md): public https, the system's CAs.
  // Without the CA file, https feeds fail (each sync says why) and http ones still work.
  const bool feedCaReadable = static_cast<bool>(std::ifstream(config.feedCaFile));
  if (!feedCaReadable) std::cerr << "directory feeds: cannot read " << config.feedCaFile << "\n";
  sp::http::HttpPostClient feedClient(
      sp::http::PostClientConfig{.caFile = feedCaReadable ? config.feedCaFile : "",
                                 .certFile = "",
                                 .keyFile = "",
                                 .timeout = std::chrono::milliseconds(config.feedTimeoutMillis),
                                 .maxResponseBytes = 64 * 1024 * 1024});  // one page
  sp::store::pg::PgSyncGate feedGate(config.databaseUrl);  // one sync of a feed at a time
  sp::services::FeedSyncOperation feedSync(
      store, api.context(), feedClient, sp::mapping::loadOrukFeeds(config.mappingsDir + "/feeds"),
      mappings);
  feedSync.useGate(&feedGate);
  operations.add(feedSync.entry());
  api.useOperations(&operations);

  const auto stored = sp::services::publishMappingResources(api, mappings);
  std::cerr << "mapping tables: " << mappings.conceptMaps().size() << " ConceptMaps, "
            << mappings.partners().partners().size() << " partner entries from "
            << config.mappingsDir << " (stored: " << stored.created << " created, "
            << stored.updated << " updated, " << stored.unchanged << " unchanged)\n";
  std::cerr << "directory feeds: " << feedSync.feeds().size() << " in " << config.mappingsDir
            << "/feeds\n";
  const auto published = sp::services::publishResources(api, messageDefinitions(definitions));
  std::cerr << "message definitions: " << published.created << " created, " << published.updated
            << " updated, " << published.unchanged << " unchanged\n";
  sp::services::HandoverSweeper sweeper(store, api.context(), workflow,
                                        std::chrono::milliseconds(config.handoverSweepMillis));
  if (config.handoverSweepMillis > 0) sweeper.start();
  std::vector<std::string> feedIds;
  for (const auto& feed : feedSync.feeds()) feedIds.push_back(feed.id);
  sp::services::FeedScheduler feedScheduler(
      feedIds, [&feedSync](const std::string& id) { return feedSync.syncUngated(id); }, feedGate,
      std::chrono::seconds(config.feedSyncSeconds));
  sp::store::pg::PgOutboxStore outbox(config.databaseUrl,
                                      static_cast<std::size_t>(config.deliveryWorkers));
  sp::http::HttpPostClient deliveryClient(deliveryClientConfig(config));
  sp::services::CommunicationReporter undelivered(store, api.context());
  std::vector<std::unique_ptr<sp::delivery::DeliveryWorker>> deliveryWorkers;
  for (int i = 0; i < config.deliveryWorkers; ++i) {
    deliveryWorkers.push_back(std::make_unique<sp::delivery::DeliveryWorker>(
        outbox, deliveryClient, ids, &undelivered, deliverySettings(config)));
  }
  if (config.http.plainHttp) {
    std::cerr << "plain HTTP: no client certificates, so no access rules apply (every caller is "
                 "the development caller); development and tests only\n";
  }
  if (config.devOpenReports) {
    std::cerr << "--dev-open-reports: reports are open to every caller (development only)\n";
  }
  sp::http::HttpServer server(config.http,
                              [&api](const sp::rest::RestRequest& r) { return api.handle(r); });
  server.start();
  // The public directory: a listener of its own, with a handler that is not the FHIR API.
  const sp::services::OrukDirectory orukDirectory(store, config.limits.maxPageSize);
  std::unique_ptr<sp::http::HttpServer> directoryServer;
  if (config.directoryPort > 0) {
    sp::http::HttpConfig open = config.http;
    open.host = config.directoryHost;
    open.port = static_cast<std::uint16_t>(config.directoryPort);
    open.plainHttp = true;
    open.threads = 2;
    open.baseUrl = "";
    directoryServer = std::make_unique<sp::http::HttpServer>(
        open, [&orukDirectory](const sp::rest::RestRequest& r) { return orukDirectory.handle(r); });
    directoryServer->start();
    std::cerr << "serving the public directory (Open Referral UK 3.0) on plain http " << open.host
              << ":" << directoryServer->port() << "\n";
  }
  if (config.http.baseUrl.empty()) {  // behind the edge, --base-url names the edge's address
    const std::string host = config.http.host == "0.0.0.0" ? "localhost" : config.http.host;
    publicBase.set((config.http.plainHttp ? "http://" : "https://") + host + ":" +
                   std::to_string(server.port()));
  }
  if (config.deliveryEnabled) {
    for (auto& worker : deliveryWorkers) worker->start();
  }
  feedScheduler.start();  // does nothing without --feed-sync-seconds or feeds
  std::cerr << "serving FHIR R4 on " << (config.http.plainHttp ? "plain http" : "the TLS edge's")
            << " port " << config.http.host << ":" << server.port() << " ("
            << definitions.resourceTypes().size() << " resource types, " << config.http.threads
            << " threads)\n";
  if (!config.portFile.empty()) {
    std::ofstream(config.portFile) << server.port() << "\n";
  }
  int received = 0;
  sigwait(&signals, &received);
  std::cerr << "signal " << received << ": shutting down\n";
  server.shutdown();
  if (directoryServer) directoryServer->shutdown();
  for (auto& worker : deliveryWorkers) worker->stop();
  sweeper.stop();
  feedScheduler.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  sp::app::Config config;
  try {
    config = sp::app::parseConfig(std::vector<std::string>(argv + 1, argv + argc), fromEnvironment);
  } catch (const std::invalid_argument& e) {
    std::cerr << "sp-adapter: " << e.what() << "\n";
    return 2;
  }
  if (config.help) {
    std::cout << sp::app::usage();
    return 0;
  }
  if (config.databaseUrl.empty()) {
    std::cerr << "sp-adapter: --database-url (or DATABASE_URL) is required; scripts/run.sh starts "
                 "a private PostgreSQL when none is given\n";
    return 2;
  }
  // A client certificate named on purpose must be there (the default may be missing in
  // development over plain HTTP).
  for (const std::string& file : {config.deliveryCertFile, config.deliveryKeyFile}) {
    if (file != sp::app::kDefaultDeliveryCert && file != sp::app::kDefaultDeliveryKey &&
        !std::ifstream(file)) {
      std::cerr << "sp-adapter: cannot read " << file << " (--delivery-cert, --delivery-key)\n";
      return 2;
    }
  }
  try {
    return run(config);
  } catch (const std::exception& e) {
    std::cerr << "sp-adapter: " << e.what() << "\n";
    return 1;
  }
}
