#include "hnsw/index.h"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

namespace llmspell::hnsw {

class Index::TagFilter final : public Filter {
 public:
  TagFilter(const Index& index, std::uint32_t tag) : index_(index), tag_(tag) {
    auto p = index.postings_.find(tag);
    posting_ = p == index.postings_.end() ? nullptr : &p->second;
    count_ = posting_ == nullptr ? 0 : static_cast<std::int64_t>(posting_->size());
  }
  bool accepts(NodeId n) const override { return index_.node_tag_[n] == tag_; }
  std::int64_t count() const override { return count_; }
  void for_each(const std::function<void(NodeId)>& fn) const override {
    if (posting_ == nullptr) return;
    for (NodeId n : *posting_) fn(n);
  }

 private:
  const Index& index_;
  std::uint32_t tag_;
  std::int64_t count_ = 0;
  const std::vector<NodeId>* posting_ = nullptr;
};

class Index::LabelFilter final : public Filter {
 public:
  LabelFilter(const Index& index, std::function<bool(std::uint64_t)> fn)
      : index_(index), fn_(std::move(fn)) {}
  bool accepts(NodeId n) const override { return fn_(index_.node_label_[n]); }

 private:
  const Index& index_;
  std::function<bool(std::uint64_t)> fn_;
};

static void validate(const Params& p) {
  if (p.dims == 0 || p.dims > 16000)
    throw std::invalid_argument("hnsw: dimensions must be between 1 and 16000, not " +
                                std::to_string(p.dims));
  if (p.m < kMinM || p.m > kMaxM)
    throw std::invalid_argument("hnsw: m must be between 2 and 100, not " + std::to_string(p.m));
  if (p.ef_construction < kMinEfConstruction || p.ef_construction > kMaxEfConstruction)
    throw std::invalid_argument("hnsw: ef_construction must be between 4 and 1000, not " +
                                std::to_string(p.ef_construction));
}

Index::Index(const Params& params)
    : params_((validate(params), params)), store_(params_), graph_(params_, store_) {}

void Index::reserve(std::size_t n) {
  store_.reserve(n);
  if (node_label_.size() < n) {
    node_label_.resize(n);
    node_tag_.resize(n);
    node_posting_pos_.resize(n);
  }
  labels_.reserve(n);
}

NodeId Index::insert_node(std::uint64_t label, const float* vec, std::uint32_t tag) {
  NodeId node = store_.allocate(sample_level(params_, inserts_++));
  if (node >= node_label_.size()) {
    node_label_.resize(std::max<std::size_t>(node + 1, node_label_.size() * 2));
    node_tag_.resize(node_label_.size());
    node_posting_pos_.resize(node_label_.size());
  }
  node_label_[node] = label;
  node_tag_[node] = tag;
  scratch_.resize(params_.dims);
  prepare(vec, scratch_.data());
  store_.set_vector(node, scratch_.data());
  labels_[label] = node;
  std::vector<NodeId>& posting = postings_[tag];
  node_posting_pos_[node] = static_cast<std::uint32_t>(posting.size());
  posting.push_back(node);
  return node;
}

void Index::add(std::uint64_t label, const float* vec, std::uint32_t tag) {
  if (contains(label)) remove({label});
  NodeId node = insert_node(label, vec, tag);
  graph_.link(node, store_.vector(node));
}

void Index::add_batch(const std::uint64_t* labels, const float* vecs, std::size_t n,
                      unsigned threads, const std::uint32_t* tags) {
  std::vector<std::uint64_t> replaced;
  for (std::size_t i = 0; i < n; ++i)
    if (contains(labels[i])) replaced.push_back(labels[i]);
  if (!replaced.empty()) remove(replaced);
  reserve(store_.id_limit() + n);
  // Allocation, labels and tags are sequential (cheap, deterministic); linking is the costly part
  // and runs on the threads.
  std::vector<NodeId> nodes(n);
  for (std::size_t i = 0; i < n; ++i)
    nodes[i] = insert_node(labels[i], vecs + i * params_.dims, tags ? tags[i] : 0);
  if (threads <= 1 || n < 2 * threads) {
    for (NodeId node : nodes) graph_.link(node, store_.vector(node));
    graph_.reconnect();
    return;
  }
  // The first nodes go in alone so the threads start from a connected graph.
  std::size_t seeded = std::min<std::size_t>(n, 64);
  for (std::size_t i = 0; i < seeded; ++i) graph_.link(nodes[i], store_.vector(nodes[i]));
  store_.set_concurrent(true);
  std::atomic<std::size_t> next{seeded};
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < n;)
      graph_.link(nodes[i], store_.vector(nodes[i]));
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  store_.set_concurrent(false);
  graph_.reconnect();
}

