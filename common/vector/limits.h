// Limits shared by every host of the vector core.
#pragma once

#include <cstddef>

namespace llmspell::vector {

// Largest dimension a vector may have, in every backend.
inline constexpr std::size_t kMaxDimensions = 16000;

}  // namespace llmspell::vector
