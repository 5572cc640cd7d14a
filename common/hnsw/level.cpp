#include <cmath>

#include "hnsw/graph.h"

namespace llmspell::hnsw {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

int sample_level(const Params& p, std::uint64_t key) {
  std::uint64_t bits = splitmix64(p.seed ^ splitmix64(key));
  // 53 random bits -> u in (0, 1]; never 0, so the logarithm is finite.
  double u = static_cast<double>((bits >> 11) + 1) * (1.0 / 9007199254740992.0);
  double ml = 1.0 / std::log(static_cast<double>(std::max<std::uint32_t>(p.m, 2)));
  int level = static_cast<int>(-std::log(u) * ml);
  return std::min(level, kMaxLevel);
}

}  // namespace llmspell::hnsw
