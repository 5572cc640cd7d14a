// Which nodes a search has already seen. Marks are epoch numbers, so clearing is one increment
// instead of a pass over the array; sets are pooled so concurrent searches do not allocate.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "hnsw/types.h"

namespace llmspell::hnsw {

class VisitedSet {
 public:
  void reset(std::size_t capacity) {
    if (marks_.size() < capacity) marks_.resize(capacity + capacity / 4 + 64, 0);
    if (++epoch_ == 0) {  // wrapped: old marks could alias the new epoch
      std::fill(marks_.begin(), marks_.end(), 0);
      epoch_ = 1;
    }
  }
  // Marks node; returns true when it was not marked before.
  bool insert(NodeId node) {
    if (marks_[node] == epoch_) return false;
    marks_[node] = epoch_;
    return true;
  }
  bool contains(NodeId node) const { return marks_[node] == epoch_; }

 private:
  std::vector<std::uint16_t> marks_;
  std::uint16_t epoch_ = 0;
};

class VisitedPool {
 public:
  std::unique_ptr<VisitedSet> acquire() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (free_.empty()) return std::make_unique<VisitedSet>();
    auto set = std::move(free_.back());
    free_.pop_back();
    return set;
  }
  void release(std::unique_ptr<VisitedSet> set) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(set));
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<VisitedSet>> free_;
};

// Returns a pooled set on scope exit.
class VisitedLease {
 public:
  explicit VisitedLease(VisitedPool& pool) : pool_(pool), set_(pool.acquire()) {}
  ~VisitedLease() { pool_.release(std::move(set_)); }
  VisitedLease(const VisitedLease&) = delete;
  VisitedLease& operator=(const VisitedLease&) = delete;
  VisitedSet& operator*() { return *set_; }
  VisitedSet* operator->() { return set_.get(); }

 private:
  VisitedPool& pool_;
  std::unique_ptr<VisitedSet> set_;
};

}  // namespace llmspell::hnsw