std::size_t Index::remove(const std::vector<std::uint64_t>& labels) {
  std::vector<NodeId> nodes;
  for (std::uint64_t label : labels) {
    auto it = labels_.find(label);
    if (it == labels_.end()) continue;
    nodes.push_back(it->second);
    labels_.erase(it);
  }
  if (nodes.empty()) return 0;
  graph_.remove(nodes);
  for (NodeId n : nodes) {
    std::vector<NodeId>& posting = postings_[node_tag_[n]];
    NodeId last = posting.back();
    posting[node_posting_pos_[n]] = last;
    node_posting_pos_[last] = node_posting_pos_[n];
    posting.pop_back();
    node_tag_[n] = kNoTag;
    pending_.push_back(n);
  }
  if (pending_.size() >= std::max<std::size_t>(64, size() / 20)) consolidate();
  return nodes.size();
}

void Index::consolidate() {
  if (pending_.empty()) return;
  graph_.consolidate();
  for (NodeId n : pending_) store_.release(n);
  pending_.clear();
  graph_.reconnect();
}

std::vector<Result> Index::to_results(const std::vector<Candidate>& c) const {
  std::vector<Result> out(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) out[i] = {c[i].distance, node_label_[c[i].node]};
  return out;
}

std::vector<float> Index::prepared(const float* query) const {
  std::vector<float> q(params_.dims);
  prepare(query, q.data());
  return q;
}

std::vector<Result> Index::search(const float* query, std::uint32_t k, std::uint32_t ef,
                                  const Filter* filter) const {
  std::vector<float> q = prepared(query);
  return to_results(graph_.search(q.data(), k, ef, filter));
}

std::vector<Result> Index::exact_search(const float* query, std::uint32_t k,
                                        const Filter* filter) const {
  std::vector<float> q = prepared(query);
  return to_results(graph_.exact_search(q.data(), k, filter));
}

Index::Cursor::Cursor(const Index& index, const float* query, std::uint32_t ef,
                      const Filter* filter)
    : index_(index),
      query_(index.prepared(query)),
      cursor_(index.graph_, query_.data(), ef, filter) {}

bool Index::Cursor::next(Result* out) {
  Candidate c;
  if (!cursor_.next(&c)) return false;
  *out = {c.distance, index_.node_label_[c.node]};
  return true;
}

std::unique_ptr<Filter> Index::tag_filter(std::uint32_t tag) const {
  return std::make_unique<TagFilter>(*this, tag);
}

std::unique_ptr<Filter> Index::label_filter(std::function<bool(std::uint64_t)> accepts) const {
  return std::make_unique<LabelFilter>(*this, std::move(accepts));
}

std::size_t Index::memory_bytes() const {
  std::size_t n = store_.id_limit();
  // labels and tags per node, plus the label map (one node of ~32 bytes and a bucket pointer).
  return store_.memory_bytes() + n * (sizeof(std::uint64_t) + sizeof(std::uint32_t)) +
         labels_.size() * 40;
}

}  // namespace llmspell::hnsw
