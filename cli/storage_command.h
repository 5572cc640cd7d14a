// `llmspell storage export` and `llmspell storage import`: the whole database (or one tenant) as
// one versioned JSON document (docs/export-format.md), lossless between SQLite and PostgreSQL.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "config.h"

namespace llmspell::cli {

struct StorageOptions {
  enum class Command { kNone, kExport, kImport } command = Command::kNone;
  std::string output;  // export: a file, or "-" for standard output
  std::string input;   // import: a file, or "-" for standard input
  std::optional<std::string> tenant;
};

// Adds `storage export` and `storage import` to `app` (the backend comes from the global
// --backend, DATABASE_URL or the configuration, as for every command).
void add_storage_commands(CLI::App& app, StorageOptions& options);

// Runs the chosen command; returns the exit status. Throws CliError.
int run_storage(const StorageOptions& options, const Config& config);

}  // namespace llmspell::cli
