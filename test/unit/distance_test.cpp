// Every kernel, on both the dispatched and the portable path, against a double-precision
// reference on random vectors of every dimension from 1 to 4096.
#include "vector/distance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace llmspell::vector {
namespace {

struct Reference {
  double l2_squared = 0, dot = 0, norm_a = 0, norm_b = 0;
  double sum_abs_products = 0;  // scale for the rounding error of a sum of n terms
  double sum_squares = 0;
};

Reference reference(const std::vector<float>& a, const std::vector<float>& b) {
  Reference r;
  for (std::size_t i = 0; i < a.size(); ++i) {
    double d = double{a[i]} - b[i];
    r.l2_squared += d * d;
    r.dot += double{a[i]} * b[i];
    r.norm_a += double{a[i]} * a[i];
    r.norm_b += double{b[i]} * b[i];
    r.sum_abs_products += std::fabs(double{a[i]} * b[i]);
  }
  r.norm_a = std::sqrt(r.norm_a);
  r.norm_b = std::sqrt(r.norm_b);
  return r;
}

// Float32 summation of n terms errs by at most about n * eps * sum|terms|; blocked summation is
// far better in practice, so sqrt(n) with a safety factor is already a tight but fair bound.
double tolerance(std::size_t n, double scale) {
  return 8.0 * std::sqrt(static_cast<double>(n)) * 1.2e-7 * scale + 1e-30;
}

void check_all_dimensions(std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  for (std::size_t n = 1; n <= 4096; ++n) {
    std::vector<float> a(n), b(n);
    for (std::size_t i = 0; i < n; ++i) {
      a[i] = normal(rng);
      b[i] = normal(rng) + 0.5f * a[i];
    }
    Reference r = reference(a, b);
    ASSERT_NEAR(l2_squared(a.data(), b.data(), n), r.l2_squared, tolerance(n, r.l2_squared)) << n;
    ASSERT_NEAR(l2_distance(a.data(), b.data(), n), std::sqrt(r.l2_squared),
                tolerance(n, std::sqrt(r.l2_squared)))
        << n;
    ASSERT_NEAR(inner_product(a.data(), b.data(), n), r.dot, tolerance(n, r.sum_abs_products)) << n;
    double cos_ref = 1.0 - r.dot / (r.norm_a * r.norm_b);
    double cos_tol = tolerance(n, r.sum_abs_products / (r.norm_a * r.norm_b)) * 4;
    ASSERT_NEAR(cosine_distance(a.data(), b.data(), n), cos_ref, cos_tol) << n;
    ASSERT_NEAR(norm(a.data(), n), r.norm_a, 1e-9 * r.norm_a) << n;
  }
}

TEST(Distance, DispatchedKernelsMatchReference) { check_all_dimensions(1); }

TEST(Distance, PortableKernelsMatchReference) {
  bool previous = force_portable_kernels(true);
  EXPECT_STREQ(kernel_name(), "portable");
  check_all_dimensions(2);
  force_portable_kernels(previous);
}

// Every implementation this CPU runs, not only the widest one the dispatcher picks.
TEST(Distance, EveryAvailableKernelSetMatchesReference) {
  std::vector<std::string> names = available_kernels();
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.back(), "portable");
  EXPECT_EQ(names.front(), kernel_name());
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(select_kernels(name));
    EXPECT_EQ(name, kernel_name());
    check_all_dimensions(3);
  }
  EXPECT_FALSE(select_kernels("no-such-kernels"));
  ASSERT_TRUE(select_kernels(names.front()));
}

TEST(Distance, HandComputedValues) {
  const float a[] = {1, 2, 3};
  const float b[] = {4, 5, 6};
  EXPECT_FLOAT_EQ(l2_squared(a, b, 3), 27.f);
  EXPECT_FLOAT_EQ(l2_distance(a, b, 3), std::sqrt(27.f));
  EXPECT_FLOAT_EQ(inner_product(a, b, 3), 32.f);
  EXPECT_NEAR(cosine_distance(a, b, 3), 1.0 - 32.0 / std::sqrt(14.0 * 77.0), 1e-7);
}

TEST(Distance, CosineEdgeCases) {
  const float a[] = {1, 2, 3};
  const float neg[] = {-2, -4, -6};
  const float zero[] = {0, 0, 0};
  EXPECT_FLOAT_EQ(cosine_distance(a, a, 3), 0.f);
  EXPECT_FLOAT_EQ(cosine_distance(a, neg, 3), 2.f);
  EXPECT_TRUE(std::isnan(cosine_distance(a, zero, 3)));
}

}  // namespace
}  // namespace llmspell::vector

namespace llmspell::vector {
namespace {

// Components whose squares leave the float range still give the right answer.
TEST(Distance, ExtremeMagnitudes) {
  const float tiny[] = {1e-30f, 1e-30f};
  const float huge[] = {1e20f};
  const float zero[] = {0.f};
  EXPECT_NEAR(cosine_distance(tiny, tiny, 2), 0.f, 1e-6);
  EXPECT_NEAR(cosine_distance(huge, huge, 1), 0.f, 1e-6);
  EXPECT_FLOAT_EQ(l2_distance(huge, zero, 1), 1e20f);
}

}  // namespace
}  // namespace llmspell::vector
