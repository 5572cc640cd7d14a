// The accepted, not yet returned results of a resumable search (Graph::Cursor). It answers the
// two questions the cursor asks after every step: which result is nearest, and how far is the
// rank-th nearest (the walk may stop once every unexpanded node is farther than that).
//
// `near_` is a heap of the `rank` nearest results with the farthest of them on top; `far_` holds
// the others, unordered (most searches stop after one window and never look at them). Adding
// costs O(log rank) or O(1), and happens once per visited node; taking a window costs one sort
// of rank results and one linear selection over the others.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "hnsw/types.h"

namespace llmspell::hnsw {

class RankedSet {
 public:
  explicit RankedSet(std::uint32_t rank) : rank_(std::max<std::uint32_t>(rank, 1)) {}

  // Room for `count` results without reallocating.
  void reserve(std::size_t count) {
    near_.reserve(rank_);
    far_.reserve(count);
  }

  bool empty() const { return size() == 0; }
  std::size_t size() const { return near_.size() + far_.size(); }

  // The distance of the rank-th nearest; only meaningful when size() >= rank.
  float bound() {
    refill();
    return near_.front().distance;
  }

  void add(const Candidate& c) {
    refill();
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

  // Moves the rank nearest (all, when fewer) into `out`, nearest first. The cursor hands out
  // whole windows, so this replaces rank single takes (each a scan and a heap rebuild) with one
  // sort, and the rank nearest of the rest are only selected when the set is used again: a
  // query with a LIMIT usually stops within the first window.
  void take_window(std::vector<Candidate>* out) {
    refill();
    std::sort_heap(near_.begin(), near_.end());
    out->assign(near_.begin(), near_.end());
    near_.clear();
  }

 private:
  // After a window went out, the rank nearest of far_ become near_.
  void refill() {
    if (!near_.empty() || far_.empty()) return;
    if (far_.size() > rank_) {
      std::nth_element(far_.begin(), far_.begin() + rank_, far_.end());
      near_.assign(far_.begin(), far_.begin() + rank_);
      far_.erase(far_.begin(), far_.begin() + rank_);
    } else {
      near_.swap(far_);
      far_.clear();
    }
    std::make_heap(near_.begin(), near_.end());
  }
  void push_near(const Candidate& c) {
    near_.push_back(c);
    std::push_heap(near_.begin(), near_.end());
  }
  void push_far(const Candidate& c) { far_.push_back(c); }

  std::uint32_t rank_;
  std::vector<Candidate> near_;  // a max-heap: the farthest of the nearest on top
  std::vector<Candidate> far_;   // unordered
};

}  // namespace llmspell::hnsw
