// Distance between a prepared query and a stored vector, by metric. Cosine vectors are stored
// normalised, so cosine costs one dot product like inner product.
#pragma once

#include <cstddef>

#include "hnsw/types.h"
#include "vector/distance.h"
#include "vector/distance_f16.h"

namespace llmspell::hnsw {

inline float metric_distance(Metric m, const float* a, const float* b, std::size_t dims) {
  switch (m) {
    case Metric::kL2:
      return vector::l2_squared(a, b, dims);
    case Metric::kCosine:
      return 1.0f - vector::inner_product(a, b, dims);
    case Metric::kInnerProduct:
      return -vector::inner_product(a, b, dims);
  }
  return 0;
}

// The same against a float16 code (traversal of quantised stores).
inline float metric_distance_f16(Metric m, const float* q, const std::uint16_t* code,
                                 std::size_t dims) {
  switch (m) {
    case Metric::kL2:
      return vector::l2_squared_f16(q, code, dims);
    case Metric::kCosine:
      return 1.0f - vector::inner_product_f16(q, code, dims);
    case Metric::kInnerProduct:
      return -vector::inner_product_f16(q, code, dims);
  }
  return 0;
}

// Copies `in` to `out`, normalised when the metric is cosine. A zero vector stays zero (every
// distance to it is then 1: it has no direction to be near to).
void prepare_vector(Metric m, const float* in, float* out, std::size_t dims);

}  // namespace llmspell::hnsw
