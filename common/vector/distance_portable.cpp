// Portable kernels: four independent partial sums so the compiler can pipeline (and, where the
// target allows, vectorise) without reassociating floating point on its own.
#include "vector/distance_kernels.h"

namespace llmspell::vector::kernels {

float l2_squared_portable(const float* a, const float* b, std::size_t n) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    float d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1], d2 = a[i + 2] - b[i + 2],
          d3 = a[i + 3] - b[i + 3];
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; i < n; ++i) {
    float d = a[i] - b[i];
    s0 += d * d;
  }
  return (s0 + s1) + (s2 + s3);
}

float inner_product_portable(const float* a, const float* b, std::size_t n) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; ++i) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

DotAndNorms dot_and_norms_portable(const float* a, const float* b, std::size_t n) {
  float d0 = 0, d1 = 0, na0 = 0, na1 = 0, nb0 = 0, nb1 = 0;
  std::size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    d0 += a[i] * b[i];
    d1 += a[i + 1] * b[i + 1];
    na0 += a[i] * a[i];
    na1 += a[i + 1] * a[i + 1];
    nb0 += b[i] * b[i];
    nb1 += b[i + 1] * b[i + 1];
  }
  if (i < n) {
    d0 += a[i] * b[i];
    na0 += a[i] * a[i];
    nb0 += b[i] * b[i];
  }
  return {d0 + d1, na0 + na1, nb0 + nb1};
}

}  // namespace llmspell::vector::kernels
