#include "hnsw/metric.h"

#include <cstring>

#include "vector/vector_math.h"

namespace llmspell::hnsw {

void prepare_vector(Metric m, const float* in, float* out, std::size_t dims) {
  if (m == Metric::kCosine) {
    vector::normalize(in, out, dims);
  } else if (in != out) {
    std::memcpy(out, in, dims * sizeof(float));
  }
}

}  // namespace llmspell::hnsw
