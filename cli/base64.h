// Base64 (RFC 4648, standard alphabet, '=' padding, no line breaks): how the export format
// carries binary columns and vectors.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace llmspell::cli::base64 {

// Appends the encoding of `bytes` to `out`.
void encode(std::string& out, std::string_view bytes);

// The exact size encode() produces for `n` bytes.
constexpr std::size_t encoded_size(std::size_t n) { return (n + 2) / 3 * 4; }

// Decodes `text` into `out` (replacing its contents). Strict: only the alphabet, a length that
// is a multiple of 4, '=' only as the last one or two characters, and zero bits where the padding
// leaves them. On failure returns the offset of the first offending character; nullopt on success.
std::optional<std::size_t> decode(std::string_view text, std::string& out);

}  // namespace llmspell::cli::base64
