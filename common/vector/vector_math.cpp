#include "vector/vector_math.h"

#include "vector/distance.h"

namespace llmspell::vector {

void add(const float* a, const float* b, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

void subtract(const float* a, const float* b, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = a[i] - b[i];
}

void normalize(const float* a, float* out, std::size_t n) {
  double length = norm(a, n);
  if (length == 0) {
    for (std::size_t i = 0; i < n; ++i) out[i] = a[i];
    return;
  }
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(a[i] / length);
}

int compare(const float* a, std::size_t na, const float* b, std::size_t nb) {
  std::size_t n = na < nb ? na : nb;
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  if (na < nb) return -1;
  if (na > nb) return 1;
  return 0;
}

}  // namespace llmspell::vector
