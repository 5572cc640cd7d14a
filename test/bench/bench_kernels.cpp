// Distance kernel throughput for exact scans, beside a memory-read baseline over the same bytes
// measured in the same run. The data set is far larger than the caches, so the ratio says how
// close an exact scan comes to the memory bandwidth this machine gives a single thread now.
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "vector/distance.h"

namespace {

namespace lv = llmspell::vector;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kDataBytes = std::size_t{512} << 20;  // 512 MiB: well beyond L3
constexpr int kRepeats = 5;  // best of 5: the least disturbed run on a shared machine

__attribute__((target("avx2"))) float read_all(const float* data, std::size_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(),
         s3 = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm256_add_ps(s0, _mm256_loadu_ps(data + i));
    s1 = _mm256_add_ps(s1, _mm256_loadu_ps(data + i + 8));
    s2 = _mm256_add_ps(s2, _mm256_loadu_ps(data + i + 16));
    s3 = _mm256_add_ps(s3, _mm256_loadu_ps(data + i + 24));
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  float sum = 0;
  for (float f : lanes) sum += f;
  for (; i < n; ++i) sum += data[i];
  return sum;
}

template <typename F>
double seconds(F&& f) {
  auto t0 = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

volatile float g_sink;

}  // namespace

int main() {
  std::printf("Distance kernels (%s), exact scan over %zu MiB of float32 vectors, single thread\n",
              lv::kernel_name(), kDataBytes >> 20);
  std::printf("%6s %10s %-14s %14s %9s %14s %7s\n", "dims", "vectors", "kernel", "vectors/s",
              "GB/s", "baseline GB/s", "ratio");
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(-1.f, 1.f);
  std::vector<float> data(kDataBytes / sizeof(float));
  for (float& x : data) x = uniform(rng);

  for (std::size_t dims : {384, 768, 1536, 3072}) {
    std::size_t n = data.size() / dims;
    std::vector<float> query(dims);
    for (float& x : query) x = uniform(rng);
    double gb = static_cast<double>(n * dims * sizeof(float)) / 1e9;

    struct Kernel {
      const char* name;
      float (*fn)(const float*, const float*, std::size_t);
    };
    const Kernel kernels[] = {{"l2_squared", lv::l2_squared},
                              {"inner_product", lv::inner_product},
                              {"cosine", lv::cosine_distance}};
    for (const Kernel& k : kernels) {
      // Baseline and kernel alternate so both see the same machine load.
      double baseline = 1e30, secs = 1e30;
      for (int r = 0; r < kRepeats; ++r) {
        baseline = std::min(baseline, seconds([&] { g_sink = read_all(data.data(), n * dims); }));
        secs = std::min(secs, seconds([&] {
                          float acc = 0;
                          for (std::size_t i = 0; i < n; ++i)
                            acc += k.fn(query.data(), data.data() + i * dims, dims);
                          g_sink = acc;
                        }));
      }
      std::printf("%6zu %10zu %-14s %14.0f %9.2f %14.2f %6.0f%%\n", dims, n, k.name, n / secs,
                  gb / secs, gb / baseline, 100.0 * baseline / secs);
    }
  }
  std::printf("target: exact scans at >= 80%% of the memory-read baseline\n");
  return 0;
}
