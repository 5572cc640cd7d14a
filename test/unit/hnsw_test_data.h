// Seeded test data for the HNSW tests: Gaussian-mixture clusters, like embeddings, and helpers
// to measure recall against exact search.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "hnsw/index.h"

namespace llmspell::hnsw::testing {

struct Dataset {
  std::uint32_t dims;
  std::size_t count;
  std::vector<float> data;  // row-major
  const float* row(std::size_t i) const { return data.data() + i * dims; }
};

// Clusters whose points vary along a few latent directions plus a little isotropic noise: like
// real embeddings, the data has a low intrinsic dimension whatever `dims` is.
inline Dataset clustered(std::size_t count, std::uint32_t dims, std::uint32_t seed,
                         std::size_t clusters = 50, std::uint32_t latent = 8) {
  std::mt19937 rng(seed);
  std::mt19937 shape_rng(12345);  // centres and directions are shared by data and queries
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<float> centers(clusters * dims);
  for (float& c : centers) c = normal(shape_rng);
  std::vector<float> basis(static_cast<std::size_t>(latent) * dims);
  for (float& b : basis) b = normal(shape_rng) * 0.35f;
  Dataset d{dims, count, std::vector<float>(count * dims)};
  std::uniform_int_distribution<std::size_t> pick(0, clusters - 1);
  std::vector<float> z(latent);
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t c = pick(rng);
    for (float& x : z) x = normal(rng);
    for (std::uint32_t j = 0; j < dims; ++j) {
      float v = centers[c * dims + j] + 0.05f * normal(rng);
      for (std::uint32_t l = 0; l < latent; ++l) v += z[l] * basis[l * dims + j];
      d.data[i * dims + j] = v;
    }
  }
  return d;
}

// Fraction of the exact top-k labels that the approximate results contain.
inline double recall(const std::vector<Result>& approx, const std::vector<Result>& exact) {
  if (exact.empty()) return approx.empty() ? 1.0 : 0.0;
  std::set<std::uint64_t> truth;
  for (const Result& r : exact) truth.insert(r.label);
  std::size_t hits = 0;
  for (const Result& r : approx) hits += truth.count(r.label);
  return static_cast<double>(hits) / static_cast<double>(exact.size());
}

}  // namespace llmspell::hnsw::testing
