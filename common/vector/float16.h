// IEEE binary16 conversion, for vectors too large to store as float32 on one index page.
#pragma once

#include <cstddef>
#include <cstdint>

namespace llmspell::vector {

std::uint16_t float_to_half(float f);  // round to nearest even; saturates to +-65504
float half_to_float(std::uint16_t h);

void floats_to_halves(const float* in, std::uint16_t* out, std::size_t n);
void halves_to_floats(const std::uint16_t* in, float* out, std::size_t n);

}  // namespace llmspell::vector
