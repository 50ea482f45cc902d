#include "fhir/definitions.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "fhir/errors.h"
#include "fhir/json.h"

namespace sp::fhir {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read definitions file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Definitions Definitions::load(const std::string& profilesDir) {
  const std::string path = profilesDir + "/r4/profiles-resources.json";
  rapidjson::Document bundle;
  try {
    parseJson(readFile(path), bundle, JsonLimits{512});
  } catch (const FhirError& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  const rapidjson::Value* entries = findMember(bundle, "entry");
  if (!entries || !entries->IsArray()) throw std::runtime_error(path + ": not a Bundle");
  Definitions defs;
  for (const auto& entry : entries->GetArray()) {
    const rapidjson::Value* sd = findMember(entry, "resource");
    if (!sd || getString(*sd, "resourceType") != "StructureDefinition") continue;
    const rapidjson::Value* abstract = findMember(*sd, "abstract");
    const bool isAbstract = abstract && abstract->IsBool() && abstract->GetBool();
    if (getString(*sd, "kind") == "resource" && !isAbstract &&
        getString(*sd, "derivation") == "specialization") {
      defs.resourceTypes_.insert(getString(*sd, "type"));
    }
  }
  if (defs.resourceTypes_.empty()) throw std::runtime_error(path + ": no resource types found");
  return defs;
}

Definitions Definitions::withResourceTypes(std::set<std::string> types) {
  Definitions defs;
  defs.resourceTypes_ = std::move(types);
  return defs;
}

}  // namespace sp::fhir
