// Everything the CLI prints goes through here: redacted (redact.h), one line at a time.
#pragma once

#include <string_view>

namespace llmspell::cli {

// A line on standard output.
void print_line(std::string_view line);
// "llmspell: <message>" on standard error.
void print_error(std::string_view message);
// "llmspell: warning: <message>" on standard error.
void print_warning(std::string_view message);
// Text printed as is on standard error (indented detail lines, progress).
void print_note(std::string_view text);

}  // namespace llmspell::cli
