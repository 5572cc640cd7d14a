// The implementations behind distance.h, one set per instruction set. Internal to the core.
#pragma once

#include <cstddef>

namespace llmspell::vector::kernels {

struct DotAndNorms {
  float dot;
  float norm_a2;
  float norm_b2;
};

float l2_squared_portable(const float* a, const float* b, std::size_t n);
float inner_product_portable(const float* a, const float* b, std::size_t n);
DotAndNorms dot_and_norms_portable(const float* a, const float* b, std::size_t n);

#if defined(__x86_64__)
float l2_squared_avx2(const float* a, const float* b, std::size_t n);
float inner_product_avx2(const float* a, const float* b, std::size_t n);
DotAndNorms dot_and_norms_avx2(const float* a, const float* b, std::size_t n);
float l2_squared_avx512(const float* a, const float* b, std::size_t n);
float inner_product_avx512(const float* a, const float* b, std::size_t n);
DotAndNorms dot_and_norms_avx512(const float* a, const float* b, std::size_t n);
#endif

}  // namespace llmspell::vector::kernels
