// Element-wise arithmetic on vectors. Results may overflow to infinity; callers check with
// all_finite() and report the overflow in their own terms.
#pragma once

#include <cstddef>

namespace llmspell::vector {

void add(const float* a, const float* b, float* out, std::size_t n);
void subtract(const float* a, const float* b, float* out, std::size_t n);

// Writes a / |a| to out. A zero vector normalises to itself (there is no direction to keep).
void normalize(const float* a, float* out, std::size_t n);

// Three-way comparison: element by element, then the shorter vector first.
int compare(const float* a, std::size_t na, const float* b, std::size_t nb);

}  // namespace llmspell::vector
