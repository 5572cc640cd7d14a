// The in-memory HNSW index: the graph over an arena store, with caller labels (row ids), tags
// for tenant filters, batch builds on several threads, and deletion with slot reuse.
// Distances are the core's: squared L2, 1 - cos, or -dot (smaller is always closer).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "hnsw/arena_store.h"
#include "hnsw/filter.h"
#include "hnsw/graph.h"
#include "hnsw/types.h"

namespace llmspell::hnsw {

struct Result {
  float distance;
  std::uint64_t label;
};

class Index {
 public:
  explicit Index(const Params& params);

  const Params& params() const { return params_; }
  std::size_t size() const { return labels_.size(); }  // live vectors

  void reserve(std::size_t n);
  // Inserts a vector under `label`; an existing label is replaced (delete + insert).
  void add(std::uint64_t label, const float* vec, std::uint32_t tag = 0);
  // Inserts n vectors (row-major) on up to `threads` threads. Deterministic for one thread.
  void add_batch(const std::uint64_t* labels, const float* vecs, std::size_t n,
                 unsigned threads = 1, const std::uint32_t* tags = nullptr);
  // Removes labels; returns how many were present. Removed vectors stop being returned at once;
  // their slots are reused after the next consolidation, which runs by itself once removed
  // nodes reach 5% of the index.
  std::size_t remove(const std::vector<std::uint64_t>& labels);
  // Repairs all links to removed nodes and frees their slots for reuse.
  void consolidate();
  bool contains(std::uint64_t label) const { return labels_.count(label) != 0; }

  std::vector<Result> search(const float* query, std::uint32_t k, std::uint32_t ef,
                             const Filter* filter = nullptr) const;
  std::vector<Result> exact_search(const float* query, std::uint32_t k,
                                   const Filter* filter = nullptr) const;

  // A resumable search (see Graph::Cursor): results nearest first, as many as asked for.
  class Cursor {
   public:
    Cursor(const Index& index, const float* query, std::uint32_t ef, const Filter* filter);
    bool next(Result* out);

   private:
    const Index& index_;
    std::vector<float> query_;
    Graph<ArenaStore>::Cursor cursor_;
  };
  std::unique_ptr<Cursor> open_cursor(const float* query, std::uint32_t ef,
                                      const Filter* filter = nullptr) const {
    return std::make_unique<Cursor>(*this, query, ef, filter);
  }

  // A filter passing the nodes whose tag is `tag` (for example an interned tenant id). It counts
  // and lists its nodes, so very selective tags are answered by an exact scan.
  std::unique_ptr<Filter> tag_filter(std::uint32_t tag) const;
  // A filter on labels, evaluated node by node during traversal.
  std::unique_ptr<Filter> label_filter(std::function<bool(std::uint64_t)> accepts) const;

  std::size_t memory_bytes() const;

  // The finished graph, for hosts that write it out (PostgreSQL pages).
  const ArenaStore& arena() const { return store_; }
  std::uint64_t node_label(NodeId n) const { return node_label_[n]; }

 private:
  NodeId insert_node(std::uint64_t label, const float* vec, std::uint32_t tag);
  std::vector<Result> to_results(const std::vector<Candidate>& c) const;
  std::vector<float> prepared(const float* query) const;
  void prepare(const float* in, float* out) const {
    prepare_vector(params_.metric, in, out, params_.dims);
  }

  static constexpr std::uint32_t kNoTag = 0xffffffffu;  // a free slot's tag: no filter passes it
  class TagFilter;
  class LabelFilter;

  Params params_;
  ArenaStore store_;
  Graph<ArenaStore> graph_;
  std::vector<std::uint64_t> node_label_;
  std::vector<std::uint32_t> node_tag_;
  std::unordered_map<std::uint64_t, NodeId> labels_;
  // Per tag: its live nodes; node_posting_pos_ makes removal a swap with the last entry.
  std::unordered_map<std::uint32_t, std::vector<NodeId>> postings_;
  std::vector<std::uint32_t> node_posting_pos_;
  std::vector<float> scratch_;   // a prepared vector on its way into the store
  std::vector<NodeId> pending_;  // removed, still routing searches, slots not yet reusable
  std::uint64_t inserts_ = 0;
};

}  // namespace llmspell::hnsw
