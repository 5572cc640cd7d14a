// The in-memory HNSW index against exact search: recall for every metric, after deletes and
// re-inserts, under filters of every selectivity; determinism and edge cases.
#include "hnsw/index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>

#include "hnsw_test_data.h"

namespace llmspell::hnsw {
namespace {

using testing::clustered;
using testing::Dataset;
using testing::recall;

constexpr std::uint32_t kK = 10;
constexpr std::size_t kQueries = 100;

std::unique_ptr<Index> build(const Dataset& d, Metric metric, unsigned threads = 1,
                             std::uint64_t seed = 1, Storage storage = Storage::kFloat32) {
  Params p;
  p.dims = d.dims;
  p.metric = metric;
  p.m = 16;
  p.ef_construction = 100;
  p.seed = seed;
  p.storage = storage;
  auto index = std::make_unique<Index>(p);
  std::vector<std::uint64_t> labels(d.count);
  std::iota(labels.begin(), labels.end(), 1000);
  index->add_batch(labels.data(), d.data.data(), d.count, threads);
  return index;
}

// Mean recall@10 over queries drawn from the same distribution as the data.
double mean_recall(const Index& index, const Dataset& queries, std::uint32_t ef,
                   const Filter* filter = nullptr) {
  double sum = 0;
  for (std::size_t q = 0; q < queries.count; ++q) {
    auto approx = index.search(queries.row(q), kK, ef, filter);
    auto exact = index.exact_search(queries.row(q), kK, filter);
    EXPECT_EQ(approx.size(), exact.size());
    for (std::size_t i = 1; i < approx.size(); ++i)
      EXPECT_LE(approx[i - 1].distance, approx[i].distance);
    sum += recall(approx, exact);
  }
  return sum / static_cast<double>(queries.count);
}

class MetricRecall : public ::testing::TestWithParam<std::tuple<Metric, std::uint32_t>> {};

TEST_P(MetricRecall, MatchesExactSearch) {
  auto [metric, dims] = GetParam();
  Dataset data = clustered(4000, dims, 1);
  Dataset queries = clustered(kQueries, dims, 2);
  auto owned = build(data, metric);
  Index& index = *owned;
  EXPECT_EQ(index.size(), data.count);
  EXPECT_GE(mean_recall(index, queries, 64), 0.95);
}

INSTANTIATE_TEST_SUITE_P(AllMetrics, MetricRecall,
                         ::testing::Combine(::testing::Values(Metric::kL2, Metric::kCosine,
                                                              Metric::kInnerProduct),
                                            ::testing::Values(16u, 96u)));

TEST(HnswIndex, ParallelBuildKeepsRecall) {
  Dataset data = clustered(4000, 48, 3);
  Dataset queries = clustered(kQueries, 48, 4);
  auto owned = build(data, Metric::kL2, 2);
  Index& index = *owned;
  EXPECT_EQ(index.size(), data.count);
  EXPECT_GE(mean_recall(index, queries, 64), 0.95);
}

TEST(HnswIndex, DeleteThirtyPercentThenReinsert) {
  Dataset data = clustered(5000, 32, 5);
  Dataset queries = clustered(kQueries, 32, 6);
  auto owned = build(data, Metric::kL2);
  Index& index = *owned;
  std::vector<std::uint64_t> removed;
  for (std::size_t i = 0; i < data.count; i += 10)
    for (std::size_t j = i; j < i + 3 && j < data.count; ++j) removed.push_back(1000 + j);
  EXPECT_EQ(index.remove(removed), removed.size());
  EXPECT_EQ(index.size(), data.count - removed.size());
  std::set<std::uint64_t> gone(removed.begin(), removed.end());
  for (std::size_t q = 0; q < queries.count; ++q) {
    for (const Result& r : index.search(queries.row(q), 50, 100)) {
      ASSERT_EQ(gone.count(r.label), 0u) << "deleted label returned";
    }
  }
  EXPECT_GE(mean_recall(index, queries, 64), 0.95);

  std::size_t memory_before = index.memory_bytes();
  for (std::uint64_t label : removed) index.add(label, data.row(label - 1000));
  EXPECT_EQ(index.size(), data.count);
  EXPECT_LE(index.memory_bytes(), memory_before + memory_before / 20) << "slots were not reused";
  EXPECT_GE(mean_recall(index, queries, 64), 0.95);
}

TEST(HnswIndex, UpdateReplacesTheVector) {
  Dataset data = clustered(1000, 16, 7);
  auto owned = build(data, Metric::kL2);
  Index& index = *owned;
  std::vector<float> far(16, 100.f);
  index.add(1000 + 5, far.data());
  EXPECT_EQ(index.size(), data.count);
  auto r = index.search(far.data(), 1, 40);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].label, 1005u);
  EXPECT_FLOAT_EQ(r[0].distance, 0.f);
}

// Tags pass 50%, 10%, 1% and 0.1% of the nodes.
class FilterRecall : public ::testing::TestWithParam<int> {};

