// Distances between a float32 query and a float16-coded vector: the traversal kernels of
// quantised HNSW stores (half the bytes read per visited node). AVX2+F16C when the CPU has
// them, portable code otherwise.
#pragma once

#include <cstddef>
#include <cstdint>

namespace llmspell::vector {

float l2_squared_f16(const float* query, const std::uint16_t* code, std::size_t n);
float inner_product_f16(const float* query, const std::uint16_t* code, std::size_t n);

}  // namespace llmspell::vector
