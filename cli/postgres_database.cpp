#include "postgres_database.h"

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>

#include "errors.h"
#include "health.h"
#include "output.h"
#include "redact.h"
#include "schema_manifest.h"
#include "sql_script.h"

namespace llmspell::cli {
namespace {

// pg_advisory_lock key serializing `llmspell database migrate` runs: "llmspell" in ASCII.
constexpr const char* kMigrationLockKey = "7812739796155329644";
constexpr const char* kAppRole = "llmspell_app";
const char* const kPolicies[] = {"tenant_select", "tenant_insert", "tenant_update",
                                 "tenant_delete"};

// The connection parameters: the connection string's, then the separate fields for what it
// leaves out, then the CLI's own defaults.
std::map<std::string, std::string> connection_parameters(const PostgresConfig& c) {
  std::map<std::string, std::string> params;
  if (!c.host.empty()) params["host"] = c.host;
  if (c.port) params["port"] = std::to_string(*c.port);
  if (!c.database.empty()) params["dbname"] = c.database;
  if (!c.username.empty()) params["user"] = c.username;
  if (!c.password.empty()) params["password"] = c.password;
  if (!c.connection_string.empty()) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(c.connection_string.c_str(), &error);
    if (options == nullptr) {
      std::string message = error != nullptr ? one_line(error) : "out of memory";
      PQfreemem(error);
      throw CliError(
          std::string("invalid PostgreSQL connection string") +
          (c.from_database_url ? " in DATABASE_URL" : " ([storage.postgresql] connection_string)") +
          ": " + message);
    }
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
      if (o->val != nullptr && o->val[0] != '\0') params[o->keyword] = o->val;
    }
    PQconninfoFree(options);
  }
  if (params.count("connect_timeout") == 0 && c.pool_timeout_seconds > 0) {
    params["connect_timeout"] = std::to_string(std::max(2, c.pool_timeout_seconds));
  }
  params.emplace("application_name", "llmspell");
  params["client_encoding"] = "UTF8";
  return params;
}

std::string field(const PGresult* r, int code) {
  const char* v = PQresultErrorField(r, code);
  return v == nullptr ? std::string() : std::string(v);
}

std::string value(const PgResult& r, int row, int column) {
  return PQgetisnull(r.get(), row, column) ? std::string()
                                           : std::string(PQgetvalue(r.get(), row, column));
}

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : separator) + s;
  return out;
}

}  // namespace

std::string one_line(const std::string& message) {
  std::string out;
  bool space = false;
  for (char c : message) {
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

PostgresDatabase::PostgresDatabase(const PostgresConfig& config)
    : app_password_(config.app_password) {
  std::map<std::string, std::string> params = connection_parameters(config);
  if (auto it = params.find("password"); it != params.end()) add_secret(it->second);
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : params) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = PQconnectdbParams(keys.data(), values.data(), 0);
  if (conn_ == nullptr) throw CliError("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = one_line(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw CliError("cannot connect to PostgreSQL: " + message);
  }
  // Server notices (CREATE ... IF NOT EXISTS "skipping" and the like) are not for the user.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  exec("SET client_min_messages = warning");
}

PostgresDatabase::~PostgresDatabase() {
  if (conn_ != nullptr) PQfinish(conn_);
}

std::string PostgresDatabase::target() const {
  std::string host = PQhost(conn_) != nullptr ? PQhost(conn_) : "";
  return std::string(PQuser(conn_)) + "@" + host + ":" + PQport(conn_) + "/" + PQdb(conn_);
}

PgResult PostgresDatabase::exec(const std::string& sql) { return exec(sql, {}); }

PgResult PostgresDatabase::exec(const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  for (const std::string& p : params) values.push_back(p.c_str());
  PgResult r(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                          values.empty() ? nullptr : values.data(), nullptr, nullptr, 0));
  ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string message = r ? field(r.get(), PG_DIAG_MESSAGE_PRIMARY) : "";
    if (message.empty()) message = one_line(PQerrorMessage(conn_));
    std::string state = r ? field(r.get(), PG_DIAG_SQLSTATE) : "";
    throw CliError("PostgreSQL: " + message + (state.empty() ? "" : " (SQLSTATE " + state + ")"));
  }
  return r;
}

