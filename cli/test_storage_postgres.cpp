// `llmspell test storage` on PostgreSQL: temporary tables with llmspell_hnsw indexes inside one
// transaction that is rolled back at the end (a temporary table also dies with the session).
// Tenant isolation is what the schema uses: a row-level-security policy on
// tenant_id = current_setting('app.tenant_id', true) over an index partitioned by tenant_id.
// Superusers and BYPASSRLS roles are not subject to row-level security, so for them the searches
// run as a scratch role (created in the same transaction, so rolled back too); when it cannot be
// created, the policy's condition is written into the query instead, and the line says so.
// The clock is the server process's CPU time (/proc/PID/schedstat) when the server runs on this
// machine, else the wall clock.
#include <libpq-fe.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "errors.h"
#include "postgres_database.h"
#include "test_storage_probe.h"

namespace llmspell::cli::test_storage {
namespace {

constexpr const char* kBaseline = "llmspell_test_baseline";
constexpr const char* kShared = "llmspell_test_shared";
// Microseconds since 1970 as a timestamptz, exactly.
constexpr const char* kMicros =
    "('1970-01-01 00:00:00+00'::timestamptz + %s::bigint * interval '1 microsecond')";

// "$n". Built piecewise: "$" + std::to_string(n) trips GCC 12's -Wrestrict at -O3.
std::string placeholder(std::size_t n) {
  std::string s(1, '$');
  s += std::to_string(n);
  return s;
}

std::string micros(const std::string& param) {
  std::string s = kMicros;
  return s.replace(s.find("%s"), 2, param);
}

class Connection {
 public:
  explicit Connection(PGconn* c) : c_(c) {}
  PgResult exec(const std::string& sql, const std::vector<std::string>& params = {}) {
    std::vector<const char*> values;
    for (const std::string& p : params) values.push_back(p.c_str());
    PgResult r(PQexecParams(c_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                            values.data(), nullptr, nullptr, 0));
    check(r);
    return r;
  }
  void prepare(const std::string& name, const std::string& sql) {
    PgResult r(PQprepare(c_, name.c_str(), sql.c_str(), 1, nullptr));
    check(r);
  }
  PgResult run(const std::string& name, const std::string& param) {
    const char* values[] = {param.c_str()};
    PgResult r(PQexecPrepared(c_, name.c_str(), 1, values, nullptr, nullptr, 0));
    check(r);
    return r;
  }
  std::string scalar(const std::string& sql, const std::vector<std::string>& params = {}) {
    PgResult r = exec(sql, params);
    return PQntuples(r.get()) > 0 && !PQgetisnull(r.get(), 0, 0) ? PQgetvalue(r.get(), 0, 0) : "";
  }
  void quietly(const char* sql) noexcept { PQclear(PQexec(c_, sql)); }
  std::string quote_identifier(const std::string& name) {
    char* q = PQescapeIdentifier(c_, name.c_str(), name.size());
    std::string out = q ? q : name;
    PQfreemem(q);
    return out;
  }
  std::string quote_literal(const std::string& text) {
    char* q = PQescapeLiteral(c_, text.c_str(), text.size());
    std::string out = q ? q : "NULL";
    PQfreemem(q);
    return out;
  }
  PGconn* raw() { return c_; }

