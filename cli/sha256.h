// SHA-256 of a byte string, as 64 lower-case hex digits (OpenSSL).
#pragma once

#include <string>
#include <string_view>

namespace llmspell::cli {

std::string sha256_hex(std::string_view bytes);

}  // namespace llmspell::cli
