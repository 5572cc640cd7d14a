#include "config.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <toml.hpp>

#include "errors.h"
#include "redact.h"

namespace llmspell::cli {
namespace fs = std::filesystem;

std::string_view backend_name(Backend b) {
  switch (b) {
    case Backend::kMemory:
      return "memory";
    case Backend::kSqlite:
      return "sqlite";
    case Backend::kPostgres:
      return "postgresql";
  }
  return "?";
}

std::optional<Backend> parse_backend(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "memory") return Backend::kMemory;
  if (lower == "sqlite") return Backend::kSqlite;
  if (lower == "postgresql" || lower == "postgres") return Backend::kPostgres;
  return std::nullopt;
}

Environment process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

namespace {

// The first line of a toml11 message without its "[error] toml::function: " prefix.
std::string toml_message(const std::string& what) {
  std::string line = what.substr(0, what.find('\n'));
  if (line.rfind("[error] ", 0) == 0) line.erase(0, 8);
  if (line.rfind("toml::", 0) == 0) {
    std::size_t colon = line.find(": ");
    if (colon != std::string::npos) line.erase(0, colon + 2);
  }
  return line;
}

const char* type_name(const toml::value& v) {
  switch (v.type()) {
    case toml::value_t::boolean:
      return "a boolean";
    case toml::value_t::integer:
      return "an integer";
    case toml::value_t::floating:
      return "a float";
    case toml::value_t::string:
      return "a string";
    case toml::value_t::array:
      return "an array";
    case toml::value_t::table:
      return "a table";
    case toml::value_t::empty:
      return "empty";
    default:
      return "a date or time";
  }
}

// Reads the keys of one [storage...] table, with messages naming file, line and key.
class TableReader {
 public:
  TableReader(const toml::value& table, std::string section, const std::string& file,
              std::vector<std::string>& warnings)
      : table_(table), section_(std::move(section)), file_(file), warnings_(warnings) {}

  const toml::value* get(const std::string& key) {
    seen_.insert(key);
    const auto& t = table_.as_table();
    auto it = t.find(key);
    return it == t.end() ? nullptr : &it->second;
  }

  [[noreturn]] void fail(const toml::value& v, const std::string& key, const std::string& what) {
    throw CliError(where(v) + "[" + section_ + "] " + key + " " + what);
  }

  std::optional<std::string> string(const std::string& key) {
    const toml::value* v = get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) fail(*v, key, std::string("must be a string, not ") + type_name(*v));
    return v->as_string().str;
  }

  std::optional<long long> integer(const std::string& key, long long min, long long max) {
    const toml::value* v = get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_integer()) fail(*v, key, std::string("must be an integer, not ") + type_name(*v));
    long long n = v->as_integer();
    if (n < min || n > max) {
      fail(*v, key,
           "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", not " +
               std::to_string(n));
    }
    return n;
  }

  std::optional<bool> boolean(const std::string& key) {
    const toml::value* v = get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_boolean()) {
      fail(*v, key, std::string("must be true or false, not ") + type_name(*v));
    }
    return v->as_boolean();
  }

  // Keys nobody asked for: warnings (a typo should not pass unnoticed, nor stop the program).
  void warn_unknown(const std::set<std::string>& subtables = {}) {
    for (const auto& [key, value] : table_.as_table()) {
      if (seen_.count(key) != 0 || subtables.count(key) != 0) continue;
      warnings_.push_back(where(value) + "unknown key [" + section_ + "] " + key + " (ignored)");
    }
  }

  std::string where(const toml::value& v) const {
    std::uint_least32_t line = v.location().line();
    return file_ + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": ";
  }

 private:
  const toml::value& table_;
  std::string section_;
  const std::string& file_;
  std::vector<std::string>& warnings_;
  std::set<std::string> seen_;
};

// A libpq connection string's password, for redaction: the decoded value and, for URLs, the raw
// text between ':' and '@' (which libpq's own error messages may quote).
void register_connection_secrets(const std::string& conninfo) {
  std::size_t scheme = conninfo.find("://");
  if (scheme != std::string::npos) {
    std::size_t start = scheme + 3;
    std::size_t end = conninfo.find_first_of("/?", start);
    std::string authority = conninfo.substr(start, end == std::string::npos ? end : end - start);
    std::size_t at = authority.rfind('@');
    if (at != std::string::npos) {
      std::string userinfo = authority.substr(0, at);
      std::size_t colon = userinfo.find(':');
      if (colon != std::string::npos) add_secret(userinfo.substr(colon + 1));
    }
  }
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return;
  }
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr && std::string_view(o->keyword) == "password") add_secret(o->val);
  }
  PQconninfoFree(options);
}

