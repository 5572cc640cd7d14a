// GraphApi over the two databases, for the oracle and the golden scenarios: SQLite through the
// module's functions on an in-memory database, PostgreSQL through libpq (graph_* functions in
// the database named by the usual PG* environment variables). Rows are rendered as the model
// renders them (times as integers, "inf" for an open end).
#pragma once

#include <libpq-fe.h>
#include <sqlite3.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "temporal_model.h"

namespace llmspell::temporal::testing {

inline std::optional<ErrorKind> kind_of_sqlstate(const std::string& code) {
  if (code == "22023") return ErrorKind::kInvalidArgument;
  if (code == "P0002") return ErrorKind::kNotFound;
  if (code == "23505") return ErrorKind::kAlreadyExists;
  if (code == "23503") return ErrorKind::kMissingEndpoint;
  if (code == "42501") return ErrorKind::kNoTenant;
  if (code == "23P01") return ErrorKind::kConflict;
  return std::nullopt;
}

inline std::string read_file(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A parameter: NULL, text, or an integer time.
struct Param {
  enum { kNull, kText, kTime } kind = kNull;
  std::string text;
  Micros time = 0;
};
inline Param p(const std::string& s) { return {Param::kText, s, 0}; }
inline Param p(const char* s) { return {Param::kText, s, 0}; }
inline Param p(std::optional<std::string> s) { return s ? p(*s) : Param{}; }
inline Param p(Micros t) { return {Param::kTime, {}, t}; }
inline Param p(std::optional<Micros> t) { return t ? p(*t) : Param{}; }
inline Param p(std::int64_t n, bool) { return {Param::kTime, {}, n}; }

inline std::string types_json(const std::vector<std::string>& types) {
  return json::string_array(types);
}

class SqliteApi : public GraphApi {
 public:
  // On a new in-memory database, or a connection to the database file `path` (the graph
  // tables are created unless they exist).
  explicit SqliteApi(const std::string& tenant, const std::string& path = ":memory:") {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("open " + path);
    sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, nullptr);
    char* err = nullptr;
    if (sqlite3_load_extension(db_, LLMSPELL_SQLITE_MODULE_PATH, nullptr, &err) != SQLITE_OK)
      throw std::runtime_error(err ? err : "load");
    if (query("SELECT 1 FROM sqlite_schema WHERE name = 'graph_entities'", {}).empty())
      exec(read_file(LLMSPELL_GRAPH_SQLITE_SCHEMA));
    set_tenant(tenant);
  }
  SqliteApi(const SqliteApi&) = delete;
  // The read functions keep prepared statements for the connection: closing must still work.
  ~SqliteApi() override { EXPECT_EQ(sqlite3_close(db_), SQLITE_OK) << sqlite3_errmsg(db_); }

  sqlite3* db() { return db_; }
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string why = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error(why);
    }
  }
  void set_tenant(const std::optional<std::string>& tenant) {
    query("SELECT llmspell_set_tenant(?)", {p(tenant)});
  }

  // Rows as '|'-joined text; the error message (if any) in `error`.
  std::vector<std::string> query(const std::string& sql, const std::vector<Param>& params,
                                 std::string* error = nullptr) {
    std::vector<std::string> rows;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    for (std::size_t i = 0; i < params.size(); ++i) {
      int n = static_cast<int>(i + 1);
      if (params[i].kind == Param::kText)
        sqlite3_bind_text(st, n, params[i].text.c_str(), -1, SQLITE_TRANSIENT);
      else if (params[i].kind == Param::kTime)
        sqlite3_bind_int64(st, n, params[i].time);
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::string line;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        if (c) line += "|";
        if (sqlite3_column_type(st, c) == SQLITE_INTEGER)
          line += time_text(sqlite3_column_int64(st, c));
        else if (sqlite3_column_type(st, c) != SQLITE_NULL)
          line += reinterpret_cast<const char*>(sqlite3_column_text(st, c));
      }
      rows.push_back(line);
    }
    if (rc != SQLITE_DONE) {
      std::string why = sqlite3_errmsg(db_);
      sqlite3_finalize(st);
      if (!error) throw std::runtime_error(sql + ": " + why);
      *error = why;
      return {};
    }
    sqlite3_finalize(st);
    return rows;
  }

  Outcome write(const std::string& call, const std::vector<Param>& params) {
    std::string error;
    auto rows = query("SELECT " + call, params, &error);
    Outcome o;
    if (!error.empty()) {
      auto at = error.find("): [");
      o.error = at == std::string::npos ? std::nullopt : kind_of_sqlstate(error.substr(at + 4, 5));
      if (!o.error) throw std::runtime_error(error);
      return o;
    }
    if (!rows.at(0).empty()) o.tx = std::stoll(rows[0]);
    return o;
  }

  Outcome add_entity(const std::string& id, const std::string& type, const std::string& name,
                     const std::string& props, std::optional<Micros> from, Micros to) override {
    return write("graph_add_entity(?, ?, ?, ?, ?, ?)",
                 {p(id), p(type), p(name), p(props), p(from), p(to)});
  }
  Outcome update_entity(const std::string& id, std::optional<std::string> type,
                        std::optional<std::string> name, std::optional<std::string> props,
                        std::optional<Micros> from, Micros to) override {
    return write("graph_update_entity(?, ?, ?, ?, ?, ?)",
                 {p(id), p(type), p(name), p(props), p(from), p(to)});
  }
  Outcome end_entity(const std::string& id, std::optional<Micros> at) override {
    return write("graph_end_entity(?, ?)", {p(id), p(at)});
  }
  Outcome retract_entity(const std::string& id) override {
    return write("graph_retract_entity(?)", {p(id)});
  }
  Outcome add_relationship(const std::string& id, const std::string& f, const std::string& t,
                           const std::string& type, const std::string& props,
                           std::optional<Micros> from, Micros to) override {
    return write("graph_add_relationship(?, ?, ?, ?, ?, ?, ?)",
                 {p(id), p(f), p(t), p(type), p(props), p(from), p(to)});
  }
  Outcome update_relationship(const std::string& id, std::optional<std::string> type,
                              std::optional<std::string> props, std::optional<Micros> from,
                              Micros to) override {
    return write("graph_update_relationship(?, ?, ?, ?, ?)",
                 {p(id), p(type), p(props), p(from), p(to)});
  }
  Outcome end_relationship(const std::string& id, std::optional<Micros> at) override {
    return write("graph_end_relationship(?, ?)", {p(id), p(at)});
  }
  Outcome retract_relationship(const std::string& id) override {
    return write("graph_retract_relationship(?)", {p(id)});
  }
  std::int64_t compact_history(Micros before) override {
    return std::stoll(query("SELECT graph_compact_history(?)", {p(before)}).at(0));
  }
  std::vector<std::string> get_entity(const std::string& id, const AsOf& at) override {
    return query("SELECT * FROM graph_get_entity(?, ?, ?)", {p(id), p(at.valid), p(at.tx)});
  }
  std::vector<std::string> entity_history(const std::string& id) override {
    return query("SELECT * FROM graph_entity_history(?)", {p(id)});
  }
  std::vector<std::string> query_entities(std::optional<std::string> type,
                                          std::optional<std::string> filter,
                                          const AsOf& at) override {
    return query("SELECT * FROM graph_query_entities(?, ?, ?, ?)",
                 {p(type), p(filter), p(at.valid), p(at.tx)});
  }
  std::vector<std::string> neighbours(const std::string& id, Direction d,
                                      const std::vector<std::string>& types,
                                      const AsOf& at) override {
    return query(
        "SELECT relationship_id, relationship_type, direction, neighbour_id"
        " FROM graph_neighbours(?, ?, ?, ?, ?)",
        {p(id), p(direction_name(d)), types.empty() ? Param{} : p(types_json(types)), p(at.valid),
         p(at.tx)});
  }
  std::vector<std::string> traverse(const std::vector<std::string>& starts, int depth, Direction d,
                                    const std::vector<std::string>& types, std::int64_t max_nodes,
                                    const AsOf& at) override {
    return query(
        "SELECT g.entity_id, g.depth,"
        " (SELECT coalesce(group_concat(value, '>'), '') FROM json_each(g.path)),"
        " (SELECT coalesce(group_concat(value, '>'), '') FROM json_each(g.relationships)),"
        " CASE g.truncated WHEN 1 THEN 't' ELSE 'f' END"
        " FROM graph_traverse(?, ?, ?, ?, ?, ?, ?) AS g",
        {p(types_json(starts)), p(std::int64_t{depth}, true),
         types.empty() ? Param{} : p(types_json(types)), p(direction_name(d)), p(max_nodes, true),
         p(at.valid), p(at.tx)});
  }

 private:
  sqlite3* db_ = nullptr;
};

