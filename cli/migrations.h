// Migration files: NNN_name.sql, applied in order of NNN. They are compiled into the program
// (embedded_migrations.cpp, generated from migrations/) and can be read from a directory instead.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"

namespace llmspell::cli {

struct Migration {
  std::string name;      // "001_initial.sql"
  int version = 0;       // 1
  std::string sql;       // the file's bytes
  std::string checksum;  // SHA-256 of the bytes, lower-case hex
  std::string origin;    // where it came from, for messages: a path or "built-in"
};

struct EmbeddedFile {
  const char* path;  // "postgres/001_initial.sql"
  const unsigned char* data;
  std::size_t size;
};
const std::vector<EmbeddedFile>& embedded_migration_files();

// "postgres" or "sqlite" (memory uses the SQLite migrations).
std::string_view migrations_subdir(Backend backend);

// The backend's migrations, sorted by version: from `dir` when given, else the built-in ones.
// Throws CliError for a missing directory, a misnamed .sql file or two files with one version.
std::vector<Migration> load_migrations(Backend backend,
                                       const std::optional<std::filesystem::path>& dir);

// The version of a file name "NNN_name.sql" (digits, underscore, [A-Za-z0-9_]+, ".sql").
std::optional<int> migration_version(std::string_view file_name);

// A migration by file name, by name without ".sql", or by version ("1", "001"); nullptr if none.
const Migration* find_migration(const std::vector<Migration>& migrations, std::string_view query);

}  // namespace llmspell::cli
