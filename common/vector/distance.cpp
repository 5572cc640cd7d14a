#include "vector/distance.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "vector/distance_kernels.h"

namespace llmspell::vector {
namespace {

using PairKernel = float (*)(const float*, const float*, std::size_t);
using DotNormsKernel = kernels::DotAndNorms (*)(const float*, const float*, std::size_t);

struct KernelSet {
  PairKernel l2_squared;
  PairKernel inner_product;
  DotNormsKernel dot_and_norms;
  const char* name;
};

constexpr KernelSet kPortable{kernels::l2_squared_portable, kernels::inner_product_portable,
                              kernels::dot_and_norms_portable, "portable"};
#if defined(__x86_64__)
constexpr KernelSet kAvx2{kernels::l2_squared_avx2, kernels::inner_product_avx2,
                          kernels::dot_and_norms_avx2, "avx2-fma"};
constexpr KernelSet kAvx512{kernels::l2_squared_avx512, kernels::inner_product_avx512,
                            kernels::dot_and_norms_avx512, "avx512f"};
#endif

// Every set this CPU can run, widest first.
std::vector<const KernelSet*> detect() {
  std::vector<const KernelSet*> sets;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) sets.push_back(&kAvx512);
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) sets.push_back(&kAvx2);
#endif
  sets.push_back(&kPortable);
  return sets;
}

const std::vector<const KernelSet*>& supported() {
  static const std::vector<const KernelSet*> sets = detect();
  return sets;
}

std::atomic<const KernelSet*> g_active{supported().front()};

inline const KernelSet& active() { return *g_active.load(std::memory_order_relaxed); }

// Double-precision versions for the rare inputs whose float32 sums overflow or underflow
// (components near 1e20 or 1e-20): the fast kernels stay unchanged for everyone else.
double l2_squared_double(const float* a, const float* b, std::size_t n) {
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double d = double{a[i]} - b[i];
    s += d * d;
  }
  return s;
}

void dot_and_norms_double(const float* a, const float* b, std::size_t n, double* dot, double* na,
                          double* nb) {
  *dot = *na = *nb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    *dot += double{a[i]} * b[i];
    *na += double{a[i]} * a[i];
    *nb += double{b[i]} * b[i];
  }
}

bool unusable(float x) { return !std::isfinite(x) || x < std::numeric_limits<float>::min(); }

}  // namespace

float l2_squared(const float* a, const float* b, std::size_t n) {
  return active().l2_squared(a, b, n);
}

float l2_distance(const float* a, const float* b, std::size_t n) {
  float squared = active().l2_squared(a, b, n);
  if (std::isinf(squared)) return static_cast<float>(std::sqrt(l2_squared_double(a, b, n)));
  return std::sqrt(squared);
}

float inner_product(const float* a, const float* b, std::size_t n) {
  return active().inner_product(a, b, n);
}

float cosine_distance(const float* a, const float* b, std::size_t n) {
  kernels::DotAndNorms r = active().dot_and_norms(a, b, n);
  double dot = r.dot, na = r.norm_a2, nb = r.norm_b2;
  if (unusable(r.norm_a2) || unusable(r.norm_b2) || !std::isfinite(r.dot)) {
    dot_and_norms_double(a, b, n, &dot, &na, &nb);
  }
  double denominator = std::sqrt(na * nb);  // in double: neither overflows nor underflows
  if (denominator == 0) return std::numeric_limits<float>::quiet_NaN();
  double similarity = dot / denominator;
  // Rounding can push |cos| a hair past 1; clamp so distances stay in [0, 2].
  if (similarity > 1) similarity = 1;
  if (similarity < -1) similarity = -1;
  return static_cast<float>(1.0 - similarity);
}

double norm(const float* a, std::size_t n) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += double{a[i]} * a[i];
  return std::sqrt(sum);
}

const char* kernel_name() { return active().name; }

bool force_portable_kernels(bool force) {
  const KernelSet* previous = g_active.exchange(force ? &kPortable : supported().front());
  return previous == &kPortable;
}

std::vector<std::string> available_kernels() {
  std::vector<std::string> names;
  for (const KernelSet* set : supported()) names.emplace_back(set->name);
  return names;
}

bool select_kernels(const std::string& name) {
  for (const KernelSet* set : supported()) {
    if (name == set->name) {
      g_active.store(set);
      return true;
    }
  }
  return false;
}

}  // namespace llmspell::vector