fs::path default_sqlite_path(const Environment& env) {
  if (auto data = env("XDG_DATA_HOME"); data && !data->empty()) {
    return fs::path(*data) / "llmspell" / "llmspell.db";
  }
  if (auto home = env("HOME"); home && !home->empty()) {
    return fs::path(*home) / ".local" / "share" / "llmspell" / "llmspell.db";
  }
  return fs::path("llmspell.db");
}

std::optional<fs::path> find_config_file(const CommandLine& args, const Environment& env) {
  auto must_exist = [](const std::string& path, const std::string& origin) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      throw CliError(origin + " " + path + ": " +
                     (fs::exists(path, ec) ? "not a regular file" : "no such file"));
    }
    return fs::path(path);
  };
  if (args.config_file) return must_exist(*args.config_file, "configuration file");
  if (auto file = env("LLMSPELL_CONFIG"); file && !file->empty()) {
    return must_exist(*file, "configuration file (LLMSPELL_CONFIG)");
  }
  std::error_code ec;
  if (fs::is_regular_file("config.toml", ec)) return fs::path("config.toml");
  fs::path user;
  if (auto xdg = env("XDG_CONFIG_HOME"); xdg && !xdg->empty()) {
    user = fs::path(*xdg) / "llmspell" / "config.toml";
  } else if (auto home = env("HOME"); home && !home->empty()) {
    user = fs::path(*home) / ".config" / "llmspell" / "config.toml";
  }
  if (!user.empty() && fs::is_regular_file(user, ec)) return user;
  return std::nullopt;
}

}  // namespace

void apply_config_text(Config& config, const std::string& text, const std::string& name,
                       const fs::path& base_dir) {
  toml::value root;
  try {
    std::istringstream in(text);
    root = toml::parse(in, name);
  } catch (const toml::exception& e) {
    std::uint_least32_t line = e.location().line();
    throw CliError(name + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " +
                   toml_message(e.what()));
  } catch (const std::exception& e) {
    throw CliError(name + ": " + toml_message(e.what()));
  }
  if (!root.contains("storage")) return;
  const toml::value& storage = root.at("storage");
  std::vector<std::string>& warnings = config.warnings;
  if (!storage.is_table()) {
    throw CliError(name + ":" + std::to_string(storage.location().line()) +
                   ": storage must be a table ([storage])");
  }
  TableReader s(storage, "storage", name, warnings);
  if (const toml::value* v = s.get("backend")) {
    auto text_value = s.string("backend");
    auto backend = parse_backend(*text_value);
    if (!backend) {
      s.fail(*v, "backend", "'" + *text_value + "' is not one of memory, sqlite, postgresql");
    }
    config.backend = *backend;
  }

  if (const toml::value* sq = s.get("sqlite")) {
    if (!sq->is_table()) s.fail(*sq, "sqlite", "must be a table ([storage.sqlite])");
    TableReader r(*sq, "storage.sqlite", name, warnings);
    if (const toml::value* pv = r.get("path")) {
      auto path = r.string("path");
      if (path->empty()) r.fail(*pv, "path", "must not be empty");
      fs::path p(*path);
      config.sqlite.path = p.is_absolute() ? p : base_dir / p;
    }
    if (auto module = r.string("extension")) config.sqlite.module = *module;
    r.warn_unknown();
  }

  if (const toml::value* pg = s.get("postgresql")) {
    if (!pg->is_table()) s.fail(*pg, "postgresql", "must be a table ([storage.postgresql])");
    TableReader r(*pg, "storage.postgresql", name, warnings);
    PostgresConfig& c = config.postgresql;
    if (auto v = r.string("connection_string")) c.connection_string = *v;
    if (auto v = r.string("host")) c.host = *v;
    if (auto v = r.integer("port", 1, 65535)) c.port = static_cast<int>(*v);
    if (auto v = r.string("database")) c.database = *v;
    if (auto v = r.string("username")) c.username = *v;
    if (auto v = r.string("password")) c.password = *v;
    if (auto v = r.integer("pool_size", 1, 10000)) c.pool_size = static_cast<int>(*v);
    if (auto v = r.integer("pool_timeout_seconds", 0, 86400)) {
      c.pool_timeout_seconds = static_cast<int>(*v);
    }
    if (auto v = r.integer("idle_timeout_seconds", 0, 31536000)) {
      c.idle_timeout_seconds = static_cast<int>(*v);
    }
    if (auto v = r.boolean("vector_search")) c.vector_search = *v;
    if (const toml::value* dv = r.get("dimension")) {
      auto d = r.integer("dimension", 1, 16000);
      if (std::find(std::begin(kDimensions), std::end(kDimensions), *d) == std::end(kDimensions)) {
        r.fail(*dv, "dimension",
               "must be one of 384, 768, 1536, 3072 (the embeddings tables), not " +
                   std::to_string(*d));
      }
      c.dimension = static_cast<int>(*d);
    }
    if (auto v = r.boolean("multi_tenant")) c.multi_tenant = *v;
    if (const toml::value* tv = r.get("tenant_id_column")) {
      auto column = r.string("tenant_id_column");
      if (*column != "tenant_id") {
        r.fail(*tv, "tenant_id_column",
               "'" + *column + "' is not supported: the schema's tenant column is tenant_id");
      }
      c.tenant_id_column = *column;
    }
    if (auto v = r.boolean("enable_rls")) c.enable_rls = *v;
    if (auto v = r.string("app_password")) c.app_password = *v;
    add_secret(c.password);
    add_secret(c.app_password);
    if (!c.connection_string.empty()) register_connection_secrets(c.connection_string);
    r.warn_unknown();
  }
  s.warn_unknown({"sqlite", "postgresql"});
}