 private:
  void check(const PgResult& r) {
    ExecStatusType s = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return;
    std::string message = r ? one_line(PQresultErrorMessage(r.get())) : "";
    if (message.empty()) message = one_line(PQerrorMessage(c_));
    const char* code = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
    if (code != nullptr) message += std::string(" (SQLSTATE ") + code + ")";
    throw CliError(message);
  }
  PGconn* c_;
};

class PostgresGraph : public GraphSession {
 public:
  explicit PostgresGraph(Connection& c) : c_(c) {}
  std::string add_entity(const std::string& id, const std::string& type, const std::string& name,
                         std::int64_t valid_from) override {
    return c_.scalar("SELECT graph_add_entity($1, $2, $3, '{}', " + micros("$4") + ")",
                     {id, type, name, std::to_string(valid_from)});
  }
  std::string rename_entity(const std::string& id, const std::string& name,
                            std::int64_t valid_from) override {
    return c_.scalar("SELECT graph_update_entity($1, NULL, $2, NULL, " + micros("$3") + ")",
                     {id, name, std::to_string(valid_from)});
  }
  void add_relationship(const std::string& id, const std::string& from, const std::string& to,
                        const std::string& type, std::int64_t valid_from,
                        std::optional<std::int64_t> valid_to) override {
    std::string end = valid_to ? micros(std::to_string(*valid_to)) : "'infinity'";
    c_.exec(
        "SELECT graph_add_relationship($1, $2, $3, $4, '{}', " + micros("$5") + ", " + end + ")",
        {id, from, to, type, std::to_string(valid_from)});
  }
  std::optional<std::string> name_at(const std::string& id, std::int64_t valid_at,
                                     const std::optional<std::string>& known_at,
                                     std::int64_t offset) override {
    std::vector<std::string> params{id, std::to_string(valid_at)};
    std::string tx;
    if (known_at) {
      params.push_back(*known_at);
      params.push_back(std::to_string(offset));
      tx = ", $3::timestamptz + $4::bigint * interval '1 microsecond'";
    }
    PgResult r =
        c_.exec("SELECT name FROM graph_get_entity($1, " + micros("$2") + tx + ")", params);
    if (PQntuples(r.get()) == 0) return std::nullopt;
    return std::string(PQgetvalue(r.get(), 0, 0));
  }
  std::vector<std::pair<std::string, int>> traverse(const std::string& start, int max_depth,
                                                    std::int64_t valid_at) override {
    PgResult r = c_.exec(
        "SELECT entity_id, depth FROM graph_traverse(ARRAY[$1], $2::integer, "
        "NULL, 'out', 1000, " +
            micros("$3") + ")",
        {start, std::to_string(max_depth), std::to_string(valid_at)});
    std::vector<std::pair<std::string, int>> out;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      out.emplace_back(PQgetvalue(r.get(), i, 0), std::stoi(PQgetvalue(r.get(), i, 1)));
    return out;
  }
  int history_length(const std::string& id) override {
    return std::stoi(c_.scalar("SELECT count(*) FROM graph_entity_history($1)", {id}));
  }

 private:
  Connection& c_;
};

class PostgresProbe : public StorageProbe {
 public:
  explicit PostgresProbe(std::unique_ptr<Database> db)
      : owner_(std::move(db)), c_(dynamic_cast<PostgresDatabase&>(*owner_).handle()) {
    schedstat_ = "/proc/" + std::to_string(PQbackendPID(c_.raw())) + "/schedstat";
    // The server's process is ours to read only when it runs here (a local socket or address).
    std::ifstream comm("/proc/" + std::to_string(PQbackendPID(c_.raw())) + "/comm");
    std::string name;
    server_cpu_ = comm && std::getline(comm, name) && name.rfind("postgres", 0) == 0 &&
                  std::ifstream(schedstat_).good();
  }
  ~PostgresProbe() override { cleanup(); }

  std::string connection_label() const override { return "PostgreSQL connection"; }
  std::string connection_details() override {
    return owner_->target() + ", PostgreSQL " + c_.scalar("SHOW server_version");
  }