// Time parameters travel as text microseconds; pg_temp helpers convert both ways exactly.
class PgApi : public GraphApi {
 public:
  PgApi(const std::string& conninfo, const std::string& tenant) {
    conn_ = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_));
    run("SET client_min_messages = warning", {});
    run("CREATE FUNCTION pg_temp.us(bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$"
        " SELECT CASE WHEN $1 = 9223372036854775807 THEN 'infinity'::timestamptz"
        " WHEN $1 = 9223372036854775806 THEN 'infinity'::timestamptz"
        " ELSE 'epoch'::timestamptz + make_interval(secs => 0) + ($1 / 1000000) * interval '1 "
        "second'"
        " + ($1 % 1000000) * interval '1 microsecond' END $$",
        {});
    run("CREATE FUNCTION pg_temp.ts(timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$"
        " SELECT CASE WHEN $1 = 'infinity' THEN 'inf'"
        " ELSE (extract(epoch FROM $1) * 1000000)::bigint::text END $$",
        {});
    set_tenant(tenant);
  }
  PgApi(const PgApi&) = delete;
  ~PgApi() override { PQfinish(conn_); }

  void set_tenant(const std::optional<std::string>& tenant) {
    run("SELECT set_config('app.tenant_id', coalesce($1, ''), false)", {p(tenant)});
  }

  std::vector<std::string> run(const std::string& sql, const std::vector<Param>& params,
                               std::string* sqlstate = nullptr) {
    std::vector<std::string> values;
    std::vector<const char*> ptrs;
    for (auto& q : params)
      values.push_back(q.kind == Param::kTime ? std::to_string(q.time) : q.text);
    for (std::size_t i = 0; i < params.size(); ++i)
      ptrs.push_back(params[i].kind == Param::kNull ? nullptr : values[i].c_str());
    PGresult* r = PQexecParams(conn_, sql.c_str(), static_cast<int>(ptrs.size()), nullptr,
                               ptrs.data(), nullptr, nullptr, 0);
    std::vector<std::string> rows;
    auto status = PQresultStatus(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      std::string why = PQresultErrorMessage(r);
      const char* code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      std::string c = code ? code : "";
      PQclear(r);
      if (!sqlstate) throw std::runtime_error(sql + ": " + why);
      *sqlstate = c.empty() ? "?" : c;
      return {};
    }
    for (int i = 0; i < PQntuples(r); ++i) {
      std::string line;
      for (int c = 0; c < PQnfields(r); ++c) {
        if (c) line += "|";
        if (!PQgetisnull(r, i, c)) line += PQgetvalue(r, i, c);
      }
      rows.push_back(line);
    }
    PQclear(r);
    return rows;
  }

  Outcome write(const std::string& call, const std::vector<Param>& params) {
    std::string code;
    auto rows = run("SELECT pg_temp.ts(" + call + ")", params, &code);
    Outcome o;
    if (!code.empty()) {
      o.error = kind_of_sqlstate(code);
      if (!o.error) throw std::runtime_error(call + ": unexpected SQLSTATE " + code);
      return o;
    }
    if (!rows.at(0).empty()) o.tx = std::stoll(rows[0]);
    return o;
  }

  static constexpr const char* kT = "pg_temp.us($%d::bigint)";
  Outcome add_entity(const std::string& id, const std::string& type, const std::string& name,
                     const std::string& props, std::optional<Micros> from, Micros to) override {
    return write(
        "graph_add_entity($1, $2, $3, $4::jsonb, pg_temp.us($5::bigint), pg_temp.us($6::bigint))",
        {p(id), p(type), p(name), p(props), p(from), p(to)});
  }
  Outcome update_entity(const std::string& id, std::optional<std::string> type,
                        std::optional<std::string> name, std::optional<std::string> props,
                        std::optional<Micros> from, Micros to) override {
    return write(
        "graph_update_entity($1, $2, $3, $4::jsonb, pg_temp.us($5::bigint), "
        "pg_temp.us($6::bigint))",
        {p(id), p(type), p(name), p(props), p(from), p(to)});
  }
  Outcome end_entity(const std::string& id, std::optional<Micros> at) override {
    return write("graph_end_entity($1, pg_temp.us($2::bigint))", {p(id), p(at)});
  }
  Outcome retract_entity(const std::string& id) override {
    return write("graph_retract_entity($1)", {p(id)});
  }
  Outcome add_relationship(const std::string& id, const std::string& f, const std::string& t,
                           const std::string& type, const std::string& props,
                           std::optional<Micros> from, Micros to) override {
    return write(
        "graph_add_relationship($1, $2, $3, $4, $5::jsonb, pg_temp.us($6::bigint), "
        "pg_temp.us($7::bigint))",
        {p(id), p(f), p(t), p(type), p(props), p(from), p(to)});
  }
  Outcome update_relationship(const std::string& id, std::optional<std::string> type,
                              std::optional<std::string> props, std::optional<Micros> from,
                              Micros to) override {
    return write(
        "graph_update_relationship($1, $2, $3::jsonb, pg_temp.us($4::bigint), "
        "pg_temp.us($5::bigint))",
        {p(id), p(type), p(props), p(from), p(to)});
  }
  Outcome end_relationship(const std::string& id, std::optional<Micros> at) override {
    return write("graph_end_relationship($1, pg_temp.us($2::bigint))", {p(id), p(at)});
  }
  Outcome retract_relationship(const std::string& id) override {
    return write("graph_retract_relationship($1)", {p(id)});
  }
  std::int64_t compact_history(Micros before) override {
    return std::stoll(
        run("SELECT graph_compact_history(pg_temp.us($1::bigint))", {p(before)}).at(0));
  }
  static constexpr const char* kPointColumns =
      "entity_id, entity_type, name, properties, pg_temp.ts(valid_time_start),"
      " pg_temp.ts(valid_time_end), pg_temp.ts(transaction_time_start)";
  std::vector<std::string> get_entity(const std::string& id, const AsOf& at) override {
    return run(std::string("SELECT ") + kPointColumns +
                   " FROM graph_get_entity($1, pg_temp.us($2::bigint), pg_temp.us($3::bigint))",
               {p(id), p(at.valid), p(at.tx)});
  }
  std::vector<std::string> entity_history(const std::string& id) override {
    return run(std::string("SELECT ") + kPointColumns +
                   ", pg_temp.ts(transaction_time_end) FROM graph_entity_history($1)",
               {p(id)});
  }
  std::vector<std::string> query_entities(std::optional<std::string> type,
                                          std::optional<std::string> filter,
                                          const AsOf& at) override {
    return run(std::string("SELECT ") + kPointColumns +
                   " FROM graph_query_entities($1, $2::jsonb, pg_temp.us($3::bigint),"
                   " pg_temp.us($4::bigint))",
               {p(type), p(filter), p(at.valid), p(at.tx)});
  }
  std::vector<std::string> neighbours(const std::string& id, Direction d,
                                      const std::vector<std::string>& types,
                                      const AsOf& at) override {
    return run(
        "SELECT relationship_id, relationship_type, direction, neighbour_id FROM graph_neighbours("
        "$1, $2, (SELECT array_agg(x) FROM jsonb_array_elements_text($3::jsonb) x),"
        " pg_temp.us($4::bigint), pg_temp.us($5::bigint))",
        {p(id), p(direction_name(d)), types.empty() ? Param{} : p(types_json(types)), p(at.valid),
         p(at.tx)});
  }
  std::vector<std::string> traverse(const std::vector<std::string>& starts, int depth, Direction d,
                                    const std::vector<std::string>& types, std::int64_t max_nodes,
                                    const AsOf& at) override {
    return run(
        "SELECT entity_id, depth, array_to_string(path, '>'), array_to_string(relationships, '>'),"
        " CASE WHEN truncated THEN 't' ELSE 'f' END FROM graph_traverse("
        "(SELECT array_agg(x) FROM jsonb_array_elements_text($1::jsonb) x), $2::int,"
        " (SELECT array_agg(x) FROM jsonb_array_elements_text($3::jsonb) x), $4, $5::int,"
        " pg_temp.us($6::bigint), pg_temp.us($7::bigint))",
        {p(types_json(starts)), p(std::int64_t{depth}, true),
         types.empty() ? Param{} : p(types_json(types)), p(direction_name(d)), p(max_nodes, true),
         p(at.valid), p(at.tx)});
  }

 private:
  PGconn* conn_ = nullptr;
};

}  // namespace llmspell::temporal::testing
