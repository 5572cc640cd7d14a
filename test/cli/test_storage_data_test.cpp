// The data and arithmetic of `llmspell test storage` (cli/test_storage_data.h).
#include "test_storage_data.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <set>

namespace llmspell::cli::test_storage {
namespace {

TEST(TestStorageData, GeneratesTheSameDataEveryTime) {
  TestData a = generate("t", 50, 5);
  TestData b = generate("t", 50, 5);
  ASSERT_EQ(a.tenant_rows.size(), 50u);
  ASSERT_EQ(a.other_rows.size(), 50u);
  ASSERT_EQ(a.queries.size(), 5u);
  for (std::size_t i = 0; i < a.tenant_rows.size(); ++i)
    EXPECT_EQ(a.tenant_rows[i].embedding, b.tenant_rows[i].embedding);
  EXPECT_EQ(a.queries, b.queries);
}

TEST(TestStorageData, UnitVectorsUniqueIdsAndOtherTenants) {
  TestData d = generate("acme", 40, 3);
  std::set<std::int64_t> ids;
  std::set<std::string> others;
  auto check = [&](const Row& r) {
    EXPECT_TRUE(ids.insert(r.id).second) << r.id;
    ASSERT_EQ(r.embedding.size(), static_cast<std::size_t>(kVectorDimensions));
    double norm = 0;
    for (float x : r.embedding) norm += static_cast<double>(x) * x;
    EXPECT_NEAR(norm, 1.0, 1e-5);
  };
  for (const Row& r : d.tenant_rows) {
    check(r);
    EXPECT_EQ(r.tenant, "acme");
  }
  for (const Row& r : d.other_rows) {
    check(r);
    EXPECT_NE(r.tenant, "acme");
    others.insert(r.tenant);
  }
  EXPECT_EQ(others.size(), static_cast<std::size_t>(kOtherTenants));
}

TEST(TestStorageData, VectorTextAndBlobKeepEveryBit) {
  std::vector<float> v{1.0f, -0.1f, 3.14159274f, 1e-30f};
  std::string text = vector_text(v);
  ASSERT_EQ(text.front(), '[');
  const char* p = text.c_str() + 1;
  for (float x : v) {
    char* end = nullptr;
    EXPECT_EQ(std::strtof(p, &end), x);
    p = end + 1;
  }
  std::string blob = vector_blob(v);
  ASSERT_EQ(blob.size(), 16u);
  EXPECT_EQ(static_cast<unsigned char>(blob[3]), 0x3f);  // 1.0f = 0x3f800000, little-endian
  EXPECT_EQ(static_cast<unsigned char>(blob[2]), 0x80);
  EXPECT_EQ(blob[0], 0);
}

TEST(TestStorageData, RecallIsTheMeanShareOfTrueNeighbours) {
  EXPECT_DOUBLE_EQ(recall({{1, 2, 3, 4}, {5, 6}}, {{1, 2, 3, 4}, {5, 7}}), 0.75);
  EXPECT_DOUBLE_EQ(recall({{}}, {{1, 2}}), 0.0);
  EXPECT_DOUBLE_EQ(recall({}, {}), 0.0);
}

TEST(TestStorageData, CompareAlternatesAndKeepsTheCheapestPass) {
  double now = 0;
  int pass = 0, calls = 0;
  std::vector<char> order;
  // Side a costs 2 per query, b costs 1, except that the first pass is slowed down by 10.
  auto a = [&](int) {
    order.push_back('a');
    now += 2 + (pass == 0 ? 10 : 0);
    if (++calls % 8 == 0) ++pass;
  };
  auto b = [&](int) {
    order.push_back('b');
    now += 1 + (pass == 0 ? 10 : 0);
    if (++calls % 8 == 0) ++pass;
  };
  Comparison c = compare(
      4, 3, [&] { return now; }, a, b);
  EXPECT_DOUBLE_EQ(c.a_seconds, 8);
  EXPECT_DOUBLE_EQ(c.b_seconds, 4);
  EXPECT_EQ(c.queries, 4);
  ASSERT_EQ(order.size(), 24u);
  EXPECT_EQ(std::string(order.begin(), order.begin() + 4), "abba");
}

TEST(TestStorageData, Texts) {
  EXPECT_EQ(ratio_text(8.466), "8.47x");
  EXPECT_EQ(percent_text(0.0213), "2.1%");
  EXPECT_EQ(percent_text(-0.05), "-5.0%");
}

}  // namespace
}  // namespace llmspell::cli::test_storage
