// The peers bench_hnsw measures our index against, behind one small interface each: hnswlib's
// HierarchicalNSW and FAISS's IndexHNSWFlat. Only their public APIs and (for hnswlib, whose
// members are all public) their public fields are used.
#pragma once

#include <omp.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include <faiss/IndexFlatCodes.h>
#include <faiss/IndexHNSW.h>
#include <hnswlib/hnswlib.h>

#include "datasets.h"

namespace bench {

// ---- hnswlib ----------------------------------------------------------------------------------

class Hnswlib {
 public:
  // inner_product: InnerProductSpace (distance 1 - dot, for normalised vectors), else L2Space.
  Hnswlib(std::uint32_t dims, bool inner_product, std::size_t max_elements, std::size_t m,
          std::size_t ef_construction, std::size_t seed = 100) {
    if (inner_product)
      space_ = std::make_unique<hnswlib::InnerProductSpace>(dims);
    else
      space_ = std::make_unique<hnswlib::L2Space>(dims);
    index_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(space_.get(), max_elements, m,
                                                               ef_construction, seed);
  }

  // Rows become labels 0..n-1. With several threads, each thread calls addPoint on the next
  // unclaimed row (hnswlib's addPoint is safe to call concurrently).
  void add(const Dataset& d, unsigned threads) {
    if (threads <= 1) {
      for (std::size_t i = 0; i < d.count; ++i) index_->addPoint(d.row(i), i);
      return;
    }
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
      for (std::size_t i; (i = next.fetch_add(1)) < d.count;) index_->addPoint(d.row(i), i);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (std::thread& t : pool) t.join();
  }

  void set_ef(std::size_t ef) { index_->setEf(ef); }

  void search(const float* q, std::size_t k, std::vector<std::uint64_t>& out) const {
    auto pq = index_->searchKnn(q, k);
    out.resize(pq.size());
    for (std::size_t i = pq.size(); i-- > 0; pq.pop()) out[i] = pq.top().second;
  }

  // Stock 0.6.2 API, no filter inside the search: the ef nearest, then the accepted ones of those.
  template <class Accept>
  void post_filter_search(const float* q, std::size_t k, std::size_t ef, const Accept& accept,
                          std::vector<std::uint64_t>& out) const {
    auto pq = index_->searchKnn(q, ef);
    std::vector<std::uint64_t> all(pq.size());
    for (std::size_t i = pq.size(); i-- > 0; pq.pop()) all[i] = pq.top().second;
    out.clear();
    for (std::uint64_t l : all)
      if (out.size() < k && accept(l)) out.push_back(l);
  }

#if LLMSPELL_HNSWLIB_HAS_FILTER
  static constexpr const char* kFilterMethod = "hnswlib searchKnn(q, k, &BaseFilterFunctor)";
  template <class Accept>
  void filtered_search(const float* q, std::size_t k, std::size_t ef, const Accept& accept,
                       std::vector<std::uint64_t>& out) const {
    struct Functor : hnswlib::BaseFilterFunctor {
      explicit Functor(const Accept& a) : accept(a) {}
      bool operator()(hnswlib::labeltype label) override { return accept(label); }
      const Accept& accept;
    } functor(accept);
    index_->setEf(ef);
    auto pq = index_->searchKnn(q, k, &functor);
    out.resize(pq.size());
    for (std::size_t i = pq.size(); i-- > 0; pq.pop()) out[i] = pq.top().second;
  }
#else
  // hnswlib 0.6.2 (Debian bookworm) has no filtered search (BaseFilterFunctor came in 0.7). This
  // is the same walk with the predicate checked inside it, over hnswlib's own graph, distance
  // function and visited lists: every node routes the search, only accepted nodes enter the ef
  // results, and the walk stops when the nearest unexpanded candidate is farther than the ef-th
  // accepted result (so it keeps going until ef accepted nodes are found).
  static constexpr const char* kFilterMethod =
      "in-search predicate over hnswlib 0.6.2's graph (written in peers.h; 0.6.2 has no filter "
      "API)";
  template <class Accept>
  void filtered_search(const float* q, std::size_t k, std::size_t ef, const Accept& accept,
                       std::vector<std::uint64_t>& out) const {
    using hnswlib::tableint;
    const hnswlib::HierarchicalNSW<float>& h = *index_;
    out.clear();
    if (h.cur_element_count == 0) return;
    auto distance = [&](tableint n) {
      return h.fstdistfunc_(q, h.getDataByInternalId(n), h.dist_func_param_);
    };
    tableint cur = h.enterpoint_node_;
    float cur_d = distance(cur);
    for (int level = h.maxlevel_; level > 0; --level) {
      for (bool moved = true; moved;) {
        moved = false;
        hnswlib::linklistsizeint* list = h.get_linklist(cur, level);
        std::size_t count = h.getListCount(list);
        const tableint* links = reinterpret_cast<const tableint*>(list + 1);
        for (std::size_t i = 0; i < count; ++i) {
          float d = distance(links[i]);
          if (d < cur_d) {
            cur_d = d;
            cur = links[i];
            moved = true;
          }
        }
      }
    }
    ef = std::max(ef, k);
    hnswlib::VisitedList* visited = h.visited_list_pool_->getFreeVisitedList();
    hnswlib::vl_type* mark = visited->mass;
    const hnswlib::vl_type stamp = visited->curV;
    using Entry = std::pair<float, tableint>;
    std::priority_queue<Entry> results;  // farthest accepted on top
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> frontier;  // nearest on top
    mark[cur] = stamp;
    frontier.emplace(cur_d, cur);
    if (accept(h.getExternalLabel(cur))) results.emplace(cur_d, cur);
    float bound = results.size() >= ef ? results.top().first : INFINITY;
    while (!frontier.empty()) {
      Entry c = frontier.top();
      if (c.first > bound) break;
      frontier.pop();
      hnswlib::linklistsizeint* list = h.get_linklist0(c.second);
      std::size_t count = h.getListCount(list);
      const tableint* links = reinterpret_cast<const tableint*>(list + 1);
      for (std::size_t i = 0; i < count; ++i) {
        if (i + 1 < count) __builtin_prefetch(h.getDataByInternalId(links[i + 1]));
        tableint n = links[i];
        if (mark[n] == stamp) continue;
        mark[n] = stamp;
        float d = distance(n);
        if (results.size() < ef || d < bound) {
          frontier.emplace(d, n);
          if (accept(h.getExternalLabel(n))) {
            results.emplace(d, n);
            if (results.size() > ef) results.pop();
            if (results.size() >= ef) bound = results.top().first;
          }
        }
      }
    }
    h.visited_list_pool_->releaseVisitedList(visited);
    while (results.size() > k) results.pop();
    out.resize(results.size());
    for (std::size_t i = results.size(); i-- > 0; results.pop())
      out[i] = h.getExternalLabel(results.top().second);
  }
#endif

