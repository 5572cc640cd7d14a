// `llmspell database health`: a list of checks, each OK, a warning or a failure, printed as
// lines ("✅ Tables: 15/15 present") or as JSON (--json). Any failure makes the exit status 1.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "migrations.h"

namespace llmspell::cli {

class Database;

enum class Level { kOk, kWarning, kFailure };
// How a check's level shows: a symbol at the start of its line, a word in --json.
const char* level_symbol(Level l);
const char* level_name(Level l);

struct Check {
  std::string id;     // stable key for --json: "connection", "tables", ...
  std::string label;  // "Tables"
  Level level = Level::kOk;
  std::string message;  // "15/15 present"
  // Counted checks: present of expected, and the names missing (or wrong).
  std::optional<int> present;
  std::optional<int> expected;
  std::vector<std::string> missing;
};

class HealthReport {
 public:
  Check& add(std::string id, std::string label, Level level, std::string message);
  // A counted check: OK when every expected name is present, else `missing_level`, listing them.
  Check& add_count(std::string id, std::string label, int expected,
                   std::vector<std::string> missing, const std::string& noun,
                   Level missing_level = Level::kFailure);
  const std::vector<Check>& checks() const { return checks_; }
  bool ok() const;

 private:
  std::vector<Check> checks_;
};

// Runs the backend's checks and the migration check; prints; returns the exit status.
int run_health(Database* db, const std::string& open_error, const Config& config,
               const std::vector<Migration>& files, bool json);

}  // namespace llmspell::cli
