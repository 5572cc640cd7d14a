#include "vector/distance_f16.h"

#include "vector/float16.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace llmspell::vector {
namespace {

float l2_portable(const float* q, const std::uint16_t* c, std::size_t n) {
  float s0 = 0, s1 = 0;
  std::size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    float d0 = q[i] - half_to_float(c[i]), d1 = q[i + 1] - half_to_float(c[i + 1]);
    s0 += d0 * d0;
    s1 += d1 * d1;
  }
  if (i < n) {
    float d = q[i] - half_to_float(c[i]);
    s0 += d * d;
  }
  return s0 + s1;
}

float ip_portable(const float* q, const std::uint16_t* c, std::size_t n) {
  float s0 = 0, s1 = 0;
  std::size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    s0 += q[i] * half_to_float(c[i]);
    s1 += q[i + 1] * half_to_float(c[i + 1]);
  }
  if (i < n) s0 += q[i] * half_to_float(c[i]);
  return s0 + s1;
}

#if defined(__x86_64__)
#define LLMSPELL_F16C __attribute__((target("avx2,fma,f16c")))

LLMSPELL_F16C float sum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

LLMSPELL_F16C __m256 load_halves(const std::uint16_t* c) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(c)));
}

LLMSPELL_F16C float l2_f16c(const float* q, const std::uint16_t* c, std::size_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(q + i), load_halves(c + i));
    __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(q + i + 8), load_halves(c + i + 8));
    s0 = _mm256_fmadd_ps(d0, d0, s0);
    s1 = _mm256_fmadd_ps(d1, d1, s1);
  }
  for (; i + 8 <= n; i += 8) {
    __m256 d = _mm256_sub_ps(_mm256_loadu_ps(q + i), load_halves(c + i));
    s0 = _mm256_fmadd_ps(d, d, s0);
  }
  return sum8(_mm256_add_ps(s0, s1)) + l2_portable(q + i, c + i, n - i);
}

LLMSPELL_F16C float ip_f16c(const float* q, const std::uint16_t* c, std::size_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), load_halves(c + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), load_halves(c + i + 8), s1);
  }
  for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), load_halves(c + i), s0);
  return sum8(_mm256_add_ps(s0, s1)) + ip_portable(q + i, c + i, n - i);
}

bool has_f16c() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
         __builtin_cpu_supports("f16c");
}
const bool kF16c = has_f16c();
#endif

}  // namespace

float l2_squared_f16(const float* query, const std::uint16_t* code, std::size_t n) {
#if defined(__x86_64__)
  if (kF16c) return l2_f16c(query, code, n);
#endif
  return l2_portable(query, code, n);
}

float inner_product_f16(const float* query, const std::uint16_t* code, std::size_t n) {
#if defined(__x86_64__)
  if (kF16c) return ip_f16c(query, code, n);
#endif
  return ip_portable(query, code, n);
}

}  // namespace llmspell::vector
