// The migration commands over any backend: compares the files with the history table and
// applies what is pending.
//
// A file is
//   applied   its name is in the history with the file's current checksum
//   pending   not in the history
//   changed   in the history with another checksum: the file was edited after it was applied.
//             `migrate` refuses to run while any file is changed (a silently different schema is
//             worse than a stopped deployment) until the file is restored or re-applied with
//             `migrations apply --migration NAME --force`.
//   missing   in the history, but no such file (a newer llmspell applied it): reported only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "database.h"
#include "migrations.h"

namespace llmspell::cli {

enum class MigrationState { kApplied, kPending, kChanged, kMissing };
const char* state_name(MigrationState s);

struct MigrationStatus {
  std::string name;
  int version = 0;
  MigrationState state = MigrationState::kPending;
  const Migration* file = nullptr;         // null when missing
  std::optional<AppliedMigration> record;  // null when pending
};

std::vector<MigrationStatus> migration_status(const std::vector<Migration>& files,
                                              const std::vector<AppliedMigration>& applied);

struct StatusCounts {
  int applied = 0, pending = 0, changed = 0, missing = 0;
};
StatusCounts count_states(const std::vector<MigrationStatus>& status);

// `database migrate`: applies every pending file in order, stopping at the first failure.
// Returns the exit status.
int run_migrate(Database& db, const std::vector<Migration>& files, bool json);

// `database migrations list`; `applied` is empty when the database does not exist yet.
int run_list(Backend backend, const std::string& target, const std::vector<Migration>& files,
             const std::optional<std::vector<AppliedMigration>>& applied, bool json);

// `database migrations apply --migration NAME [--force]`.
int run_apply(Database& db, const std::vector<Migration>& files, const std::string& name,
              bool force, bool json);

// Applies every pending migration quietly (a fresh database the CLI opened); returns how many.
int apply_pending(Database& db, const std::vector<Migration>& files);

}  // namespace llmspell::cli
