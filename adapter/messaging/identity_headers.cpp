#include "messaging/identity_headers.h"

#include <rapidjson/document.h>

#include <algorithm>

#include "fhir/base64.h"
#include "fhir/errors.h"
#include "fhir/json.h"
#include "messaging/incoming_message.h"

namespace sp::messaging {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

struct Known {
  const char* lowerName;
  const char* name;
  const char* resourceType;
  const char* organisationElement;  // null: the resource's own identifier
};

constexpr Known kIdentityHeaders[] = {
    {"nhsd-end-user-organisation", "NHSD-End-User-Organisation", "Organization", nullptr},
    {"nhsd-requesting-practitioner", "NHSD-Requesting-Practitioner", "PractitionerRole",
     "organization"},
};

IdentityHeader readOne(const Known& known, const std::string& raw) {
  const auto refuse = [&]() -> FhirError {
    return FhirError(ErrorKind::kInvalid, "value",
                     std::string(known.name) + " must be base64 JSON of a " + known.resourceType);
  };
  const auto decoded = fhir::base64Decode(raw);
  if (!decoded) throw refuse();
  rapidjson::Document doc;
  doc.Parse(decoded->c_str(), decoded->size());
  if (doc.HasParseError() || !doc.IsObject()) throw refuse();
  const std::string type = fhir::getString(doc, "resourceType");
  if (!type.empty() && type != known.resourceType) throw refuse();
  const rapidjson::Value* holder = &doc;
  if (known.organisationElement) {
    holder = fhir::findMember(doc, known.organisationElement);
    if (holder && !holder->IsObject()) throw refuse();
  }
  IdentityHeader out{known.name, {}};
  if (holder) out.ods = odsCodesIn(fhir::findMember(*holder, "identifier"));
  return out;
}

bool among(const std::vector<std::string>& codes, const std::string& code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

}  // namespace

std::vector<IdentityHeader> readIdentityHeaders(const std::map<std::string, std::string>& headers) {
  std::vector<IdentityHeader> out;
  for (const Known& known : kIdentityHeaders) {
    auto it = headers.find(known.lowerName);
    if (it != headers.end()) out.push_back(readOne(known, it->second));
  }
  return out;
}

void checkIdentityHeaders(const std::vector<IdentityHeader>& identities,
                          const std::string& certificateOrganisation,
                          const std::vector<std::string>& senderOds) {
  for (const IdentityHeader& identity : identities) {
    for (const std::string& ods : identity.ods) {
      if (!certificateOrganisation.empty()) {
        if (ods != certificateOrganisation) {
          throw FhirError(
              ErrorKind::kForbidden, "forbidden",
              identity.name + " names an organisation other than the client certificate's");
        }
      } else if (!senderOds.empty() && !among(senderOds, ods)) {
        throw FhirError(ErrorKind::kForbidden, "forbidden",
                        identity.name + " names an organisation other than MessageHeader.sender");
      }
    }
  }
}

}  // namespace sp::messaging