void apply_database_url(Config& config, const std::string& url) {
  if (url.empty()) return;
  auto starts = [&](std::string_view prefix) { return url.rfind(prefix, 0) == 0; };
  if (starts("postgresql://") || starts("postgres://") ||
      (url.find("://") == std::string::npos && url.find('=') != std::string::npos)) {
    register_connection_secrets(url);
    PostgresConfig& c = config.postgresql;
    c.connection_string = url;
    c.host.clear();
    c.port.reset();
    c.database.clear();
    c.username.clear();
    c.password.clear();
    c.from_database_url = true;
    config.backend = Backend::kPostgres;
    return;
  }
  if (url == "memory" || url == "memory:" || url == "memory://" || url == "sqlite::memory:" ||
      url == "sqlite://:memory:") {
    config.backend = Backend::kMemory;
    return;
  }
  if (starts("sqlite:")) {
    std::string path = url.substr(starts("sqlite://") ? 9 : 7);
    if (path.empty()) throw CliError("DATABASE_URL: sqlite: needs a path (sqlite:PATH)");
    config.sqlite.path = path;
    config.backend = Backend::kSqlite;
    return;
  }
  std::size_t scheme = url.find(':');
  throw CliError("DATABASE_URL: unsupported scheme '" +
                 (scheme == std::string::npos ? url : url.substr(0, scheme)) +
                 "' (postgresql://..., sqlite:PATH or memory:)");
}

Config load_config(const CommandLine& args, const Environment& env) {
  Config config;
  config.sqlite.path = default_sqlite_path(env);
  if (auto file = find_config_file(args, env)) {
    std::ifstream in(*file, std::ios::binary);
    if (!in) throw CliError("configuration file " + file->string() + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    fs::path base = file->parent_path();
    apply_config_text(config, text.str(), file->string(), base.empty() ? fs::path(".") : base);
    config.file = *file;
  }
  if (auto url = env("DATABASE_URL")) apply_database_url(config, *url);
  if (auto pw = env("PGPASSWORD")) add_secret(*pw);
  if (auto pw = env("LLMSPELL_APP_PASSWORD"); pw && !pw->empty()) {
    add_secret(*pw);
    config.postgresql.app_password = *pw;
  }
  if (args.backend) {
    auto backend = parse_backend(*args.backend);
    if (!backend) {
      throw CliError("--backend: '" + *args.backend + "' is not one of memory, sqlite, postgresql");
    }
    config.backend = *backend;
  }
  if (args.migrations_dir) {
    config.migrations_dir = fs::path(*args.migrations_dir);
  } else if (auto dir = env("LLMSPELL_MIGRATIONS_DIR"); dir && !dir->empty()) {
    config.migrations_dir = fs::path(*dir);
  }
  return config;
}

}  // namespace llmspell::cli
