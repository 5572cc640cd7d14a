// Distance kernels. Each entry point uses the widest implementation the CPU supports (AVX-512F,
// else AVX2+FMA, else portable code), chosen once when the library loads.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

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

// Which implementation is in use ("avx512f", "avx2-fma" or "portable"), for benchmarks and logs.
const char* kernel_name();

// Forces the portable kernels, or goes back to the widest; returns whether portable ones were
// forced before.
bool force_portable_kernels(bool force);

// The implementations this CPU can run, widest first, and a way to use one of them for the whole
// process (tests check each one; benchmarks compare them). False for an unknown name.
std::vector<std::string> available_kernels();
bool select_kernels(const std::string& name);

}  // namespace llmspell::vector
