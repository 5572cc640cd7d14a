// Names, limits and parameters of the HNSW core, shared by every store and host.
#pragma once

#include <cstdint>
#include <limits>

namespace llmspell::hnsw {

using NodeId = std::uint32_t;
inline constexpr NodeId kNoNode = std::numeric_limits<NodeId>::max();

enum class Metric : std::uint8_t {
  kL2,            // squared Euclidean distance
  kCosine,        // 1 - cos: vectors are normalised once, then compared by dot product
  kInnerProduct,  // negative dot product, so that smaller is closer for every metric
};

inline constexpr std::uint32_t kMinM = 2;
inline constexpr std::uint32_t kMaxM = 100;
inline constexpr std::uint32_t kDefaultM = 16;
inline constexpr std::uint32_t kMinEfConstruction = 4;
inline constexpr std::uint32_t kMaxEfConstruction = 1000;
inline constexpr std::uint32_t kDefaultEfConstruction = 64;
inline constexpr std::uint32_t kDefaultEfSearch = 40;
inline constexpr std::uint32_t kMaxEfSearch = 10000;
inline constexpr int kMaxLevel =
    15;  // with M >= 2 a deeper level has probability < 1e-4 per 2^16 nodes

// How an in-memory store keeps vectors for traversal. kFloat16 halves the bytes each visited
// node costs; the float32 vectors are kept aside and the final candidates re-ranked exactly.
enum class Storage : std::uint8_t { kFloat32, kFloat16 };

struct Params {
  std::uint32_t dims = 0;
  Metric metric = Metric::kL2;
  std::uint32_t m = kDefaultM;  // links per node on upper levels; 2m on level 0
  std::uint32_t ef_construction = kDefaultEfConstruction;
  std::uint64_t seed = 0x5eed;
  Storage storage = Storage::kFloat32;
};

// Links a node may keep on `level`.
inline std::uint32_t max_links(const Params& p, int level) { return level == 0 ? 2 * p.m : p.m; }

struct Candidate {
  float distance;
  NodeId node;
};
inline bool operator<(const Candidate& a, const Candidate& b) {
  return a.distance < b.distance || (a.distance == b.distance && a.node < b.node);
}

}  // namespace llmspell::hnsw
