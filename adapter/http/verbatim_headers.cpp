#include "http/verbatim_headers.h"

#include <pistache/http_headers.h>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

namespace sp::http {
namespace {

namespace H = Pistache::Http::Header;

class VerbatimHeader : public H::Header {
 public:
  explicit VerbatimHeader(const char* name) : name_(name) {}
  const char* name() const override { return name_; }
  void parse(const std::string& data) override { value_ = data; }
  void parseRaw(const char* str, size_t len) override { value_.assign(str, len); }
  void write(std::ostream& os) const override { os << value_; }
#ifdef SAFE_HEADER_CAST
  uint64_t hash() const override { return H::detail::hash(name_); }
#endif

 private:
  const char* name_;
  std::string value_;
};

// Registry offers no way to replace a built-in factory, so its private table is reached with
// the standard explicit-instantiation technique (access checks do not apply to the template
// arguments of an explicit instantiation). The table's type is spelled out from the header.
using Factory = std::function<std::unique_ptr<H::Header>()>;
using FactoryTable = std::unordered_map<std::string, Factory, H::LowercaseHash, H::LowercaseEqual>;
using TableMember = FactoryTable H::Registry::*;

TableMember registryTable();

template <TableMember member>
struct TableAccess {
  friend TableMember registryTable() { return member; }
};
template struct TableAccess<&H::Registry::registry>;

}  // namespace

void keepMediaTypeHeadersVerbatim() {
  FactoryTable& table = H::Registry::instance().*registryTable();
  for (const char* name : {"Content-Type", "Accept"}) {
    table[name] = [name] { return std::make_unique<VerbatimHeader>(name); };
  }
}

}  // namespace sp::http
