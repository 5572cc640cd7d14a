// The accepted, not yet returned results of a resumable search (Graph::Cursor). It answers the
// two questions the cursor asks after every step: which result is nearest, and how far is the
// rank-th nearest (the walk may stop once every unexpanded node is farther than that).
//
// `near_` is a heap of the `rank` nearest results with the farthest of them on top; `far_` holds
// the others, unordered until a row is taken (most searches stop after one window and never
// look at them), then as a heap with the nearest on top. Adding costs O(log rank) or O(1);
// taking the nearest costs O(rank) but happens once per returned row, while adds happen once
// per visited node.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "hnsw/types.h"

namespace llmspell::hnsw {

class RankedSet {
 public:
  explicit RankedSet(std::uint32_t rank) : rank_(std::max<std::uint32_t>(rank, 1)) {}

  bool empty() const { return near_.empty(); }
  std::size_t size() const { return near_.size() + far_.size(); }

  // The distance of the rank-th nearest; only meaningful when size() >= rank.
  float bound() const { return near_.front().distance; }

  void add(const Candidate& c) {
    // far_ is empty until near_ is full, so every member of near_ is nearer than all of far_.
    if (near_.size() < rank_) {
      push_near(c);
    } else if (c < near_.front()) {
      push_far(near_.front());
      std::pop_heap(near_.begin(), near_.end());
      near_.back() = c;
      std::push_heap(near_.begin(), near_.end());
    } else {
      push_far(c);
    }
  }

  // Removes and returns the nearest; the set must not be empty.
  Candidate take_nearest() {
    auto nearest = std::min_element(near_.begin(), near_.end());
    Candidate c = *nearest;
    *nearest = near_.back();
    near_.pop_back();
    std::make_heap(near_.begin(), near_.end());
    if (!far_.empty()) {
      if (!far_is_heap_) {
        std::make_heap(far_.begin(), far_.end(), Farther{});
        far_is_heap_ = true;
      }
      std::pop_heap(far_.begin(), far_.end(), Farther{});
      push_near(far_.back());
      far_.pop_back();
    }
    return c;
  }

 private:
  struct Farther {
    bool operator()(const Candidate& a, const Candidate& b) const { return b < a; }
  };
  void push_near(const Candidate& c) {
    near_.push_back(c);
    std::push_heap(near_.begin(), near_.end());
  }
  void push_far(const Candidate& c) {
    far_.push_back(c);
    if (far_is_heap_) std::push_heap(far_.begin(), far_.end(), Farther{});
  }

  std::uint32_t rank_;
  std::vector<Candidate> near_;  // a max-heap: the farthest of the nearest on top
  std::vector<Candidate> far_;   // a min-heap once far_is_heap_
  bool far_is_heap_ = false;
};

}  // namespace llmspell::hnsw
