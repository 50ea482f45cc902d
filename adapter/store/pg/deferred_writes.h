// Writes whose results nobody reads in the transaction (access grants, audit records, the
// message log and conversation, a claim's answer, outbox rows), held back and sent together as
// one statement: one round trip instead of one each. The store sends them before it reads
// anything they could change, before a savepoint, and before it commits (pg_resource_store.cpp).
//
// Each write is a data-modifying statement numbering its parameters from $1; several become one
// `WITH w0 AS (...), w1 AS (...) SELECT 1` with the parameters numbered on. The parts of such a
// statement all see the database as it was before it, so writes that must see each other (a
// grant and its withdrawal, a row and its later update) are not held back together: the store
// sends what is held before running those.
#pragma once

#include <cctype>
#include <string>
#include <utility>
#include <vector>

namespace sp::store::pg {

struct DeferredWrite {
  std::string sql;  // parameters $1..$n
  std::vector<std::string> params;
};

// `sql` with every parameter $n written as $(n + offset). The statements held back have no
// dollar signs other than their parameters (no dollar quoting, no literals with '$').
inline std::string shiftParameters(const std::string& sql, std::size_t offset) {
  std::string out;
  out.reserve(sql.size() + 16);
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] != '$' || i + 1 >= sql.size() ||
        !std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      out += sql[i];
      continue;
    }
    std::size_t end = i + 1;
    while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end]))) ++end;
    out += '$' + std::to_string(std::stoul(sql.substr(i + 1, end - i - 1)) + offset);
    i = end - 1;
  }
  return out;
}

// The writes as one statement (a single write as it is).
inline DeferredWrite combineWrites(const std::vector<DeferredWrite>& writes) {
  if (writes.size() == 1) return writes.front();
  DeferredWrite all;
  all.sql = "WITH";
  for (std::size_t i = 0; i < writes.size(); ++i) {
    all.sql += (i ? ", w" : " w") + std::to_string(i) + " AS (" +
               shiftParameters(writes[i].sql, all.params.size()) + ")";
    all.params.insert(all.params.end(), writes[i].params.begin(), writes[i].params.end());
  }
  all.sql += " SELECT 1";
  return all;
}

}  // namespace sp::store::pg