std::string PostgresDatabase::scalar(const std::string& sql,
                                     const std::vector<std::string>& params) {
  PgResult r = exec(sql, params);
  return PQntuples(r.get()) > 0 ? value(r, 0, 0) : std::string();
}

std::vector<AppliedMigration> PostgresDatabase::applied_migrations() {
  std::vector<AppliedMigration> out;
  if (scalar("SELECT to_regclass('llmspell.schema_migrations') IS NOT NULL") != "t") return out;
  PgResult r = exec(
      "SELECT name, version, checksum, "
      "       to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', "
      "duration_ms "
      "FROM llmspell.schema_migrations ORDER BY version, name");
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    AppliedMigration a;
    a.name = value(r, i, 0);
    a.version = std::atoi(value(r, i, 1).c_str());
    a.checksum = value(r, i, 2);
    a.applied_at = value(r, i, 3);
    a.duration_ms = std::atoll(value(r, i, 4).c_str());
    out.push_back(std::move(a));
  }
  return out;
}

void PostgresDatabase::prepare_history() {
  exec("CREATE SCHEMA IF NOT EXISTS llmspell");
  exec(
      "CREATE TABLE IF NOT EXISTS llmspell.schema_migrations ("
      "  name        text PRIMARY KEY,"
      "  version     integer NOT NULL,"
      "  checksum    text NOT NULL,"
      "  applied_at  timestamptz NOT NULL DEFAULT now(),"
      "  duration_ms bigint NOT NULL)");
}

void PostgresDatabase::lock_migrations() {
  if (scalar(std::string("SELECT pg_try_advisory_lock(") + kMigrationLockKey + ")") == "t") return;
  print_note(
      "llmspell: waiting for another `llmspell database migrate` on this database to finish...");
  exec(std::string("SELECT pg_advisory_lock(") + kMigrationLockKey + ")");
}

void PostgresDatabase::unlock_migrations() {
  exec(std::string("SELECT pg_advisory_unlock(") + kMigrationLockKey + ")");
}

std::int64_t PostgresDatabase::apply(const Migration& m) {
  const std::string where_prefix = m.origin == "built-in" ? m.name : m.origin;
  std::vector<Statement> statements = split_statements(m.sql);
  for (const Statement& s : statements) {
    std::string keyword = transaction_keyword(s.text);
    if (!keyword.empty()) {
      throw CliError(
          "migration " + where_prefix + ":" + std::to_string(s.line) + " failed: " + keyword +
          " is not allowed in a migration file (each file runs in a transaction of its own)");
    }
  }
  auto start = std::chrono::steady_clock::now();
  exec("BEGIN");
  try {
    exec("SET LOCAL client_min_messages = warning");
    // The schema first, then wherever the llmspell extension lives (vector, its operator classes).
    exec(
        "SELECT set_config('search_path', 'llmspell' || coalesce((SELECT ', ' || "
        "quote_ident(n.nspname) "
        "  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "  WHERE e.extname = 'llmspell' AND n.nspname <> 'llmspell'), '') || ', public', true)");
    for (const Statement& s : statements) {
      std::string text(s.text);
      PgResult r(PQexec(conn_, text.c_str()));
      ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
      if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY)
        continue;
      int line = s.line;
      std::string message, detail;
      if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
        message = "COPY from or to the client is not supported in a migration file";
        PgResult discard;
        while ((discard = PgResult(PQgetResult(conn_)))) {
        }
      } else {
        std::string position = r ? field(r.get(), PG_DIAG_STATEMENT_POSITION) : "";
        if (!position.empty()) {
          line = line_of(m.sql,
                         s.offset + byte_offset_of_character(s.text, std::atoi(position.c_str())));
        }
        message = r ? field(r.get(), PG_DIAG_MESSAGE_PRIMARY) : "";
        if (message.empty()) message = one_line(PQerrorMessage(conn_));
        std::string state = r ? field(r.get(), PG_DIAG_SQLSTATE) : "";
        if (!state.empty()) message += " (SQLSTATE " + state + ")";
        for (auto [code, label] :
             {std::pair{PG_DIAG_MESSAGE_DETAIL, "DETAIL"}, std::pair{PG_DIAG_MESSAGE_HINT, "HINT"},
              std::pair{PG_DIAG_CONTEXT, "CONTEXT"}}) {
          std::string text_field = r ? field(r.get(), code) : "";
          if (!text_field.empty())
            detail +=
                (detail.empty() ? "  " : "\n  ") + std::string(label) + ": " + one_line(text_field);
        }
      }
      throw CliError(
          "migration " + where_prefix + ":" + std::to_string(line) + " failed: " + message, detail);
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    exec(
        "INSERT INTO llmspell.schema_migrations (name, version, checksum, applied_at, duration_ms) "
        "VALUES ($1, $2, $3, now(), $4) "
        "ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, checksum = "
        "EXCLUDED.checksum, "
        "  applied_at = EXCLUDED.applied_at, duration_ms = EXCLUDED.duration_ms",
        {m.name, std::to_string(m.version), m.checksum, std::to_string(ms)});
    try {
      exec("COMMIT");
    } catch (const CliError& e) {
      throw CliError("migration " + where_prefix + " failed at COMMIT: " + e.what());
    }
    return ms;
  } catch (...) {
    PgResult rollback(PQexec(conn_, "ROLLBACK"));
    throw;
  }
}

