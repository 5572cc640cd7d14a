// Passwords never reach the terminal: each secret the program learns (from the configuration,
// DATABASE_URL or the environment) is registered here, and every line printed goes through
// redact(), which masks it wherever it appears, also percent-encoded.
#pragma once

#include <string>
#include <string_view>

namespace llmspell::cli {

inline constexpr std::string_view kRedacted = "********";

// Registers a secret. Empty strings are ignored; secrets shorter than 3 characters are only
// masked as whole words (masking every "a" would garble the output without protecting anything).
void add_secret(std::string_view secret);

// `text` with every registered secret replaced by kRedacted.
std::string redact(std::string_view text);

// Forgets every secret (tests).
void clear_secrets();

}  // namespace llmspell::cli
