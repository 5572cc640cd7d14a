// `llmspell test storage` on SQLite (and the memory backend): llmspell_hnsw virtual tables in the
// connection's temp schema (dropped at the end, and gone with the connection anyway), searched
// through the index and with exact = 1; tenant isolation is the connection's tenant
// (llmspell_set_tenant) on a table with a tenant_id filter column. The clock is this thread's
// CPU time: SQLite runs inside the process.
#include <sqlite3.h>
#include <time.h>

#include "errors.h"
#include "sqlite_database.h"
#include "test_storage_probe.h"

namespace llmspell::cli::test_storage {
namespace {

constexpr const char* kBaseline = "temp.llmspell_test_baseline";
constexpr const char* kShared = "temp.llmspell_test_shared";

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
      throw CliError(std::string("SQLite: ") + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return *this;
  }
  Statement& bind(int i, const std::string& text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind_blob(int i, const std::string& bytes) {
    sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
    return *this;
  }
  Statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    std::string message = sqlite3_errmsg(db_);
    sqlite3_reset(stmt_);
    throw CliError("SQLite: " + message);
  }
  std::int64_t integer(int i) { return sqlite3_column_int64(stmt_, i); }
  std::string text(int i) {
    const unsigned char* t = sqlite3_column_text(stmt_, i);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  bool null(int i) { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    throw CliError("SQLite: " + message);
  }
}

class SqliteGraph : public GraphSession {
 public:
  explicit SqliteGraph(sqlite3* db) : db_(db) {}
  std::string add_entity(const std::string& id, const std::string& type, const std::string& name,
                         std::int64_t valid_from) override {
    Statement s(db_, "SELECT graph_add_entity(?, ?, ?, '{}', ?)");
    s.bind(1, id).bind(2, type).bind(3, name).bind(4, valid_from);
    s.step();
    return s.text(0);
  }
  std::string rename_entity(const std::string& id, const std::string& name,
                            std::int64_t valid_from) override {
    Statement s(db_, "SELECT graph_update_entity(?, NULL, ?, NULL, ?)");
    s.bind(1, id).bind(2, name).bind(3, valid_from);
    s.step();
    return s.text(0);
  }
  void add_relationship(const std::string& id, const std::string& from, const std::string& to,
                        const std::string& type, std::int64_t valid_from,
                        std::optional<std::int64_t> valid_to) override {
    Statement s(db_, "SELECT graph_add_relationship(?, ?, ?, ?, '{}', ?, ?)");
    s.bind(1, id).bind(2, from).bind(3, to).bind(4, type).bind(5, valid_from);
    if (valid_to) s.bind(6, *valid_to);
    s.step();
  }
  std::optional<std::string> name_at(const std::string& id, std::int64_t valid_at,
                                     const std::optional<std::string>& known_at,
                                     std::int64_t offset) override {
    Statement s(db_, "SELECT name FROM graph_get_entity(?, ?, ?)");
    s.bind(1, id).bind(2, valid_at);
    if (known_at) s.bind(3, static_cast<std::int64_t>(std::stoll(*known_at)) + offset);
    if (!s.step()) return std::nullopt;
    return s.text(0);
  }
  std::vector<std::pair<std::string, int>> traverse(const std::string& start, int max_depth,
                                                    std::int64_t valid_at) override {
    Statement s(db_, "SELECT entity_id, depth FROM graph_traverse(?, ?, NULL, 'out', 1000, ?)");
    s.bind(1, start).bind(2, static_cast<std::int64_t>(max_depth)).bind(3, valid_at);
    std::vector<std::pair<std::string, int>> out;
    while (s.step()) out.emplace_back(s.text(0), static_cast<int>(s.integer(1)));
    return out;
  }
  int history_length(const std::string& id) override {
    Statement s(db_, "SELECT count(*) FROM graph_entity_history(?)");
    s.bind(1, id);
    s.step();
    return static_cast<int>(s.integer(0));
  }

 private:
  sqlite3* db_;
};

class SqliteProbe : public StorageProbe {
 public:
  explicit SqliteProbe(std::unique_ptr<Database> db)
      : owner_(std::move(db)), db_(dynamic_cast<SqliteDatabase&>(*owner_).handle()) {}
  ~SqliteProbe() override { cleanup(); }

  std::string connection_label() const override {
    return owner_->backend() == Backend::kMemory ? "SQLite (memory) database" : "SQLite database";
  }
  std::string connection_details() override {
    Statement s(db_, "SELECT sqlite_version(), (SELECT count(*) FROM sqlite_master)");
    s.step();
    return owner_->target() + ", SQLite " + s.text(0) + ", llmspell module loaded, " + s.text(1) +
           " schema objects";
  }