TEST_P(FilterRecall, KeepsRecallAndReturnsEveryMatch) {
  int per_mille = GetParam();
  Dataset data = clustered(10000, 32, 8);
  Dataset queries = clustered(kQueries, 32, 9);
  Params p;
  p.dims = 32;
  p.m = 16;
  p.ef_construction = 100;
  Index index(p);
  std::vector<std::uint64_t> labels(data.count);
  std::vector<std::uint32_t> tags(data.count);
  std::mt19937 rng(10);
  for (std::size_t i = 0; i < data.count; ++i) {
    labels[i] = i;
    tags[i] =
        static_cast<std::uint32_t>(rng() % 1000) < static_cast<std::uint32_t>(per_mille) ? 1 : 2;
  }
  index.add_batch(labels.data(), data.data.data(), data.count, 1, tags.data());
  std::size_t matching = static_cast<std::size_t>(std::count(tags.begin(), tags.end(), 1u));

  // Counted filter (the search may choose an exact scan) and an opaque predicate on labels
  // (always the filtered graph walk): both must keep recall.
  auto counted = index.tag_filter(1);
  auto opaque = index.label_filter([&](std::uint64_t label) { return tags[label] == 1; });
  for (const Filter* f : {counted.get(), opaque.get()}) {
    EXPECT_GE(mean_recall(index, queries, 64, f), 0.95) << per_mille << " per mille";
    for (std::size_t q = 0; q < 10; ++q) {
      auto r = index.search(queries.row(q), kK, 64, f);
      EXPECT_EQ(r.size(), std::min<std::size_t>(kK, matching));
      for (const Result& x : r) EXPECT_EQ(tags[x.label], 1u);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Selectivities, FilterRecall, ::testing::Values(500, 100, 10, 1));

TEST(HnswIndex, DeterministicForASeed) {
  Dataset data = clustered(2000, 24, 11);
  Dataset queries = clustered(20, 24, 12);
  auto a_ptr = build(data, Metric::kCosine, 1, 77);
  auto b_ptr = build(data, Metric::kCosine, 1, 77);
  Index& a = *a_ptr;
  Index& b = *b_ptr;
  for (std::size_t q = 0; q < queries.count; ++q) {
    auto ra = a.search(queries.row(q), kK, 20);
    auto rb = b.search(queries.row(q), kK, 20);
    ASSERT_EQ(ra.size(), rb.size());
    for (std::size_t i = 0; i < ra.size(); ++i) {
      EXPECT_EQ(ra[i].label, rb[i].label);
      EXPECT_EQ(ra[i].distance, rb[i].distance);
    }
  }
}

TEST(HnswIndex, EdgeCases) {
  Params p;
  p.dims = 4;
  p.metric = Metric::kCosine;
  Index index(p);
  const float q[] = {1, 0, 0, 0};
  EXPECT_TRUE(index.search(q, 5, 40).empty()) << "empty index";

  const float v[] = {0, 1, 0, 0};
  index.add(7, v);
  auto one = index.search(q, 5, 40);
  ASSERT_EQ(one.size(), 1u) << "k larger than the index";
  EXPECT_EQ(one[0].label, 7u);
  EXPECT_NEAR(one[0].distance, 1.f, 1e-6);

  const float zero[] = {0, 0, 0, 0};
  index.add(8, zero);
  index.add(9, zero);  // duplicate vectors
  index.add(10, q);
  auto all = index.search(q, 10, 40);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].label, 10u);
  for (const Result& r : all) EXPECT_FALSE(std::isnan(r.distance)) << "zero vector gave NaN";
  auto zq = index.search(zero, 10, 40);
  EXPECT_EQ(zq.size(), 4u) << "zero query still finds everything";

  EXPECT_EQ(index.remove({7, 8, 9, 10}), 4u);
  EXPECT_TRUE(index.search(q, 5, 40).empty()) << "everything deleted";
  index.add(11, v);
  ASSERT_EQ(index.search(q, 5, 40).size(), 1u) << "insert after emptying";
}

TEST(HnswIndex, RejectsBadParameters) {
  Params p;
  p.dims = 0;
  EXPECT_THROW(Index{p}, std::invalid_argument);
  p.dims = 16001;
  EXPECT_THROW(Index{p}, std::invalid_argument);
  p.dims = 8;
  p.m = 1;
  EXPECT_THROW(Index{p}, std::invalid_argument);
  p.m = 16;
  p.ef_construction = 2;
  EXPECT_THROW(Index{p}, std::invalid_argument);
}

}  // namespace
}  // namespace llmspell::hnsw

namespace llmspell::hnsw {
namespace {

TEST(VisitedSet, DenseAndHashedAgree) {
  for (std::size_t capacity : {std::size_t{1000}, VisitedSet::kDenseLimit * 4}) {
    VisitedSet v;
    for (int round = 0; round < 3; ++round) {
      v.reset(capacity);
      std::mt19937 rng(round);
      std::set<NodeId> seen;
      for (int i = 0; i < 5000; ++i) {
        NodeId n = static_cast<NodeId>(rng() % capacity);
        EXPECT_EQ(v.insert(n), seen.insert(n).second) << capacity;
      }
    }
  }
}

}  // namespace
}  // namespace llmspell::hnsw

