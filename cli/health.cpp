#include "health.h"

#include "database.h"
#include "errors.h"
#include "json_writer.h"
#include "migrator.h"
#include "output.h"

namespace llmspell::cli {

Check& HealthReport::add(std::string id, std::string label, Level level, std::string message) {
  Check c;
  c.id = std::move(id);
  c.label = std::move(label);
  c.level = level;
  c.message = std::move(message);
  checks_.push_back(std::move(c));
  return checks_.back();
}

Check& HealthReport::add_count(std::string id, std::string label, int expected,
                               std::vector<std::string> missing, const std::string& noun,
                               Level missing_level) {
  int present = expected - static_cast<int>(missing.size());
  std::string message = std::to_string(present) + "/" + std::to_string(expected) + " " + noun;
  if (!missing.empty()) {
    // The text form names the first ones; --json lists them all.
    constexpr std::size_t kShown = 12;
    message += " (missing: ";
    for (std::size_t i = 0; i < missing.size() && i < kShown; ++i)
      message += (i ? ", " : "") + missing[i];
    if (missing.size() > kShown)
      message += " and " + std::to_string(missing.size() - kShown) + " more";
    message += ")";
  }
  Check& c =
      add(std::move(id), std::move(label), missing.empty() ? Level::kOk : missing_level, message);
  c.present = present;
  c.expected = expected;
  c.missing = std::move(missing);
  return c;
}

bool HealthReport::ok() const {
  for (const Check& c : checks_) {
    if (c.level == Level::kFailure) return false;
  }
  return true;
}

const char* level_symbol(Level l) {
  switch (l) {
    case Level::kOk:
      return "\u2705";
    case Level::kWarning:
      return "\u26a0\ufe0f ";
    case Level::kFailure:
      return "\u274c";
  }
  return "?";
}

const char* level_name(Level l) {
  switch (l) {
    case Level::kOk:
      return "ok";
    case Level::kWarning:
      return "warning";
    case Level::kFailure:
      return "failed";
  }
  return "?";
}

namespace {

void check_migrations(HealthReport& report, Database& db, const std::vector<Migration>& files) {
  std::vector<MigrationStatus> status = migration_status(files, db.applied_migrations());
  StatusCounts c = count_states(status);
  std::vector<std::string> problems;
  for (const MigrationStatus& s : status) {
    if (s.state == MigrationState::kPending) problems.push_back(s.name + " pending");
    if (s.state == MigrationState::kChanged) problems.push_back(s.name + " changed since applied");
  }
  std::string message = std::to_string(c.applied) + "/" + std::to_string(files.size()) + " applied";
  Level level = Level::kOk;
  if (!problems.empty()) {
    level = Level::kFailure;
    message += " (";
    for (std::size_t i = 0; i < problems.size(); ++i) message += (i ? ", " : "") + problems[i];
    message += "; run `llmspell database migrate`)";
  } else {
    message += ", none pending";
  }
  if (c.missing > 0) {
    message += "; " + std::to_string(c.missing) + " applied migration(s) unknown to this llmspell";
    if (level == Level::kOk) level = Level::kWarning;
  }
  Check& check = report.add("migrations", "Migrations", level, message);
  check.present = c.applied;
  check.expected = static_cast<int>(files.size());
  for (const MigrationStatus& s : status) {
    if (s.state == MigrationState::kPending || s.state == MigrationState::kChanged) {
      check.missing.push_back(s.name);
    }
  }
}

}  // namespace

int run_health(Database* db, const std::string& open_error, const Config& config,
               const std::vector<Migration>& files, bool json) {
  HealthReport report;
  if (db == nullptr) {
    std::string label =
        config.backend == Backend::kPostgres ? "PostgreSQL connection" : "SQLite database";
    report.add("connection", label, Level::kFailure, "FAILED: " + open_error);
  } else {
    try {
      if (db->check_health(report, config)) check_migrations(report, *db, files);
    } catch (const CliError& e) {
      report.add("error", "Health check", Level::kFailure, std::string("FAILED: ") + e.what());
    }
  }
  if (json) {
    JsonWriter out;
    out.begin_object()
        .key("ok")
        .value(report.ok())
        .key("backend")
        .value(backend_name(config.backend));
    if (db != nullptr) out.key("target").value(db->target());
    out.key("checks").begin_array();
    for (const Check& c : report.checks()) {
      out.begin_object().key("id").value(c.id).key("label").value(c.label);
      out.key("status").value(level_name(c.level)).key("message").value(c.message);
      if (c.present) out.key("present").value(*c.present);
      if (c.expected) out.key("expected").value(*c.expected);
      if (c.present || !c.missing.empty()) {
        out.key("missing").begin_array();
        for (const std::string& m : c.missing) out.value(m);
        out.end_array();
      }
      out.end_object();
    }
    out.end_array().end_object();
    print_line(out.str());
  } else {
    for (const Check& c : report.checks()) {
      print_line(std::string(level_symbol(c.level)) + " " + c.label + ": " + c.message);
    }
  }
  return report.ok() ? kExitOk : kExitFailure;
}

}  // namespace llmspell::cli
