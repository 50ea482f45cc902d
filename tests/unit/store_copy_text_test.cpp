// COPY text rows and the literals put in place of a query's parameters (store/pg/copy_text.h).
#include <gtest/gtest.h>

#include "store/pg/copy_text.h"

namespace sp::store::pg {
namespace {

TEST(StoreCopyTextTest, FieldsNullsAndEscapes) {
  CopyTextRow row;
  row.parse("abc\t\\N\t42\tt\ta\\tb\\\\c\\nd\t\n");
  ASSERT_EQ(row.size(), 6u);
  EXPECT_EQ(row.text(0), "abc");
  EXPECT_TRUE(row.isNull(1));
  EXPECT_EQ(row.text(1), "");
  EXPECT_EQ(row.integer(1, -7), -7);
  EXPECT_EQ(row.integer(2), 42);
  EXPECT_TRUE(row.boolean(3));
  EXPECT_FALSE(row.boolean(1));
  EXPECT_EQ(row.text(4), "a\tb\\c\nd");
  EXPECT_FALSE(row.isNull(5));  // an empty string, not null
  EXPECT_EQ(row.text(5), "");
  EXPECT_TRUE(row.isNull(6));  // past the end
  EXPECT_THROW(row.integer(0), std::invalid_argument);

  row.parse("-1735689600000\tf");  // the buffers are reused
  ASSERT_EQ(row.size(), 2u);
  EXPECT_EQ(row.integer(0), -1735689600000);
  EXPECT_FALSE(row.boolean(1));

  row.parse("\\tlead\tend\\\t12x\t");  // an escape first, a lone backslash last
  ASSERT_EQ(row.size(), 4u);
  EXPECT_EQ(row.text(0), "\tlead");
  EXPECT_EQ(row.text(1), "end\\");
  EXPECT_THROW(row.integer(2), std::invalid_argument);
  EXPECT_THROW(row.integer(3), std::invalid_argument);  // empty
}

TEST(StoreCopyTextTest, LiteralsReplaceParameters) {
  EXPECT_EQ(withLiterals("SELECT $1, $2::text[] WHERE a >= $1 AND b = '$x' || $10",
                         {"5", "'{a,b}'", "", "", "", "", "", "", "", "'ten'"}),
            "SELECT 5, '{a,b}'::text[] WHERE a >= 5 AND b = '$x' || 'ten'");
  EXPECT_THROW(withLiterals("SELECT $3", {"1"}), std::invalid_argument);
  EXPECT_EQ(withLiterals("price in $", {}), "price in $");
}

}  // namespace
}  // namespace sp::store::pg