  void load(const TestData& data, const Progress& progress) override {
    tenant_ = data.tenant;
    for (const auto& q : data.queries) queries_.push_back(vector_blob(q));
    const std::string options = "distance=cosine, m=" + std::to_string(kM) +
                                ", ef_construction=" + std::to_string(kEfConstruction) +
                                ", ef_search=" + std::to_string(kEfSearch) + ")";
    const std::string column = "embedding float[" + std::to_string(kVectorDimensions) + "] ";
    created_ = true;
    exec(db_, std::string("CREATE VIRTUAL TABLE ") + kBaseline + " USING llmspell_hnsw(" + column +
                  options);
    exec(db_, std::string("CREATE VIRTUAL TABLE ") + kShared + " USING llmspell_hnsw(" + column +
                  options.substr(0, options.size() - 1) + ", tenant_id text)");
    progress("building the HNSW indexes: " + std::to_string(data.tenant_rows.size()) +
             " baseline rows, " + std::to_string(data.tenant_rows.size() + data.other_rows.size()) +
             " shared rows");
    // One transaction per table: the index writes each graph node once, at the commit.
    exec(db_, "BEGIN");
    try {
      Statement base(db_,
                     std::string("INSERT INTO ") + kBaseline + " (rowid, embedding) VALUES (?, ?)");
      Statement shared(db_, std::string("INSERT INTO ") + kShared +
                                " (rowid, embedding, tenant_id) VALUES (?, ?, ?)");
      for (const Row& r : data.tenant_rows) {
        std::string blob = vector_blob(r.embedding);
        base.reset().bind(1, r.id).bind_blob(2, blob).step();
        shared.reset().bind(1, r.id).bind_blob(2, blob).bind(3, r.tenant).step();
      }
      for (const Row& r : data.other_rows) {
        std::string blob = vector_blob(r.embedding);
        shared.reset().bind(1, r.id).bind_blob(2, blob).bind(3, r.tenant).step();
      }
      exec(db_, "COMMIT");
    } catch (...) {
      exec(db_, "ROLLBACK");
      throw;
    }
    index_ = std::make_unique<Statement>(
        db_, std::string("SELECT rowid FROM ") + kBaseline +
                 " WHERE embedding MATCH ? AND k = " + std::to_string(kNeighbours));
    exact_ = std::make_unique<Statement>(db_, std::string("SELECT rowid FROM ") + kBaseline +
                                                  " WHERE embedding MATCH ? AND k = " +
                                                  std::to_string(kNeighbours) + " AND exact = 1");
    tenant_ids_ = std::make_unique<Statement>(
        db_, std::string("SELECT rowid FROM ") + kShared +
                 " WHERE embedding MATCH ? AND k = " + std::to_string(kNeighbours));
    tenant_rows_ = std::make_unique<Statement>(
        db_, std::string("SELECT rowid, tenant_id FROM ") + kShared +
                 " WHERE embedding MATCH ? AND k = " + std::to_string(kNeighbours));
    Statement set(db_, "SELECT llmspell_set_tenant(?)");
    set.bind(1, tenant_).step();
  }

  std::vector<std::int64_t> search_index(int q) override { return ids(*index_, q); }
  std::vector<std::int64_t> search_exact(int q) override { return ids(*exact_, q); }
  std::vector<Hit> search_as_tenant(int q, bool with_tenant) override {
    std::vector<Hit> out;
    if (!with_tenant) {
      for (std::int64_t id : ids(*tenant_ids_, q)) out.push_back({id, tenant_});
      return out;
    }
    Statement& s = tenant_rows_->reset().bind_blob(1, queries_.at(q));
    while (s.step()) out.push_back({s.integer(0), s.null(1) ? "(null)" : s.text(1)});
    return out;
  }
  std::string isolation() const override {
    return "the connection's tenant (llmspell_set_tenant) filtering a shared index";
  }

  double clock() override {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
  std::string clock_name() const override { return "CPU time"; }

  void with_graph(const std::string& tenant,
                  const std::function<void(GraphSession&)>& body) override {
    Statement has(db_,
                  "SELECT count(*) FROM main.sqlite_master WHERE type = 'table' AND name IN "
                  "('graph_entities', 'graph_relationships')");
    has.step();
    if (has.integer(0) != 2)
      throw CliError("the graph tables are missing (run `llmspell database migrate`)");
    exec(db_, "SAVEPOINT llmspell_test_storage");
    try {
      Statement set(db_, "SELECT llmspell_set_tenant(?)");
      set.bind(1, tenant).step();
      SqliteGraph graph(db_);
      body(graph);
    } catch (...) {
      undo_graph();
      throw;
    }
    undo_graph();
  }

  void cleanup() noexcept override {
    index_.reset();
    exact_.reset();
    tenant_ids_.reset();
    tenant_rows_.reset();
    if (!created_) return;
    created_ = false;
    sqlite3_exec(db_, "SELECT llmspell_set_tenant(NULL)", nullptr, nullptr, nullptr);
    for (const char* t : {kBaseline, kShared})
      sqlite3_exec(db_, (std::string("DROP TABLE IF EXISTS ") + t).c_str(), nullptr, nullptr,
                   nullptr);
  }

 private:
  std::vector<std::int64_t> ids(Statement& s, int q) {
    s.reset().bind_blob(1, queries_.at(q));
    std::vector<std::int64_t> out;
    while (s.step()) out.push_back(s.integer(0));
    return out;
  }
  void undo_graph() noexcept {
    sqlite3_exec(db_,
                 "ROLLBACK TO llmspell_test_storage; RELEASE llmspell_test_storage; "
                 "SELECT llmspell_set_tenant(NULL)",
                 nullptr, nullptr, nullptr);
  }

  std::unique_ptr<Database> owner_;
  sqlite3* db_;
  std::string tenant_;
  std::vector<std::string> queries_;
  bool created_ = false;
  std::unique_ptr<Statement> index_, exact_, tenant_ids_, tenant_rows_;
};

}  // namespace

std::unique_ptr<StorageProbe> make_sqlite_probe(std::unique_ptr<Database> db) {
  return std::make_unique<SqliteProbe>(std::move(db));
}

}  // namespace llmspell::cli::test_storage