std::vector<std::string> PostgresDatabase::after_migrate() {
  std::vector<std::string> notes;
  if (scalar(
          "SELECT to_regprocedure('llmspell.event_log_create_partitions(integer)') IS NOT NULL") ==
      "t") {
    int created = std::atoi(scalar("SELECT llmspell.event_log_create_partitions(3)").c_str());
    if (created > 0) {
      notes.push_back("Created " + std::to_string(created) + " monthly event_log partition" +
                      (created == 1 ? "" : "s") + " ahead.");
    }
  }
  if (!app_password_.empty()) {
    if (scalar("SELECT count(*) FROM pg_roles WHERE rolname = $1", {kAppRole}) != "1") {
      notes.push_back(std::string("An application password is configured but role ") + kAppRole +
                      " does not exist yet.");
    } else {
      // The server receives a SCRAM verifier, never the password itself.
      char* verifier = PQencryptPasswordConn(conn_, app_password_.c_str(), kAppRole, nullptr);
      if (verifier == nullptr) {
        throw CliError("cannot encrypt the password of " + std::string(kAppRole) + ": " +
                       one_line(PQerrorMessage(conn_)));
      }
      char* literal = PQescapeLiteral(conn_, verifier, std::char_traits<char>::length(verifier));
      PQfreemem(verifier);
      if (literal == nullptr) {
        throw CliError("cannot quote the password verifier: " + one_line(PQerrorMessage(conn_)));
      }
      std::string sql = std::string("ALTER ROLE ") + kAppRole + " LOGIN PASSWORD " + literal;
      PQfreemem(literal);
      exec(sql);
      notes.push_back(
          std::string(kAppRole) +
          ": LOGIN, password set (LLMSPELL_APP_PASSWORD or [storage.postgresql] app_password).");
    }
  }
  return notes;
}