  void load(const TestData& data, const Progress& progress) override {
    std::string schema = c_.scalar(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'llmspell'");
    if (schema.empty()) {
      throw CliError(
          "the llmspell extension is not installed in this database (CREATE EXTENSION llmspell "
          "SCHEMA llmspell, which `llmspell database migrate` runs)");
    }
    for (const auto& q : data.queries) queries_.push_back(vector_text(q));
    const std::string ext = c_.quote_identifier(schema);
    c_.exec("BEGIN");
    open_ = true;
    c_.exec("SET LOCAL search_path = pg_temp, " + ext + ", public");
    c_.exec("SET LOCAL client_min_messages = warning");
    c_.exec(std::string("CREATE TEMP TABLE ") + kBaseline +
            " (id bigint PRIMARY KEY, embedding vector(" + std::to_string(kVectorDimensions) +
            ") NOT NULL) ON COMMIT DROP");
    c_.exec(std::string("CREATE TEMP TABLE ") + kShared +
            " (id bigint PRIMARY KEY, tenant_id text NOT NULL, embedding vector(" +
            std::to_string(kVectorDimensions) + ") NOT NULL) ON COMMIT DROP");
    progress("loading " + std::to_string(data.tenant_rows.size() + data.other_rows.size()) +
             " rows");
    insert(kBaseline, data.tenant_rows, false);
    insert(kShared, data.tenant_rows, true);
    insert(kShared, data.other_rows, true);
    progress("building the HNSW indexes");
    const std::string with = " WITH (m = " + std::to_string(kM) +
                             ", ef_construction = " + std::to_string(kEfConstruction) + ")";
    c_.exec(std::string("CREATE INDEX ON ") + kBaseline +
            " USING llmspell_hnsw (embedding vector_cosine_ops)" + with);
    c_.exec(std::string("CREATE INDEX ON ") + kShared +
            " USING llmspell_hnsw (embedding vector_cosine_ops, tenant_id)" + with);
    c_.exec(std::string("ANALYZE ") + kBaseline);
    c_.exec(std::string("ANALYZE ") + kShared);
    c_.exec(std::string("ALTER TABLE ") + kShared + " ENABLE ROW LEVEL SECURITY");
    c_.exec(std::string("ALTER TABLE ") + kShared + " FORCE ROW LEVEL SECURITY");
    c_.exec(std::string("CREATE POLICY tenant_select ON ") + kShared +
            " FOR SELECT USING (tenant_id = current_setting('app.tenant_id', true))");
    std::string predicate;
    if (c_.scalar("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user") ==
        "t") {
      predicate = become_scratch_role(ext);
    } else {
      isolation_ =
          "row-level security as " + std::string(PQuser(c_.raw())) + " on a per-tenant index";
    }
    c_.exec("SELECT set_config('app.tenant_id', $1, true)", {data.tenant});
    c_.exec("SET LOCAL llmspell.hnsw_ef_search = " + std::to_string(kEfSearch));
    const std::string order =
        " ORDER BY embedding <=> $1::vector LIMIT " + std::to_string(kNeighbours);
    c_.prepare("llmspell_index", std::string("SELECT id FROM ") + kBaseline + order);
    // A function call instead of the operator: the planner cannot use the index for it.
    c_.prepare("llmspell_exact", std::string("SELECT id FROM ") + kBaseline +
                                     " ORDER BY cosine_distance(embedding, $1::vector) LIMIT " +
                                     std::to_string(kNeighbours));
    c_.prepare("llmspell_tenant_ids", std::string("SELECT id FROM ") + kShared + predicate + order);
    c_.prepare("llmspell_tenant_rows",
               std::string("SELECT id, tenant_id FROM ") + kShared + predicate + order);
    for (const char* name : {"llmspell_index", "llmspell_tenant_ids"}) {
      PgResult r = c_.exec(std::string("EXPLAIN (COSTS OFF) EXECUTE ") + name + "(" +
                           c_.quote_literal(queries_.at(0)) + ")");
      std::string plan;
      for (int i = 0; i < PQntuples(r.get()); ++i)
        plan += std::string(i ? "; " : "") + PQgetvalue(r.get(), i, 0);
      if (plan.find("Index Scan") == std::string::npos)
        throw CliError(std::string("the search does not use the llmspell_hnsw index: ") + plan);
    }
  }

  std::vector<std::int64_t> search_index(int q) override { return ids("llmspell_index", q); }
  std::vector<std::int64_t> search_exact(int q) override { return ids("llmspell_exact", q); }
  std::vector<Hit> search_as_tenant(int q, bool with_tenant) override {
    PgResult r =
        c_.run(with_tenant ? "llmspell_tenant_rows" : "llmspell_tenant_ids", queries_.at(q));
    std::vector<Hit> out;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      out.push_back(
          {std::stoll(PQgetvalue(r.get(), i, 0)), with_tenant ? PQgetvalue(r.get(), i, 1) : ""});
    return out;
  }
  std::string isolation() const override { return isolation_; }

  double clock() override {
    if (server_cpu_) {
      std::ifstream in(schedstat_);
      unsigned long long ns = 0;
      if (in >> ns) return static_cast<double>(ns) * 1e-9;
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  std::string clock_name() const override { return server_cpu_ ? "server CPU time" : "wall time"; }

  void with_graph(const std::string& tenant,
                  const std::function<void(GraphSession&)>& body) override {
    std::string schema = c_.scalar(
        "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relname = 'graph_entities' AND c.relkind IN ('r', 'p') "
        "ORDER BY n.nspname = 'llmspell' DESC LIMIT 1");
    std::string ext = c_.scalar(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'llmspell'");
    if (schema.empty() || ext.empty()) {
      throw CliError(schema.empty()
                         ? "the graph tables are missing (run `llmspell database migrate`)"
                         : "the llmspell extension is not installed in this database");
    }
    c_.exec("BEGIN");
    open_ = true;
    try {
      c_.exec("SET LOCAL search_path = " + c_.quote_identifier(schema) + ", " +
              c_.quote_identifier(ext) + ", public");
      c_.exec("SELECT set_config('app.tenant_id', $1, true)", {tenant});
      PostgresGraph graph(c_);
      body(graph);
    } catch (...) {
      cleanup();
      throw;
    }
    cleanup();
  }

  void cleanup() noexcept override {
    if (!open_) return;
    open_ = false;
    // Everything the probe created (tables, indexes, the scratch role, graph rows) goes with it.
    c_.quietly("ROLLBACK");
    c_.quietly("DEALLOCATE ALL");
  }

 private:
  void insert(const char* table, const std::vector<Row>& rows, bool with_tenant) {
    constexpr std::size_t kBatch = 250;
    for (std::size_t at = 0; at < rows.size(); at += kBatch) {
      std::string sql = std::string("INSERT INTO ") + table +
                        (with_tenant ? " (id, tenant_id, embedding)" : " (id, embedding)") +
                        " VALUES ";
      std::vector<std::string> params;
      for (std::size_t i = at; i < rows.size() && i < at + kBatch; ++i) {
        const Row& r = rows[i];
        sql += i == at ? "(" : ", (";
        sql += std::to_string(r.id) + ", ";
        if (with_tenant) {
          params.push_back(r.tenant);
          sql += placeholder(params.size()) + ", ";
        }
        params.push_back(vector_text(r.embedding));
        sql += placeholder(params.size()) + "::vector)";
      }
      c_.exec(sql, params);
    }
  }

  // For a session row-level security does not apply to: a role it does apply to, or the
  // policy's condition written out (returned, to append to the searches).
  std::string become_scratch_role(const std::string& ext) {
    const std::string role = "llmspell_test_storage_" + std::to_string(getpid());
    c_.exec("SAVEPOINT llmspell_scratch_role");
    try {
      c_.exec("CREATE ROLE " + role + " NOLOGIN NOSUPERUSER NOBYPASSRLS");
      c_.exec("GRANT USAGE ON SCHEMA " + ext + " TO " + role);
      c_.exec(std::string("GRANT SELECT ON ") + kBaseline + ", " + kShared + " TO " + role);
      c_.exec("SET LOCAL ROLE " + role);
      c_.exec("RELEASE llmspell_scratch_role");
      isolation_ = "row-level security (a scratch role: " + std::string(PQuser(c_.raw())) +
                   " bypasses it) on a per-tenant index";
      return "";
    } catch (const CliError&) {
      c_.exec("ROLLBACK TO llmspell_scratch_role");
      isolation_ = "the policy's condition in the query (" + std::string(PQuser(c_.raw())) +
                   " bypasses row-level security) on a per-tenant index";
      return " WHERE tenant_id = current_setting('app.tenant_id', true)";
    }
  }

  std::vector<std::int64_t> ids(const char* statement, int q) {
    PgResult r = c_.run(statement, queries_.at(q));
    std::vector<std::int64_t> out;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      out.push_back(std::stoll(PQgetvalue(r.get(), i, 0)));
    return out;
  }

  std::unique_ptr<Database> owner_;
  Connection c_;
  std::vector<std::string> queries_;
  std::string isolation_;
  std::string schedstat_;
  bool server_cpu_ = false;
  bool open_ = false;
};

}  // namespace

std::unique_ptr<StorageProbe> make_postgres_probe(std::unique_ptr<Database> db) {
  return std::make_unique<PostgresProbe>(std::move(db));
}

}  // namespace llmspell::cli::test_storage
