// The import's input as simdjson wants it: the bytes followed by SIMDJSON_PADDING readable bytes.
// A file is mapped (its pages are read as the parser reaches them, nothing is copied); standard
// input ("-") is read into memory.
#pragma once

#include <simdjson.h>

#include <string>

namespace llmspell::cli {

class ImportInput {
 public:
  // Throws CliError when the file cannot be read, or is larger than simdjson's 4 GiB limit.
  explicit ImportInput(const std::string& path);
  ~ImportInput();
  ImportInput(const ImportInput&) = delete;
  ImportInput& operator=(const ImportInput&) = delete;

  simdjson::padded_string_view view() const;
  std::size_t size() const { return size_; }

 private:
  void* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::string stdin_;  // standard input, then SIMDJSON_PADDING zero bytes
  std::size_t size_ = 0;
};

}  // namespace llmspell::cli
