#include "output.h"

#include <cstdio>
#include <string>

#include "redact.h"

namespace llmspell::cli {
namespace {

void write(std::FILE* stream, std::string_view prefix, std::string_view text) {
  std::string line = redact(text);
  std::fwrite(prefix.data(), 1, prefix.size(), stream);
  std::fwrite(line.data(), 1, line.size(), stream);
  std::fputc('\n', stream);
  std::fflush(stream);
}

}  // namespace

void print_line(std::string_view line) { write(stdout, "", line); }
void print_error(std::string_view message) { write(stderr, "llmspell: ", message); }
void print_warning(std::string_view message) { write(stderr, "llmspell: warning: ", message); }
void print_note(std::string_view text) { write(stderr, "", text); }

}  // namespace llmspell::cli
