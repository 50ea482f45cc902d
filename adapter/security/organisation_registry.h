// Who the partner organisations are: the registry that maps the ODS-style code in a client
// certificate's CN to an organisation and its role. Read once at start-up from
// certs/organisations.csv (slug,ods_code,name,role; other columns are ignored), the same file
// the development certificates are made from. Pure; immutable after parse(), so thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sp::security {

enum class Role {
  kGpPractice,
  kLinkWorkerService,
  kSinglePointOfReferral,
  kVcseProvider,
  kMentalHealthNavigator,
  kDirectoryAdministrator,
  kCommissioner,
};

// The role's code as the registry file writes it ("gp-practice", ...), and back.
std::string_view roleCode(Role role);
std::optional<Role> parseRole(std::string_view code);

struct Organisation {
  std::string odsCode;
  std::string name;
  Role role = Role::kGpPractice;
};

class OrganisationRegistry {
 public:
  // Throws std::invalid_argument naming the line for a malformed file: a header naming the
  // ods_code and role columns is required, every role must be one of the seven above, and an
  // ODS code may appear once.
  static OrganisationRegistry parse(std::string_view csv);

  // The organisation with this ODS code, or null when it is not registered.
  const Organisation* find(const std::string& odsCode) const;
  std::size_t size() const { return organisations_.size(); }
  // Every registered organisation, by ODS code.
  const std::map<std::string, Organisation>& organisations() const { return organisations_; }

 private:
  std::map<std::string, Organisation> organisations_;
};

}  // namespace sp::security
