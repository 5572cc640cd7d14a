// RankedSet against a sorted reference: random adds and window takes; each window and the
// rank-th nearest must match at every step.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "hnsw/ranked_set.h"

namespace {

using llmspell::hnsw::Candidate;
using llmspell::hnsw::RankedSet;

TEST(RankedSet, MatchesSortedReference) {
  for (std::uint32_t rank : {1u, 2u, 10u, 40u}) {
    std::mt19937 rng(rank);
    std::uniform_real_distribution<float> dist(0, 1);
    RankedSet set(rank);
    std::vector<Candidate> reference;
    std::uint32_t next_node = 0;
    for (int step = 0; step < 5000; ++step) {
      if (reference.empty() || rng() % (4 * rank) != 0) {
        // Ties on distance are ordered by node, as in Candidate's operator<.
        Candidate c{std::floor(dist(rng) * 50) / 50, next_node++};
        set.add(c);
        reference.push_back(c);
        std::sort(reference.begin(), reference.end());
      } else {
        std::vector<Candidate> window;
        set.take_window(&window);
        std::size_t expected = std::min<std::size_t>(rank, reference.size());
        ASSERT_EQ(window.size(), expected);
        for (std::size_t i = 0; i < expected; ++i) EXPECT_EQ(window[i].node, reference[i].node);
        reference.erase(reference.begin(), reference.begin() + static_cast<long>(expected));
      }
      ASSERT_EQ(set.size(), reference.size());
      ASSERT_EQ(set.empty(), reference.empty());
      if (reference.size() >= rank) {
        EXPECT_EQ(set.bound(), reference[rank - 1].distance);
      }
    }
  }
}

TEST(RankedSet, RankZeroActsAsOne) {
  RankedSet set(0);
  set.add({0.5f, 1});
  set.add({0.25f, 2});
  EXPECT_EQ(set.bound(), 0.25f);
  std::vector<Candidate> window;
  set.take_window(&window);
  ASSERT_EQ(window.size(), 1u);
  EXPECT_EQ(window[0].node, 2u);
  EXPECT_EQ(set.bound(), 0.5f);
  set.take_window(&window);
  ASSERT_EQ(window.size(), 1u);
  EXPECT_EQ(window[0].node, 1u);
  EXPECT_TRUE(set.empty());
}

}  // namespace
