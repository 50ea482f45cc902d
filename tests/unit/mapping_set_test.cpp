// The mapping folder: the project's own tables load and pass every check; a broken file stops
// loading with a message that names the file and the problem.
#include "mapping/mapping_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fhir/definitions.h"

namespace sp::mapping {
namespace {

const std::string kBase = "https://fhir.social-prescribing.example.org";

const fhir::Definitions& definitions() {
  static const fhir::Definitions defs =
      fhir::Definitions::load(std::string(SP_SOURCE_DIR) + "/fhir-profiles");
  return defs;
}

std::vector<MappingFile> repositoryFiles() {
  std::vector<MappingFile> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(SP_SOURCE_DIR) + "/mappings")) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    files.push_back({entry.path().filename().string(), text.str()});
  }
  std::sort(files.begin(), files.end(),
            [](const MappingFile& a, const MappingFile& b) { return a.name < b.name; });
  return files;
}

MappingFile& fileNamed(std::vector<MappingFile>& files, const std::string& name) {
  for (auto& f : files) {
    if (f.name == name) return f;
  }
  throw std::runtime_error("no file " + name);
}

void replaceOnce(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
}

// The load error for `files`, or "" when they load.
std::string loadError(const std::vector<MappingFile>& files) {
  try {
    MappingSet::fromFiles(files, "mappings/", &definitions());
  } catch (const MappingLoadError& e) {
    return e.what();
  }
  return "";
}

TEST(MappingSet, TheRepositoryTablesLoadAndPassEveryCheck) {
  const MappingSet set = MappingSet::load(std::string(SP_SOURCE_DIR) + "/mappings", &definitions());
  for (const char* id :
       {"gp-referral-code", "link-worker-snomed-status", "snomed-priority-cohort",
        "vcse-case-status", "vcse-service-category", "bars-message-event",
        "organisation-role-referral-route", "oruk-taxonomy-category", "oruk-taxonomy-cohort"}) {
    const ConceptMap* map = set.conceptMap(kBase + "/ConceptMap/" + id);
    ASSERT_NE(map, nullptr) << id;
    EXPECT_EQ(map->id, id);
    EXPECT_FALSE(map->groups.empty()) << id;
  }
  EXPECT_EQ(set.conceptMaps().size(), 9u);
  EXPECT_EQ(set.identifierSystems().canonical("https://fhir.nhs.uk/id/ods-organization-code"),
            "https://fhir.nhs.uk/Id/ods-organization-code");
  EXPECT_EQ(set.identifierSystems().canonical("http://fhir.nhs.uk/Id/dos-service-id"),
            "https://fhir.nhs.uk/Id/dos-service-id");
  EXPECT_EQ(set.resources().size(), 11u);  // 9 ConceptMaps, 2 NamingSystems
  const auto vcse = set.partners().partnersFor({"VCS0002", ""});
  ASSERT_EQ(vcse.size(), 2u);  // everyone's entry and the VCSE case system's
  EXPECT_EQ(vcse[0]->id, "every-sender");
  EXPECT_EQ(vcse[1]->id, "northvale-vcse-case-system");
  // Liberal in: only a partner whose rule says so refuses codes a map cannot translate.
  EXPECT_TRUE(vcse[1]->inbound[0].refusesUnmapped);
  EXPECT_FALSE(vcse[1]->inbound[1].refusesUnmapped);
  for (const auto* gp : set.partners().partnersFor({"A81001", ""})) {
    for (const auto& rule : gp->inbound) EXPECT_FALSE(rule.refusesUnmapped) << gp->id;
  }
  EXPECT_EQ(set.partners().partnersFor({"", ""}).size(), 1u);
}

TEST(MappingSet, AMissingFolderIsNamed) {
  try {
    MappingSet::load("/nonexistent/mappings", &definitions());
    FAIL();
  } catch (const MappingLoadError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/mappings"), std::string::npos);
  }
}

TEST(MappingSet, MalformedJsonNamesTheFile) {
  auto files = repositoryFiles();
  fileNamed(files, "ConceptMap-vcse-case-status.json").text += "}";
  const std::string error = loadError(files);
  EXPECT_NE(error.find("mappings/ConceptMap-vcse-case-status.json"), std::string::npos) << error;
  EXPECT_NE(error.find("not valid JSON"), std::string::npos) << error;
}

TEST(MappingSet, ATargetCodeThatIsNotInTheProjectsCodeSystemIsNamed) {
  auto files = repositoryFiles();
  replaceOnce(fileNamed(files, "ConceptMap-vcse-case-status.json").text, "\"first-contact-made\"",
              "\"first-contact\"");
  const std::string error = loadError(files);
  EXPECT_NE(error.find("ConceptMap-vcse-case-status.json"), std::string::npos) << error;
  EXPECT_NE(
      error.find("'first-contact' is not a code of " + kBase + "/CodeSystem/task-business-status"),
      std::string::npos)
      << error;
  // FHIR core code systems are checked too.
  files = repositoryFiles();
  replaceOnce(fileNamed(files, "ConceptMap-vcse-case-status.json").text, "\"in-progress\"",
              "\"busy\"");
  EXPECT_NE(loadError(files).find("'busy' is not a code of http://hl7.org/fhir/task-status"),
            std::string::npos);
}

