// Opening the configured backend for a command.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "database.h"
#include "migrations.h"

namespace llmspell::cli {

enum class OpenPurpose {
  // migrate / apply: a missing SQLite file is created.
  kMigrate,
  // list / health: nothing is created; a missing SQLite file yields no database.
  kInspect,
};

// The database for `config.backend`, or nullptr when an inspected SQLite file does not exist.
// A memory database is fresh on every open: opened for inspection it gets every migration first
// (SQLite databases are migrated only by `migrate`/`apply`, or when the CLI creates them).
// Throws CliError when the database cannot be reached.
std::unique_ptr<Database> open_database(const Config& config, OpenPurpose purpose,
                                        const std::vector<Migration>& files);

}  // namespace llmspell::cli
