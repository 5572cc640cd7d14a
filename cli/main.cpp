// llmspell: the storage commands of llmspell.
//
//   llmspell [--config FILE] [--backend B] [--migrations-dir DIR] database migrate [--json]
//   llmspell ... database migrations list [--json]
//   llmspell ... database migrations apply --migration NAME [--force] [--json]
//   llmspell ... database health [--json]
//   llmspell ... storage export --output FILE|- [--tenant T]
//   llmspell ... storage import --input FILE|- [--tenant T]
//   llmspell ... test storage [--rows N] [--queries N] [--json]
//
// Exit status: 0 success, 1 failure (the command ran and something is wrong), 2 usage error.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <optional>
#include <string>

#include "config.h"
#include "errors.h"
#include "health.h"
#include "migrations.h"
#include "migrator.h"
#include "open_database.h"
#include "output.h"
#include "storage_command.h"
#include "test_storage.h"

#ifndef LLMSPELL_VERSION
#define LLMSPELL_VERSION "0.0.0"
#endif

namespace llmspell::cli {
namespace {

enum class Command { kNone, kMigrate, kList, kApply, kHealth, kTestStorage };

struct Options {
  CommandLine common;
  Command command = Command::kNone;
  bool json = false;
  std::string migration;
  bool force = false;
  StorageOptions storage;
  TestStorageOptions test_storage;
};

Config configure(const Options& o) {
  Config config = load_config(o.common, process_environment());
  for (const std::string& w : config.warnings) print_warning(w);
  return config;
}

int run(const Options& o) {
  Config config = configure(o);
  if (o.storage.command != StorageOptions::Command::kNone) return run_storage(o.storage, config);
  std::vector<Migration> files = load_migrations(config.backend, config.migrations_dir);
  switch (o.command) {
    case Command::kMigrate: {
      auto db = open_database(config, OpenPurpose::kMigrate, files);
      return run_migrate(*db, files, o.json);
    }
    case Command::kApply: {
      // An unknown name changes nothing, not even by creating a database file.
      if (find_migration(files, o.migration) == nullptr) {
        throw CliError("unknown migration '" + o.migration +
                       "' (`llmspell database migrations list` shows them)");
      }
      auto db = open_database(config, OpenPurpose::kMigrate, files);
      return run_apply(*db, files, o.migration, o.force, o.json);
    }
    case Command::kList: {
      auto db = open_database(config, OpenPurpose::kInspect, files);
      if (!db)
        return run_list(config.backend, config.sqlite.path.string(), files, std::nullopt, o.json);
      return run_list(db->backend(), db->target(), files, db->applied_migrations(), o.json);
    }
    case Command::kHealth: {
      std::unique_ptr<Database> db;
      std::string error;
      try {
        db = open_database(config, OpenPurpose::kInspect, files);
        if (!db)
          error = config.sqlite.path.string() +
                  " does not exist (llmspell database migrate creates it)";
      } catch (const CliError& e) {
        error = e.what();
      }
      return run_health(db.get(), error, config, files, o.json);
    }
    case Command::kTestStorage: {
      TestStorageOptions options = o.test_storage;
      options.json = o.json;
      return run_test_storage(config, files, options);
    }
    case Command::kNone:
      break;
  }
  return kExitUsage;
}

}  // namespace
}  // namespace llmspell::cli