TEST(MappingSet, TheFileNameIdAndCanonicalUrlMustAgree) {
  auto files = repositoryFiles();
  replaceOnce(fileNamed(files, "ConceptMap-gp-referral-code.json").text,
              "\"id\": \"gp-referral-code\"", "\"id\": \"gp-codes\"");
  EXPECT_NE(loadError(files).find("id must be 'gp-referral-code'"), std::string::npos);
  files = repositoryFiles();
  replaceOnce(fileNamed(files, "ConceptMap-gp-referral-code.json").text,
              kBase + "/ConceptMap/gp-referral-code", "https://elsewhere.example.org/gp");
  EXPECT_NE(loadError(files).find("url must be " + kBase + "/ConceptMap/gp-referral-code"),
            std::string::npos);
}

TEST(MappingSet, AnUnexpectedFileIsRefused) {
  auto files = repositoryFiles();
  files.push_back({"ConceptMap_typo.json", "{}"});
  const std::string error = loadError(files);
  EXPECT_NE(error.find("mappings/ConceptMap_typo.json"), std::string::npos) << error;
  EXPECT_NE(error.find("unexpected file"), std::string::npos) << error;
}

TEST(MappingSet, TheConfigurationMustNameExistingMapsAndCodedElements) {
  auto files = repositoryFiles();
  replaceOnce(fileNamed(files, "partners.json").text, "ConceptMap/gp-referral-code",
              "ConceptMap/gp-referral-codes");
  std::string error = loadError(files);
  EXPECT_NE(error.find("mappings/partners.json"), std::string::npos) << error;
  EXPECT_NE(
      error.find("no ConceptMap in this folder has url " + kBase + "/ConceptMap/gp-referral-codes"),
      std::string::npos)
      << error;

  files = repositoryFiles();
  replaceOnce(fileNamed(files, "partners.json").text, "\"ServiceRequest.code\"",
              "\"ServiceRequest.authoredOn\"");
  error = loadError(files);
  EXPECT_NE(error.find("ServiceRequest.authoredOn is a dateTime"), std::string::npos) << error;

  files = repositoryFiles();
  replaceOnce(fileNamed(files, "partners.json").text, "\"ServiceRequest.code\"",
              "\"ServiceRequest.kode\"");
  EXPECT_NE(loadError(files).find("ServiceRequest.kode is not an element"), std::string::npos);

  files = repositoryFiles();
  replaceOnce(fileNamed(files, "partners.json").text, "\"element\": \"Task.status\"",
              "\"element\": \"Task.intent\", \"systen\": \"x\"");
  error = loadError(files);
  EXPECT_NE(error.find("unknown member 'systen'"), std::string::npos) << error;
}

TEST(MappingSet, TheConfigurationIsRequired) {
  auto files = repositoryFiles();
  files.erase(std::remove_if(files.begin(), files.end(),
                             [](const MappingFile& f) { return f.name == "partners.json"; }),
              files.end());
  const std::string error = loadError(files);
  EXPECT_NE(error.find("mappings/partners.json"), std::string::npos) << error;
  EXPECT_NE(error.find("missing"), std::string::npos) << error;
}

TEST(MappingSet, ASpellingMayMeanOnlyOneSystem) {
  auto files = repositoryFiles();
  files.push_back(
      {"NamingSystem-ods-copy.json", R"({"resourceType": "NamingSystem", "id": "ods-copy",
    "name": "OdsCopy", "status": "active", "kind": "identifier", "date": "2026-11-25",
    "uniqueId": [{"type": "uri", "value": "https://example.org/ods", "preferred": true},
                 {"type": "uri", "value": "https://fhir.nhs.uk/id/ods-organization-code"}]})"});
  const std::string error = loadError(files);
  EXPECT_NE(error.find("mappings/NamingSystem-ods-copy.json"), std::string::npos) << error;
  EXPECT_NE(error.find("already means https://fhir.nhs.uk/Id/ods-organization-code"),
            std::string::npos)
      << error;
}

TEST(MappingSet, ANamingSystemNeedsExactlyOnePreferredUri) {
  auto files = repositoryFiles();
  replaceOnce(fileNamed(files, "NamingSystem-dos-service-id.json").text, "\"preferred\": false",
              "\"preferred\": true");
  EXPECT_NE(loadError(files).find("a second preferred uri"), std::string::npos);
}

}  // namespace
}  // namespace sp::mapping
