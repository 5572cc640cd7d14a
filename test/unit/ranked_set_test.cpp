// RankedSet against a sorted reference: random adds and takes, the nearest and the rank-th
// nearest must match at every step.
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
      if (reference.empty() || rng() % 4 != 0) {
        // Ties on distance are ordered by node, as in Candidate's operator<.
        Candidate c{std::floor(dist(rng) * 50) / 50, next_node++};
        set.add(c);
        reference.push_back(c);
        std::sort(reference.begin(), reference.end());
      } else {
        Candidate taken = set.take_nearest();
        EXPECT_EQ(taken.node, reference.front().node);
        reference.erase(reference.begin());
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
  EXPECT_EQ(set.take_nearest().node, 2u);
  EXPECT_EQ(set.take_nearest().node, 1u);
  EXPECT_TRUE(set.empty());
}

}  // namespace