int main(int argc, char** argv) {
  using namespace llmspell::cli;
  Options o;
  CLI::App app{
      "llmspell: schema migrations and health of llmspell's storage (memory, SQLite, PostgreSQL)",
      "llmspell"};
  app.set_version_flag("--version", std::string("llmspell ") + LLMSPELL_VERSION);
  app.require_subcommand(1);
  // Options of a command may also follow its subcommands: `llmspell database health --config x`.
  app.fallthrough();
  app.add_option_function<std::string>(
      "-c,--config", [&](const std::string& v) { o.common.config_file = v; },
      "Configuration file (default: $LLMSPELL_CONFIG, ./config.toml, "
      "~/.config/llmspell/config.toml)");
  app.add_option_function<std::string>(
      "--backend", [&](const std::string& v) { o.common.backend = v; },
      "memory | sqlite | postgresql: overrides [storage] backend and DATABASE_URL");
  app.add_option_function<std::string>(
      "--migrations-dir", [&](const std::string& v) { o.common.migrations_dir = v; },
      "Read the backend's migration files from DIR instead of the built-in ones "
      "(default: $LLMSPELL_MIGRATIONS_DIR)");
  app.footer(
      "Configuration: config.toml [storage] backend = memory|sqlite|postgresql, [storage.sqlite] "
      "path,\n"
      "[storage.postgresql] host/port/database/username/password or connection_string.\n"
      "DATABASE_URL (postgresql://..., sqlite:PATH, memory:) overrides the file.\n"
      "Exit status: 0 success, 1 failure, 2 usage error.");

  CLI::App* database = app.add_subcommand("database", "Schema migrations and health checks");
  database->require_subcommand(1);

  CLI::App* migrate = database->add_subcommand(
      "migrate", "Apply every pending migration in order, each in its own transaction");
  migrate->add_flag("--json", o.json, "Print the result as JSON");
  migrate->callback([&] { o.command = Command::kMigrate; });
  migrate->footer(
      "Stops at the first failure (file, line, database error; nothing of that file remains).\n"
      "Refuses to run while an applied file has changed since it was applied.");

  CLI::App* migrations =
      database->add_subcommand("migrations", "List or apply individual migrations");
  migrations->require_subcommand(1);
  CLI::App* list =
      migrations->add_subcommand("list", "Show each migration: applied (when), pending or changed");
  list->add_flag("--json", o.json, "Print the list as JSON");
  list->callback([&] { o.command = Command::kList; });
  CLI::App* apply = migrations->add_subcommand("apply", "Apply one migration");
  apply
      ->add_option("--migration", o.migration,
                   "File name (001_initial.sql), name without .sql, or version")
      ->required();
  apply->add_flag(
      "--force", o.force,
      "Re-apply a migration that is already applied or changed, or apply one out of order");
  apply->add_flag("--json", o.json, "Print the result as JSON");
  apply->callback([&] { o.command = Command::kApply; });

  CLI::App* health = database->add_subcommand(
      "health",
      "Check connection, versions, extensions, tables, indexes, triggers, tenancy, migrations");
  health->add_flag("--json", o.json, "Print the report as JSON");
  health->callback([&] { o.command = Command::kHealth; });
  health->footer("Exit status 1 when anything is missing.");

  add_storage_commands(app, o.storage);

  CLI::App* test = app.add_subcommand("test", "Check that the configured storage works");
  test->require_subcommand(1);
  CLI::App* storage = test->add_subcommand(
      "storage",
      "Connection, vector search (HNSW speed-up and recall), tenant isolation (overhead, "
      "cross-tenant rows) and the bi-temporal graph, on scratch data that is removed afterwards");
  storage->add_option("--rows", o.test_storage.rows, "Vectors of the test tenant (and as many for others)")
      ->check(CLI::Range(100, 1000000));
  storage->add_option("--queries", o.test_storage.queries, "Searches per measurement")
      ->check(CLI::Range(10, 100000));
  storage->add_flag("--json", o.json, "Print the report as JSON");
  storage->callback([&] { o.command = Command::kTestStorage; });
  storage->footer("Exit status 1 when a check FAILED.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what());
    print_note("Run `llmspell --help` (or `llmspell COMMAND --help`) for usage.");
    return kExitUsage;
  }
  try {
    return run(o);
  } catch (const CliError& e) {
    print_error(e.what());
    if (!e.detail().empty()) print_note(e.detail());
    return kExitFailure;
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what());
    return kExitFailure;
  }
}
