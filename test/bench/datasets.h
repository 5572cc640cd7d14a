// Seeded data sets for bench_hnsw, generated in code (nothing cached on disk) and identical on
// every run and every standard library: the random numbers come from splitmix64 and a
// Box-Muller transform written here, not from <random>'s distributions, whose output the C++
// standard leaves to each library.
//
// clustered(n, dims): a Gaussian mixture with a low intrinsic dimension, like real embeddings.
//   64 clusters. Cluster c has a centre mu_c ~ N(0, 1)^dims and 16 latent directions
//   b_{c,l} ~ N(0, s_l^2)^dims whose scales fall off as s_l ~ 1/sqrt(l+1) (normalised so that
//   sum_l s_l^2 = 1: the latent part has variance 1 per coordinate, like the centres). A point
//   picks a cluster uniformly and is x = mu_c + sum_l z_l b_{c,l} + e, z_l ~ N(0, 1),
//   e ~ N(0, 0.1^2)^dims. The centres and directions come from a fixed shape seed shared by the
//   data and its queries; the points from the data seed or the query seed.
// uniform(n, dims): every coordinate uniform in [0, 1): no structure, the hard case.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <thread>
#include <vector>

#include "vector/distance.h"

namespace bench {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t x = (state_ += 0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
  // Uniform in [0, 1) with 24 random bits (exact in float).
  float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }
  // Uniform in (0, 1] with 53 random bits.
  double uniform_open() {
    return static_cast<double>((next() >> 11) + 1) * (1.0 / 9007199254740992.0);
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }  // bias < n / 2^64: irrelevant here
  // Standard normal, Box-Muller; the second value of each pair is kept for the next call.
  float normal() {
    if (have_spare_) {
      have_spare_ = false;
      return spare_;
    }
    double r = std::sqrt(-2.0 * std::log(uniform_open()));
    double t = 2.0 * M_PI * uniform_open();
    spare_ = static_cast<float>(r * std::sin(t));
    have_spare_ = true;
    return static_cast<float>(r * std::cos(t));
  }

 private:
  std::uint64_t state_;
  float spare_ = 0;
  bool have_spare_ = false;
};

struct Dataset {
  std::uint32_t dims = 0;
  std::size_t count = 0;
  std::vector<float> data;  // row-major
  const float* row(std::size_t i) const { return data.data() + i * dims; }
};

inline constexpr std::size_t kClusters = 64;
inline constexpr std::uint32_t kLatent = 16;
inline constexpr float kNoise = 0.1f;

inline Dataset clustered(std::size_t count, std::uint32_t dims, std::uint64_t seed,
                         std::uint64_t shape_seed = 12345) {
  Rng shape(shape_seed ^ (std::uint64_t{dims} << 32));
  std::vector<float> centres(kClusters * dims);
  for (float& c : centres) c = shape.normal();
  double norm2 = 0;
  for (std::uint32_t l = 0; l < kLatent; ++l) norm2 += 1.0 / (l + 1);
  std::vector<float> basis(kClusters * kLatent * dims);
  for (std::size_t c = 0; c < kClusters; ++c)
    for (std::uint32_t l = 0; l < kLatent; ++l) {
      float s = static_cast<float>(std::sqrt(1.0 / (l + 1) / norm2));
      float* b = basis.data() + (c * kLatent + l) * dims;
      for (std::uint32_t j = 0; j < dims; ++j) b[j] = s * shape.normal();
    }
  Dataset d{dims, count, std::vector<float>(count * dims)};
  Rng rng(seed);
  float z[kLatent];
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t c = rng.below(kClusters);
    for (float& x : z) x = rng.normal();
    float* out = d.data.data() + i * dims;
    const float* mu = centres.data() + c * dims;
    for (std::uint32_t j = 0; j < dims; ++j) out[j] = mu[j] + kNoise * rng.normal();
    for (std::uint32_t l = 0; l < kLatent; ++l) {
      const float* b = basis.data() + (c * kLatent + l) * dims;
      for (std::uint32_t j = 0; j < dims; ++j) out[j] += z[l] * b[j];
    }
  }
  return d;
}

inline Dataset uniform(std::size_t count, std::uint32_t dims, std::uint64_t seed) {
  Dataset d{dims, count, std::vector<float>(count * dims)};
  Rng rng(seed);
  for (float& x : d.data) x = rng.uniform();
  return d;
}

inline void normalise(Dataset& d) {
  for (std::size_t i = 0; i < d.count; ++i) {
    float* v = d.data.data() + i * d.dims;
    double n = llmspell::vector::norm(v, d.dims);
    if (n > 0)
      for (std::uint32_t j = 0; j < d.dims; ++j) v[j] = static_cast<float>(v[j] / n);
  }
}

// Exact top-k labels (row numbers) per query, nearest first, by brute force over every row that
// `accept(row)` passes. `inner_product`: largest dot product first (vectors normalised by the
// caller), else smallest squared L2. Runs on `threads` threads: it is not timed.
template <class Accept>
std::vector<std::vector<std::uint64_t>> exact_knn(const Dataset& data, const Dataset& queries,
                                                  std::size_t k, bool inner_product,
                                                  Accept&& accept, unsigned threads = 2) {
  std::vector<std::vector<std::uint64_t>> truth(queries.count);
  std::vector<std::uint64_t> rows;
  for (std::size_t i = 0; i < data.count; ++i)
    if (accept(i)) rows.push_back(i);
  auto work = [&](std::size_t first, std::size_t step) {
    std::vector<std::pair<float, std::uint64_t>> best;  // max-heap on distance
    for (std::size_t q = first; q < queries.count; q += step) {
      best.clear();
      const float* qv = queries.row(q);
      for (std::uint64_t r : rows) {
        float d = inner_product ? -llmspell::vector::inner_product(qv, data.row(r), data.dims)
                                : llmspell::vector::l2_squared(qv, data.row(r), data.dims);
        if (best.size() < k) {
          best.emplace_back(d, r);
          std::push_heap(best.begin(), best.end());
        } else if (d < best.front().first) {
          std::pop_heap(best.begin(), best.end());
          best.back() = {d, r};
          std::push_heap(best.begin(), best.end());
        }
      }
      std::sort_heap(best.begin(), best.end());
      for (const auto& b : best) truth[q].push_back(b.second);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t, threads);
  work(0, threads);
  for (std::thread& t : pool) t.join();
  return truth;
}

// Fraction of the exact labels found, over all queries (recall@k with k = truth size).
inline double recall(const std::vector<std::vector<std::uint64_t>>& found,
                     const std::vector<std::vector<std::uint64_t>>& truth) {
  std::size_t hits = 0, total = 0;
  for (std::size_t q = 0; q < truth.size(); ++q) {
    total += truth[q].size();
    for (std::uint64_t t : truth[q])
      hits += std::count(found[q].begin(), found[q].end(), t) != 0 ? 1 : 0;
  }
  return total == 0 ? 1.0 : static_cast<double>(hits) / static_cast<double>(total);
}

}  // namespace bench
