#include "hnsw/arena_store.h"

#include "vector/float16.h"

namespace llmspell::hnsw {

ArenaStore::ArenaStore(const Params& params)
    : metric_(params.metric),
      dims_(params.dims),
      m_(params.m),
      vector_offset_(sizeof(std::uint32_t) * (1 + 2 * params.m)),
      block_size_(0),
      quantized_(params.storage == Storage::kFloat16) {
  // Keep every vector 16-byte aligned for the SIMD loads.
  vector_offset_ = (vector_offset_ + 15) & ~std::size_t{15};
  std::size_t element = quantized_ ? sizeof(std::uint16_t) : sizeof(float);
  block_size_ = (vector_offset_ + element * params.dims + 15) & ~std::size_t{15};
}

void ArenaStore::set_vector(NodeId node, const float* prepared) {
  if (quantized_) {
    float* exact = exact_[node >> kChunkShift].get() + (node & (kChunkNodes - 1)) * dims_;
    std::memcpy(exact, prepared, dims_ * sizeof(float));
    vector::floats_to_halves(prepared,
                             reinterpret_cast<std::uint16_t*>(block(node) + vector_offset_), dims_);
  } else {
    std::memcpy(block(node) + vector_offset_, prepared, dims_ * sizeof(float));
  }
}

void ArenaStore::reserve(std::size_t nodes) {
  std::lock_guard<std::mutex> lock(alloc_mutex_);
  if (nodes <= capacity_) return;
  std::size_t chunks = (nodes + kChunkNodes - 1) >> kChunkShift;
  while (chunks_.size() < chunks) {
    chunks_.emplace_back(new (kChunkAlignment) std::byte[kChunkNodes * block_size_]);
    if (quantized_) exact_.emplace_back(new float[kChunkNodes * dims_]);
  }
  capacity_ = chunks_.size() * kChunkNodes;
  levels_.resize(capacity_, 0);
  deleted_.resize(capacity_, 0);
  upper_.resize(capacity_);
}

void ArenaStore::init_slot(NodeId n, int level) {
  levels_[n] = static_cast<std::uint8_t>(level);
  deleted_[n] = 0;
  reinterpret_cast<std::uint32_t*>(block(n))[0] = 0;
  if (level > 0) {
    std::size_t words = static_cast<std::size_t>(level) * (1 + m_);
    upper_[n].reset(new std::uint32_t[words]);
    for (int l = 1; l <= level; ++l) upper_[n][static_cast<std::size_t>(l - 1) * (1 + m_)] = 0;
  } else {
    upper_[n].reset();
  }
}

NodeId ArenaStore::allocate(int level) {
  {
    std::lock_guard<std::mutex> lock(alloc_mutex_);
    if (!free_.empty()) {
      NodeId n = free_.back();
      free_.pop_back();
      init_slot(n, level);
      return n;
    }
  }
  // Growing moves the chunk table: concurrent callers must have reserved room beforehand.
  std::size_t n = used_.load(std::memory_order_relaxed);
  if (n >= capacity_) reserve(capacity_ == 0 ? kChunkNodes : capacity_ * 2);
  n = used_.fetch_add(1, std::memory_order_acq_rel);
  init_slot(static_cast<NodeId>(n), level);
  return static_cast<NodeId>(n);
}

void ArenaStore::release(NodeId node) {
  std::lock_guard<std::mutex> lock(alloc_mutex_);
  free_.push_back(node);
}

std::size_t ArenaStore::memory_bytes() const {
  std::size_t n = id_limit();
  std::size_t exact = quantized_ ? dims_ * sizeof(float) : 0;
  std::size_t bytes =
      n * (block_size_ + exact + sizeof(levels_[0]) + sizeof(deleted_[0]) + sizeof(upper_[0]));
  for (std::size_t i = 0; i < n; ++i) {
    if (levels_[i] > 0) bytes += levels_[i] * (1 + m_) * sizeof(std::uint32_t);
  }
  return bytes;
}

}  // namespace llmspell::hnsw
