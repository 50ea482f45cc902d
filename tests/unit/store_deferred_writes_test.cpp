#include <gtest/gtest.h>

#include "store/pg/deferred_writes.h"

namespace sp::store::pg {
namespace {

TEST(DeferredWrites, ParametersAreNumberedOn) {
  EXPECT_EQ(shiftParameters("VALUES ($1, $2::int, $10)", 3), "VALUES ($4, $5::int, $13)");
  EXPECT_EQ(shiftParameters("VALUES ($1)", 0), "VALUES ($1)");
  EXPECT_EQ(shiftParameters("SELECT 'a$' || $1", 9), "SELECT 'a$' || $10");
}

TEST(DeferredWrites, OneWriteIsSentAsItIs) {
  const DeferredWrite w{"INSERT INTO t VALUES ($1)", {"x"}};
  const DeferredWrite all = combineWrites({w});
  EXPECT_EQ(all.sql, w.sql);
  EXPECT_EQ(all.params, w.params);
}

TEST(DeferredWrites, SeveralBecomeOneStatementInTheirOrder) {
  const DeferredWrite all = combineWrites({{"INSERT INTO a VALUES ($1, $2)", {"a1", "a2"}},
                                           {"UPDATE b SET x = $2 WHERE y = $1", {"b1", "b2"}},
                                           {"INSERT INTO c VALUES ($1)", {"c1"}}});
  EXPECT_EQ(all.sql,
            "WITH w0 AS (INSERT INTO a VALUES ($1, $2)), w1 AS (UPDATE b SET x = $4 WHERE y = $3),"
            " w2 AS (INSERT INTO c VALUES ($5)) SELECT 1");
  EXPECT_EQ(all.params, (std::vector<std::string>{"a1", "a2", "b1", "b2", "c1"}));
}

}  // namespace
}  // namespace sp::store::pg
