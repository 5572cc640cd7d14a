#include "test_storage_data.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>

namespace llmspell::cli::test_storage {
namespace {

// splitmix64: small, fast and identical on every platform, unlike std::normal_distribution.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Box-Muller; one value per call is plenty here.
  double gaussian() {
    double u = std::max(uniform(), 1e-300);
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * M_PI * uniform());
  }

 private:
  std::uint64_t state_;
};

constexpr std::uint64_t kSeed = 0x6c6c6d7370656c6cULL;  // "llmspell"
constexpr double kSpread = 0.6;  // noise norm relative to the unit centre: clusters overlap a bit

std::vector<float> normalized(std::vector<double> v) {
  double norm = 0;
  for (double x : v) norm += x * x;
  norm = std::sqrt(norm);
  std::vector<float> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = static_cast<float>(v[i] / norm);
  return out;
}

std::vector<float> near(Random& r, const std::vector<float>& centre) {
  std::vector<double> v(centre.size());
  double scale = kSpread / std::sqrt(static_cast<double>(centre.size()));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = centre[i] + scale * r.gaussian();
  return normalized(std::move(v));
}

}  // namespace

TestData generate(const std::string& tenant, int rows, int queries) {
  Random r(kSeed);
  std::vector<std::vector<float>> centres;
  for (int c = 0; c < kClusters; ++c) {
    std::vector<double> v(kVectorDimensions);
    for (double& x : v) x = r.gaussian();
    centres.push_back(normalized(std::move(v)));
  }
  TestData d;
  d.tenant = tenant;
  std::int64_t id = 1;
  for (int i = 0; i < rows; ++i) {
    d.tenant_rows.push_back({id++, tenant, near(r, centres[r.next() % kClusters])});
  }
  // As many rows again for the other tenants, from the same clusters: without isolation they
  // would be among the tenant's nearest neighbours.
  for (int i = 0; i < rows; ++i) {
    std::string other = tenant + "-other-" + std::to_string(i % kOtherTenants + 1);
    d.other_rows.push_back({id++, other, near(r, centres[r.next() % kClusters])});
  }
  for (int q = 0; q < queries; ++q) d.queries.push_back(near(r, centres[r.next() % kClusters]));
  return d;
}

std::string vector_text(const std::vector<float>& v) {
  std::string s = "[";
  char buf[32];
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.9g", i ? "," : "", static_cast<double>(v[i]));
    s += buf;
  }
  return s + "]";
}

std::string vector_blob(const std::vector<float>& v) {
  static_assert(std::numeric_limits<float>::is_iec559);
  std::string out(v.size() * sizeof(float), '\0');
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, &v[i], sizeof bits);
    for (int b = 0; b < 4; ++b) out[i * 4 + b] = static_cast<char>((bits >> (8 * b)) & 0xff);
  }
  return out;
}

double recall(const std::vector<std::vector<std::int64_t>>& approx,
              const std::vector<std::vector<std::int64_t>>& exact) {
  if (exact.empty()) return 0;
  double sum = 0;
  for (std::size_t q = 0; q < exact.size(); ++q) {
    if (exact[q].empty()) continue;
    std::set<std::int64_t> truth(exact[q].begin(), exact[q].end());
    int hits = 0;
    for (std::int64_t id : approx.at(q)) hits += static_cast<int>(truth.count(id));
    sum += static_cast<double>(hits) / static_cast<double>(exact[q].size());
  }
  return sum / static_cast<double>(exact.size());
}

Comparison compare(int queries, int passes, const Clock& clock, const std::function<void(int)>& a,
                   const std::function<void(int)>& b) {
  Comparison c;
  c.queries = queries;
  c.a_seconds = c.b_seconds = std::numeric_limits<double>::infinity();
  for (int p = 0; p < passes; ++p) {
    double ta = 0, tb = 0;
    for (int q = 0; q < queries; ++q) {
      // Alternate which side goes first, so that neither always finds the caches warmed.
      for (int side = 0; side < 2; ++side) {
        bool run_a = (side == 0) == ((q + p) % 2 == 0);
        double start = clock();
        (run_a ? a : b)(q);
        (run_a ? ta : tb) += clock() - start;
      }
    }
    c.a_seconds = std::min(c.a_seconds, ta);
    c.b_seconds = std::min(c.b_seconds, tb);
  }
  return c;
}

std::string ratio_text(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fx", r);
  return buf;
}

std::string percent_text(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", fraction * 100);
  return buf;
}

}  // namespace llmspell::cli::test_storage
