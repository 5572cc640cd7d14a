// Distance kernels. Each entry point picks the widest implementation the CPU supports (AVX2+FMA,
// else portable code) once, at first use.
#pragma once

#include <cstddef>

namespace llmspell::vector {

// sum (a_i - b_i)^2
float l2_squared(const float* a, const float* b, std::size_t n);
// sqrt(l2_squared)
float l2_distance(const float* a, const float* b, std::size_t n);
// sum a_i * b_i
float inner_product(const float* a, const float* b, std::size_t n);
// 1 - cos(a, b); NaN when either vector has norm zero.
float cosine_distance(const float* a, const float* b, std::size_t n);
// sqrt(sum a_i^2), accumulated in double for accuracy.
double norm(const float* a, std::size_t n);

// Which implementation the dispatcher chose ("avx2-fma" or "portable"), for benchmarks and logs.
const char* kernel_name();

// Forces the portable kernels (tests compare both paths); returns the previous setting.
bool force_portable_kernels(bool force);

}  // namespace llmspell::vector
