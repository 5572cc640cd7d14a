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
  // Dense marks for ids below this; sparser id spaces (PostgreSQL block/offset ids) use a hash set
  // sized by what a search actually visits.
  static constexpr std::size_t kDenseLimit = std::size_t{1} << 22;

  void reset(std::size_t capacity) {
    dense_ = capacity <= kDenseLimit;
    if (dense_) {
      if (marks_.size() < capacity) marks_.resize(capacity + capacity / 4 + 64, 0);
      if (++epoch_ == 0) {  // wrapped: old marks could alias the new epoch
        std::fill(marks_.begin(), marks_.end(), 0);
        epoch_ = 1;
      }
    } else {
      if (table_.size() != kInitialSlots)
        table_.assign(kInitialSlots, kNoNode);
      else
        std::fill(table_.begin(), table_.end(), kNoNode);
      used_ = 0;
    }
  }
  // Marks node; returns true when it was not marked before.
  bool insert(NodeId node) {
    if (dense_) {
      if (marks_[node] == epoch_) return false;
      marks_[node] = epoch_;
      return true;
    }
    if ((used_ + 1) * 2 > table_.size()) grow();
    return insert_hashed(node);
  }
  bool contains(NodeId node) const {
    if (dense_) return marks_[node] == epoch_;
    std::size_t mask = table_.size() - 1;
    for (std::size_t i = hash(node) & mask;; i = (i + 1) & mask) {
      if (table_[i] == node) return true;
      if (table_[i] == kNoNode) return false;
    }
  }

 private:
  static constexpr std::size_t kInitialSlots = 1024;

  static std::size_t hash(NodeId n) { return (std::size_t{n} * 0x9E3779B97F4A7C15ULL) >> 20; }
  bool insert_hashed(NodeId node) {
    std::size_t mask = table_.size() - 1;
    for (std::size_t i = hash(node) & mask;; i = (i + 1) & mask) {
      if (table_[i] == node) return false;
      if (table_[i] == kNoNode) {
        table_[i] = node;
        ++used_;
        return true;
      }
    }
  }
  void grow() {
    std::vector<NodeId> old;
    old.swap(table_);
    table_.assign(old.size() * 2, kNoNode);
    used_ = 0;
    for (NodeId n : old)
      if (n != kNoNode) insert_hashed(n);
  }

  bool dense_ = true;
  std::vector<std::uint16_t> marks_;
  std::uint16_t epoch_ = 0;
  std::vector<NodeId> table_;
  std::size_t used_ = 0;
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