  // Bytes held, estimated from hnswlib's fields: the level-0 block per slot (links, vector,
  // label), upper-level link lists, per-slot pointer, level and lock, the fixed update locks,
  // the label map (~32-byte node plus bucket) and one visited list (2 bytes per slot).
  std::size_t structure_bytes() const {
    const auto& h = *index_;
    std::size_t slots = h.max_elements_;
    std::size_t bytes = slots * h.size_data_per_element_;
    for (std::size_t i = 0; i < h.cur_element_count; ++i)
      bytes += static_cast<std::size_t>(h.element_levels_[i]) * h.size_links_per_element_;
    bytes += slots * (sizeof(char*) + sizeof(int) + sizeof(std::mutex) + sizeof(hnswlib::vl_type));
    bytes += h.link_list_update_locks_.size() * sizeof(std::mutex);
    bytes += h.label_lookup_.size() * 32 + h.label_lookup_.bucket_count() * sizeof(void*);
    return bytes;
  }

 private:
  std::unique_ptr<hnswlib::SpaceInterface<float>> space_;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> index_;
};

// ---- FAISS ------------------------------------------------------------------------------------

using FaissId = faiss::Index::idx_t;  // faiss::idx_t from FAISS 1.7.4 on

class Faiss {
 public:
  Faiss(std::uint32_t dims, bool inner_product, int m, int ef_construction)
      : index_(static_cast<int>(dims), m,
               inner_product ? faiss::METRIC_INNER_PRODUCT : faiss::METRIC_L2) {
    index_.hnsw.efConstruction = ef_construction;
  }

  // FAISS parallelises add() with OpenMP: the thread count is OpenMP's.
  void add(const Dataset& d, unsigned threads) {
    omp_set_num_threads(static_cast<int>(threads));
    index_.add(static_cast<FaissId>(d.count), d.data.data());
    omp_set_num_threads(1);
  }

  void set_ef(std::size_t ef) { index_.hnsw.efSearch = static_cast<int>(ef); }

  // All queries in one call on one OpenMP thread: FAISS's fastest single-thread use.
  void search_batch(const Dataset& queries, std::size_t k, std::vector<FaissId>& labels,
                    std::vector<float>& distances) const {
    omp_set_num_threads(1);
    labels.resize(queries.count * k);
    distances.resize(queries.count * k);
    index_.search(static_cast<FaissId>(queries.count), queries.data.data(), static_cast<FaissId>(k),
                  distances.data(), labels.data());
  }

  // Bytes held, from FAISS's fields: the flat storage, the neighbour table, offsets and levels.
  std::size_t structure_bytes() const {
    std::size_t bytes = 0;
    if (auto* flat = dynamic_cast<const faiss::IndexFlatCodes*>(index_.storage))
      bytes += flat->codes.size();
    const faiss::HNSW& h = index_.hnsw;
    bytes += h.neighbors.size() * sizeof(h.neighbors[0]) + h.offsets.size() * sizeof(h.offsets[0]) +
             h.levels.size() * sizeof(h.levels[0]);
    return bytes;
  }

 private:
  faiss::IndexHNSWFlat index_;
};

}  // namespace bench