bool PostgresDatabase::check_health(HealthReport& report, const Config& config) {
  const std::vector<TableManifest>& manifest = schema_manifest(Backend::kPostgres);
  PgResult who = exec("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user");
  std::string as;
  if (PQntuples(who.get()) == 1 && (value(who, 0, 0) == "t" || value(who, 0, 1) == "t")) {
    as = value(who, 0, 0) == "t" ? ", superuser" : ", BYPASSRLS";
    as += ": row-level security does not apply to this session";
  }
  report.add("connection", "PostgreSQL connection", Level::kOk, "OK (" + target() + as + ")");

  int version_num = std::atoi(scalar("SHOW server_version_num").c_str());
  std::string version = scalar("SHOW server_version");
  version = version.substr(0, version.find(' '));
  report.add("version", "Database version", version_num >= 150000 ? Level::kOk : Level::kFailure,
             version + (version_num >= 150000 ? "" : " (llmspell needs PostgreSQL 15 or later)"));

  PgResult ext = exec(
      "SELECT w.name, e.extversion, n.nspname, a.default_version, a.name IS NOT NULL "
      "FROM unnest(ARRAY['llmspell', 'btree_gist', 'btree_gin']) WITH ORDINALITY AS w(name, ord) "
      "LEFT JOIN pg_available_extensions a ON a.name = w.name "
      "LEFT JOIN pg_extension e ON e.extname = w.name "
      "LEFT JOIN pg_namespace n ON n.oid = e.extnamespace ORDER BY w.ord");
  std::vector<std::string> present, problems;
  Level ext_level = Level::kOk;
  for (int i = 0; i < PQntuples(ext.get()); ++i) {
    std::string name = value(ext, i, 0), installed = value(ext, i, 1), schema = value(ext, i, 2),
                available = value(ext, i, 3);
    if (value(ext, i, 4) != "t") {
      problems.push_back(name + " is not installed on the server" +
                         (name == "llmspell" ? std::string(" (make install)")
                                             : std::string(" (postgresql-contrib)")));
      ext_level = Level::kFailure;
    } else if (installed.empty()) {
      problems.push_back(name + " missing in this database (CREATE EXTENSION " + name + ")");
      ext_level = Level::kFailure;
    } else {
      present.push_back(name + " " + installed +
                        (name == "llmspell" ? " (schema " + schema + ")" : ""));
      if (!available.empty() && available != installed) {
        problems.push_back(name + " " + available + " available (ALTER EXTENSION " + name +
                           " UPDATE)");
        if (ext_level == Level::kOk) ext_level = Level::kWarning;
      }
    }
  }
  {
    std::string message = join(present);
    if (!problems.empty()) message += (message.empty() ? "" : "; ") + join(problems, "; ");
    report.add("extensions", "Extensions", ext_level, message);
  }

  // Tables, indexes and triggers of the llmspell schema.
  std::set<std::string> tables, triggers;
  std::map<std::string, bool> indexes;  // name -> valid
  {
    PgResult r = exec(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'llmspell' AND c.relkind IN ('r', 'p')");
    for (int i = 0; i < PQntuples(r.get()); ++i) tables.insert(value(r, i, 0));
    r = exec(
        "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'llmspell'");
    for (int i = 0; i < PQntuples(r.get()); ++i) indexes[value(r, i, 0)] = value(r, i, 1) == "t";
    r = exec(
        "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'llmspell' AND NOT t.tgisinternal AND t.tgenabled <> 'D'");
    for (int i = 0; i < PQntuples(r.get()); ++i) triggers.insert(value(r, i, 0));
  }
  std::vector<std::string> missing_tables, missing_indexes, missing_triggers;
  int index_count = 0, trigger_count = 0;
  for (const TableManifest& t : manifest) {
    if (tables.count(t.name) == 0) missing_tables.push_back(t.name);
    for (const std::string& ix : t.indexes) {
      ++index_count;
      auto it = indexes.find(ix);
      if (it == indexes.end()) {
        missing_indexes.push_back(ix);
      } else if (!it->second) {
        missing_indexes.push_back(ix + " (invalid)");
      }
    }
    for (const std::string& tg : t.triggers) {
      ++trigger_count;
      if (triggers.count(tg) == 0) missing_triggers.push_back(tg);
    }
  }
  report.add_count("tables", "Tables", kTableCount, missing_tables, "present");
  report.add_count("indexes", "Indexes", index_count, missing_indexes, "present");
  report.add_count("triggers", "Triggers", trigger_count, missing_triggers, "present");

  // Row-level security: enabled, forced, and the four tenant policies, on every tenant table.
  {
    PgResult r = exec(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
        "       coalesce((SELECT array_to_string(array_agg(p.polname ORDER BY p.polname), ',') "
        "                 FROM pg_policy p WHERE p.polrelid = c.oid), '') "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'llmspell' AND c.relkind IN ('r', 'p')");
    std::map<std::string, std::string> problems_by_table;
    std::map<std::string, std::vector<std::string>> found;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      std::string name = value(r, i, 0);
      std::vector<std::string> issues;
      if (value(r, i, 1) != "t") issues.push_back("not enabled");
      if (value(r, i, 2) != "t") issues.push_back("not forced");
      std::string policies = "," + value(r, i, 3) + ",";
      for (const char* p : kPolicies) {
        if (policies.find(std::string(",") + p + ",") == std::string::npos)
          issues.push_back("no " + std::string(p));
      }
      if (!issues.empty()) problems_by_table[name] = join(issues);
      found[name];
    }
    std::vector<std::string> missing;
    for (const TableManifest& t : manifest) {
      if (found.count(t.name) == 0) {
        missing.push_back(t.name + " (no table)");
      } else if (problems_by_table.count(t.name) != 0) {
        missing.push_back(t.name + " (" + problems_by_table[t.name] + ")");
      }
    }
    Check& c = report.add_count("rls", "Row-level security", kTableCount, missing,
                                "tenant tables with RLS enabled, forced and 4 tenant policies",
                                config.postgresql.enable_rls ? Level::kFailure : Level::kWarning);
    (void)c;
  }

  // The application role.
  {
    PgResult r = exec("SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1",
                      {kAppRole});
    if (PQntuples(r.get()) == 0) {
      report.add("app_role", "Application role",
                 config.postgresql.enable_rls ? Level::kFailure : Level::kWarning,
                 std::string(kAppRole) + " does not exist (llmspell database migrate creates it)");
    } else {
      std::vector<std::string> issues;
      if (value(r, 0, 0) == "t") issues.push_back("is SUPERUSER");
      if (value(r, 0, 1) == "t") issues.push_back("has BYPASSRLS");
      PgResult owned = exec(
          "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE n.nspname = 'llmspell' AND c.relkind IN ('r', 'p') AND "
          "pg_get_userbyid(c.relowner) = $1",
          {kAppRole});
      for (int i = 0; i < PQntuples(owned.get()); ++i)
        issues.push_back("owns " + value(owned, i, 0));
      int granted = 0;
      for (const TableManifest& t : manifest) {
        if (tables.count(t.name) == 0) continue;
        if (scalar("SELECT has_table_privilege($1, $2, 'SELECT, INSERT, UPDATE, DELETE')",
                   {kAppRole, "llmspell." + t.name}) == "t") {
          ++granted;
        }
      }
      if (granted < kTableCount) {
        issues.push_back("DML on " + std::to_string(granted) + "/" + std::to_string(kTableCount) +
                         " tables");
      }
      std::string login =
          value(r, 0, 2) == "t"
              ? "LOGIN"
              : "NOLOGIN (grant it to a login role, or set LLMSPELL_APP_PASSWORD and migrate)";
      if (issues.empty()) {
        report.add("app_role", "Application role", Level::kOk,
                   std::string(kAppRole) + ": no superuser, no BYPASSRLS, owns no table, DML on " +
                       std::to_string(kTableCount) + "/" + std::to_string(kTableCount) +
                       " tables, " + login);
      } else {
        report.add("app_role", "Application role", Level::kFailure,
                   std::string(kAppRole) + ": " + join(issues));
      }
    }
  }

  // event_log partitions: a default one so no insert is refused, monthly ones ahead.
  if (tables.count("event_log") != 0) {
    PgResult r = exec(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' "
        "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'llmspell.event_log'::regclass ORDER BY c.relname");
    bool has_default = false;
    int monthly = 0;
    std::string last;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      if (value(r, i, 1) == "t") {
        has_default = true;
      } else {
        ++monthly;
        last = value(r, i, 0);
      }
    }
    std::string current =
        scalar("SELECT to_char(now() AT TIME ZONE 'UTC', '\"event_log_y\"YYYY\"m\"MM')");
    bool has_current =
        scalar("SELECT to_regclass('llmspell.' || $1) IS NOT NULL", {current}) == "t";
    std::string message = std::string(has_default ? "default" : "NO default partition") + " + " +
                          std::to_string(monthly) + " monthly" +
                          (last.empty() ? "" : " (latest " + last + ")");
    Level level = Level::kOk;
    if (!has_default) {
      level = Level::kFailure;
      message += ": inserts outside the monthly partitions are refused";
    } else if (!has_current) {
      level = Level::kWarning;
      message +=
          "; none for this month: rows go to the default partition (llmspell database migrate "
          "creates it)";
    }
    report.add("partitions", "Event log partitions", level, message);
  }
  return true;
}

}  // namespace llmspell::cli