namespace llmspell::hnsw {
namespace {

// A cursor's first k results are search()'s; it then goes on until every accepted node has been
// returned once, in nearly ascending distance.
TEST(HnswCursor, ResumesBeyondTheFirstResults) {
  Dataset data = clustered(3000, 24, 21);
  Dataset queries = clustered(5, 24, 22);
  auto owned = build(data, Metric::kL2);
  Index& index = *owned;
  auto odd = index.label_filter([](std::uint64_t label) { return label % 2 == 1; });
  for (const Filter* f :
       {static_cast<const Filter*>(nullptr), static_cast<const Filter*>(odd.get())}) {
    std::size_t expected_total = f ? data.count / 2 : data.count;
    for (std::size_t q = 0; q < queries.count; ++q) {
      auto first = index.search(queries.row(q), kK, 40, f);
      auto cursor = index.open_cursor(queries.row(q), 40, f);
      std::vector<Result> all;
      for (Result r; cursor->next(&r);) all.push_back(r);
      ASSERT_EQ(all.size(), expected_total) << "every accepted node, once";
      std::set<std::uint64_t> unique;
      for (const Result& r : all) unique.insert(r.label);
      EXPECT_EQ(unique.size(), all.size());
      std::vector<Result> head(all.begin(), all.begin() + kK);
      ASSERT_EQ(first.size(), head.size());
      for (std::size_t i = 0; i < kK; ++i)
        EXPECT_EQ(head[i].label, first[i].label) << "the first window is search()'s, row " << i;
      auto exact = index.exact_search(queries.row(q), 100, f);
      std::vector<Result> first100(all.begin(), all.begin() + 100);
      EXPECT_GE(recall(first100, exact), 0.95) << "the next pages keep recall too";
    }
  }
}

}  // namespace
}  // namespace llmspell::hnsw

namespace llmspell::hnsw {
namespace {

// Many duplicates and heavy deletes are what leave nodes unreachable; none may stay so.
TEST(HnswIndex, EveryLiveNodeStaysReachable) {
  Params p;
  p.dims = 8;
  p.m = 8;
  p.ef_construction = 32;
  Index index(p);
  std::vector<float> v(8);
  for (std::uint64_t i = 0; i < 3000; ++i) {
    // 300 distinct vectors, ten copies of each
    for (int j = 0; j < 8; ++j) v[j] = static_cast<float>(std::sin(0.37 * (i % 300) + j));
    index.add(i, v.data());
  }
  std::vector<std::uint64_t> gone;
  for (std::uint64_t i = 0; i < 3000; i += 2) gone.push_back(i);
  index.remove(gone);
  index.consolidate();
  // Every live label is found by an exhaustive cursor walk.
  auto cursor = index.open_cursor(v.data(), 10);
  std::size_t found = 0;
  for (Result r; cursor->next(&r);) ++found;
  EXPECT_EQ(found, index.size());
}

}  // namespace
}  // namespace llmspell::hnsw

namespace llmspell::hnsw {
namespace {

// Float16 codes for traversal with exact re-ranking: recall holds for every metric, distances
// returned are the exact ones, and the codes are half the size of the vectors they stand for.
class QuantizedRecall : public ::testing::TestWithParam<Metric> {};

TEST_P(QuantizedRecall, HoldsWithFloat16Codes) {
  Dataset data = clustered(3000, 256, 31);
  Dataset queries = clustered(kQueries, 256, 32);
  auto owned = build(data, GetParam(), 1, 1, Storage::kFloat16);
  Index& index = *owned;
  EXPECT_GE(mean_recall(index, queries, 64), 0.95);
  auto exact = index.exact_search(queries.row(0), 1);
  auto approx = index.search(queries.row(0), 1, 64);
  ASSERT_EQ(approx.size(), 1u);
  if (approx[0].label == exact[0].label) {
    EXPECT_EQ(approx[0].distance, exact[0].distance);
  }
  auto plain = build(data, GetParam());
  // What traversal touches (everything but the float32 copies kept for re-ranking) shrinks by
  // half the vector bytes.
  std::size_t vector_bytes = data.count * 256 * sizeof(float);
  std::size_t traversal = index.arena().memory_bytes() - vector_bytes;
  EXPECT_LE(traversal, plain->arena().memory_bytes() - vector_bytes / 2 + data.count * 16)
      << "the traversal blocks hold float16 codes";
}

INSTANTIATE_TEST_SUITE_P(AllMetrics, QuantizedRecall,
                         ::testing::Values(Metric::kL2, Metric::kCosine, Metric::kInnerProduct));

}  // namespace
}  // namespace llmspell::hnsw
