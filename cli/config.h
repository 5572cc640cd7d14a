// The CLI's configuration: config.toml's [storage] tables, DATABASE_URL and the command line.
//
// Precedence, lowest first: built-in defaults, the configuration file, DATABASE_URL, the command
// line (--backend, --migrations-dir). The file is --config FILE, else $LLMSPELL_CONFIG, else
// ./config.toml, else $XDG_CONFIG_HOME/llmspell/config.toml (~/.config/...), when present.
//
//   [storage]
//   backend = "sqlite"                 # memory | sqlite | postgresql
//   [storage.sqlite]
//   path = "llmspell.db"               # relative to the configuration file's directory
//   [storage.postgresql]
//   host, port, database, username, password, connection_string,
//   pool_size, pool_timeout_seconds, idle_timeout_seconds,
//   vector_search, dimension, multi_tenant, tenant_id_column, enable_rls,
//   app_password (for the application role llmspell_app; LLMSPELL_APP_PASSWORD overrides it)
//
// DATABASE_URL: postgresql://... (or postgres://, or libpq key=value) selects PostgreSQL and
// replaces the file's connection settings; sqlite:PATH selects SQLite; memory: the memory backend.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmspell::cli {

enum class Backend { kMemory, kSqlite, kPostgres };

// "memory", "sqlite", "postgresql".
std::string_view backend_name(Backend b);
// Accepts memory, sqlite, postgresql and postgres (any case).
std::optional<Backend> parse_backend(std::string_view text);

inline constexpr int kDimensions[] = {384, 768, 1536, 3072};

struct PostgresConfig {
  // Connection: connection_string (or DATABASE_URL) first; the separate fields fill in what it
  // leaves out. Unset fields fall back to libpq's defaults (PGHOST, PGPORT, ~/.pgpass, ...).
  std::string connection_string;
  std::string host;
  std::optional<int> port;
  std::string database;
  std::string username;
  std::string password;
  bool from_database_url = false;

  int pool_size = 10;
  int pool_timeout_seconds = 30;  // also the connect timeout of the CLI's own connection
  int idle_timeout_seconds = 600;
  bool vector_search = true;
  int dimension = 1536;
  bool multi_tenant = false;
  std::string tenant_id_column = "tenant_id";
  bool enable_rls = true;
  // The password `migrate` gives the application role llmspell_app (LLMSPELL_APP_PASSWORD wins).
  std::string app_password;
};

struct SqliteConfig {
  std::filesystem::path path;
  // The llmspell SQLite module; empty: found next to the program (see sqlite_database.h).
  std::filesystem::path module;
};

struct Config {
  Backend backend = Backend::kSqlite;
  SqliteConfig sqlite;
  PostgresConfig postgresql;
  std::optional<std::filesystem::path> file;  // the configuration file read, if any
  std::optional<std::filesystem::path> migrations_dir;
  std::vector<std::string> warnings;  // unknown keys and the like: printed, not fatal
};

struct CommandLine {
  std::optional<std::string> config_file;
  std::optional<std::string> backend;
  std::optional<std::string> migrations_dir;
};

// Looks up an environment variable; std::nullopt when unset.
using Environment = std::function<std::optional<std::string>(const std::string&)>;
Environment process_environment();

// Builds the configuration. Throws CliError with one line naming the file, line and key at fault.
// Registers every password it sees with redact.h.
Config load_config(const CommandLine& args, const Environment& env);

// Parses a configuration file's text (exposed for tests); `name` is used in messages and
// `base_dir` resolves a relative [storage.sqlite] path.
void apply_config_text(Config& config, const std::string& text, const std::string& name,
                       const std::filesystem::path& base_dir);

// Applies a DATABASE_URL value.
void apply_database_url(Config& config, const std::string& url);

}  // namespace llmspell::cli
