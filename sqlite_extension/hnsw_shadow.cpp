#include "hnsw_shadow.h"

#include <bit>
#include <cstring>
#include <set>

#include "vector/vector_codec.h"

namespace llmspell::sqlite::hnsw_vtab {
namespace {

constexpr const char* kSuffixes[] = {"meta", "rows", "nodes", "vectors", "changes", "partitions"};

std::uint32_t read_u32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

}  // namespace

void encode_links(const std::vector<std::uint32_t>& words, std::vector<std::uint8_t>& out) {
  out.resize(words.size() * 4);
  if constexpr (std::endian::native == std::endian::little) {
    if (!words.empty()) std::memcpy(out.data(), words.data(), out.size());
  } else {
    for (std::size_t i = 0; i < words.size(); ++i) {
      for (int b = 0; b < 4; ++b) out[i * 4 + b] = static_cast<std::uint8_t>(words[i] >> (8 * b));
    }
  }
}

bool decode_links(const void* blob, std::size_t bytes, int level, std::uint32_t m,
                  std::vector<std::uint32_t>& words) {
  if (bytes % 4 != 0 || (bytes > 0 && blob == nullptr)) return false;
  const auto* p = static_cast<const std::uint8_t*>(blob);
  std::size_t n = bytes / 4;
  words.resize(n);
  for (std::size_t i = 0; i < n; ++i) words[i] = read_u32(p + 4 * i);
  std::size_t pos = 0;
  for (int l = 0; l <= level; ++l) {
    if (pos >= n) return false;
    std::uint32_t count = words[pos];
    if (count > (l == 0 ? 2 * m : m) || pos + 1 + count > n) return false;
    pos += 1 + count;
  }
  return pos == n;
}

ShadowTables::ShadowTables(sqlite3* db, const TableConfig& config) : db_(db), config_(config) {}

std::string ShadowTables::row_column_name(int row_column) {
  // Built by appending: GCC 12 warns (-Wrestrict, a false positive) on "c" + std::to_string().
  std::string name = std::to_string(row_column);
  name.insert(name.begin(), 'c');
  return name;
}

bool ShadowTables::is_shadow_suffix(const char* suffix) {
  for (const char* s : kSuffixes) {
    if (sqlite3_stricmp(s, suffix) == 0) return true;
  }
  return false;
}

std::string ShadowTables::qualified_for(const std::string& table, const char* suffix) const {
  return quote_identifier(config_.schema) + "." + quote_identifier(table + "_" + suffix);
}

std::string ShadowTables::qualified(const char* suffix) const {
  return qualified_for(config_.table, suffix);
}

Statement& ShadowTables::cached(Statement& s, const std::string& sql) {
  if (!s.prepared()) s = Statement(db_, sql);
  return s;
}

void ShadowTables::corrupt(const std::string& what) const {
  throw SqlError(SQLITE_CORRUPT_VTAB, config_.table + ": shadow tables are damaged: " + what);
}

void ShadowTables::create() {
  std::string sql = "CREATE TABLE " + qualified("meta") +
                    "(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
                    "CREATE TABLE " +
                    qualified("rows") + "(id INTEGER PRIMARY KEY, node INTEGER NOT NULL";
  int rc = 0;
  for (const ColumnSpec& c : config_.columns) {
    if (c.kind == ColumnKind::kVector) continue;
    sql.append(", ").append(row_column_name(rc++));
    if (c.kind == ColumnKind::kFilter) {
      sql += c.filter_type == FilterType::kText ? " TEXT" : " INTEGER";
    } else if (!c.declared_type.empty()) {
      sql += " " + c.declared_type;
    }
  }
  sql += ");";
  sql += "CREATE TABLE " + qualified("nodes") +
         "(node INTEGER PRIMARY KEY, label INTEGER NOT NULL, level INTEGER NOT NULL, "
         "deleted INTEGER NOT NULL, links BLOB NOT NULL);"
         "CREATE TABLE " +
         qualified("vectors") +
         "(node INTEGER PRIMARY KEY, vector BLOB NOT NULL);"
         "CREATE TABLE " +
         qualified("changes") +
         "(generation INTEGER NOT NULL, node INTEGER NOT NULL, PRIMARY KEY (generation, node)) "
         "WITHOUT ROWID;";
  if (!config_.filter_columns.empty()) {
    const ColumnSpec& first = config_.columns[config_.filter_columns[0]];
    sql += "CREATE TABLE " + qualified("partitions") + "(value " +
           (first.filter_type == FilterType::kText ? "TEXT" : "INTEGER") +
           " PRIMARY KEY NOT NULL, entry INTEGER NOT NULL, max_level INTEGER NOT NULL) "
           "WITHOUT ROWID;";
  }
  exec(db_, sql);
  set_meta("format", kFormatVersion);
  set_meta("dims", config_.params.dims);
  set_meta("m", config_.params.m);
  set_meta("ef_construction", config_.params.ef_construction);
  set_meta("entry", -1);
  set_meta("max_level", -1);
  set_meta("inserts", 0);
  set_meta("generation", 0);
  Statement s(db_,
              "INSERT OR REPLACE INTO " + qualified("meta") + "(key, value) VALUES ('metric', ?1)",
              false);
  s.bind(1, std::string_view(config_.metric_name()));
  s.run();
}

void ShadowTables::finalize() {
  for (Statement* s : {&meta_get_, &meta_set_, &node_get_, &node_put_, &node_del_, &vec_get_,
                       &vec_put_, &vec_del_, &row_get_, &row_ins_, &row_upd_, &row_del_, &row_has_,
                       &change_ins_, &part_put_, &part_del_}) {
    *s = Statement();
  }
}

void ShadowTables::drop() {
  finalize();
  std::string sql;
  for (const char* s : kSuffixes) sql += "DROP TABLE IF EXISTS " + qualified(s) + ";";
  exec(db_, sql);
}

bool ShadowTables::exists(const char* suffix) {
  Statement s(db_,
              "SELECT 1 FROM " + quote_identifier(config_.schema) +
                  ".sqlite_master WHERE type = 'table' AND name = ?1",
              false);
  s.bind(1, std::string_view(config_.table + "_" + suffix));
  return s.step();
}

void ShadowTables::rename(const std::string& new_name) {
  finalize();
  std::string sql;
  for (const char* s : kSuffixes) {
    if (!exists(s)) continue;  // <t>_partitions: format 2 tables with filter columns only
    sql +=
        "ALTER TABLE " + qualified(s) + " RENAME TO " + quote_identifier(new_name + "_" + s) + ";";
  }
  exec(db_, sql);
}

std::int64_t ShadowTables::check_format() {
  auto format = meta("format");
  if (!format) corrupt("no format in " + config_.table + "_meta");
  if (*format != kFormatVersion && *format != kUnpartitionedFormat) {
    throw SqlError(SQLITE_ERROR, config_.table + ": index format " + std::to_string(*format) +
                                     " is not supported (this module reads format " +
                                     std::to_string(kFormatVersion) + ")");
  }
  auto dims = meta("dims");
  auto m = meta("m");
  if (!dims || *dims != config_.params.dims || !m || *m != config_.params.m) {
    throw SqlError(SQLITE_ERROR,
                   config_.table + ": the shadow tables were built for dims=" +
                       (dims ? std::to_string(*dims) : "?") +
                       " m=" + (m ? std::to_string(*m) : "?") +
                       ", the declaration says dims=" + std::to_string(config_.params.dims) +
                       " m=" + std::to_string(config_.params.m));
  }
  if (*format == kFormatVersion && !config_.filter_columns.empty() && !exists("partitions"))
    corrupt(config_.table + "_partitions is missing");
  return *format;
}

std::optional<std::int64_t> ShadowTables::meta(const char* key) {
  Use s(cached(meta_get_, "SELECT value FROM " + qualified("meta") + " WHERE key = ?1"));
  s->bind(1, std::string_view(key));
  if (!s->step() || s->type(0) != SQLITE_INTEGER) return std::nullopt;
  return s->int64(0);
}

void ShadowTables::set_meta(const char* key, std::int64_t value) {
  Use s(cached(meta_set_,
               "INSERT OR REPLACE INTO " + qualified("meta") + "(key, value) VALUES (?1, ?2)"));
  s->bind(1, std::string_view(key));
  s->bind(2, value);
  s->run();
}

void ShadowTables::put_node(NodeId n, const NodeRecord& r) {
  Use s(cached(node_put_, "INSERT OR REPLACE INTO " + qualified("nodes") +
                              "(node, label, level, deleted, links) VALUES (?1, ?2, ?3, ?4, ?5)"));
  encode_links(r.links, buffer_);
  s->bind(1, static_cast<std::int64_t>(n));
  s->bind(2, r.label);
  s->bind(3, static_cast<std::int64_t>(r.level));
  s->bind(4, static_cast<std::int64_t>(r.deleted ? 1 : 0));
  s->bind_blob_static(5, buffer_.data(), buffer_.size());
  s->run();
}

void ShadowTables::delete_node(NodeId n) {
  {
    Use s(cached(node_del_, "DELETE FROM " + qualified("nodes") + " WHERE node = ?1"));
    s->bind(1, static_cast<std::int64_t>(n));
    s->run();
  }
  Use s(cached(vec_del_, "DELETE FROM " + qualified("vectors") + " WHERE node = ?1"));
  s->bind(1, static_cast<std::int64_t>(n));
  s->run();
}

bool ShadowTables::get_node(NodeId n, NodeRecord& r) {
  Use s(cached(node_get_, "SELECT label, level, deleted, links FROM " + qualified("nodes") +
                              " WHERE node = ?1"));
  s->bind(1, static_cast<std::int64_t>(n));
  if (!s->step()) return false;
  r.exists = true;
  r.label = s->int64(0);
  std::int64_t level = s->int64(1);
  if (level < 0 || level > hnsw::kMaxLevel)
    corrupt("node " + std::to_string(n) + " has level " + std::to_string(level));
  r.level = static_cast<int>(level);
  r.deleted = s->int64(2) != 0;
  if (!decode_links(s->blob(3), s->bytes(3), r.level, config_.params.m, r.links))
    corrupt("node " + std::to_string(n) + " has malformed links");
  r.tags.clear();
  return true;
}

void ShadowTables::scan_nodes(const std::function<void(NodeId, const NodeRecord&)>& fn) {
  Statement s(db_, "SELECT node, label, level, deleted, links FROM " + qualified("nodes"), false);
  NodeRecord r;
  r.exists = true;
  while (s.step()) {
    std::int64_t node = s.int64(0);
    std::int64_t level = s.int64(2);
    if (node < 0 || node >= static_cast<std::int64_t>(kNoNode))
      corrupt("node id " + std::to_string(node) + " out of range");
    if (level < 0 || level > hnsw::kMaxLevel)
      corrupt("node " + std::to_string(node) + " has level " + std::to_string(level));
    r.label = s.int64(1);
    r.level = static_cast<int>(level);
    r.deleted = s.int64(3) != 0;
    if (!decode_links(s.blob(4), s.bytes(4), r.level, config_.params.m, r.links))
      corrupt("node " + std::to_string(node) + " has malformed links");
    fn(static_cast<NodeId>(node), r);
  }
}

std::int64_t ShadowTables::node_limit() {
  Statement s(db_, "SELECT max(node) FROM " + qualified("nodes"), false);
  if (!s.step() || s.type(0) != SQLITE_INTEGER) return 0;
  std::int64_t max = s.int64(0);
  if (max < 0 || max >= static_cast<std::int64_t>(kNoNode))
    corrupt("node id " + std::to_string(max) + " out of range");
  return max + 1;
}

void ShadowTables::put_vector(NodeId n, const float* values, std::uint32_t dims) {
  Use s(cached(vec_put_, "INSERT OR REPLACE INTO " + qualified("vectors") +
                             "(node, vector) VALUES (?1, ?2)"));
  buffer_.resize(static_cast<std::size_t>(dims) * vector::kBytesPerElement);
  vector::encode_float32_le(values, dims, buffer_.data());
  s->bind(1, static_cast<std::int64_t>(n));
  s->bind_blob_static(2, buffer_.data(), buffer_.size());
  s->run();
}

bool ShadowTables::with_vector(NodeId n, const std::function<void(const void*, std::size_t)>& fn) {
  Use s(cached(vec_get_, "SELECT vector FROM " + qualified("vectors") + " WHERE node = ?1"));
  s->bind(1, static_cast<std::int64_t>(n));
  if (!s->step()) return false;
  fn(s->blob(0), s->bytes(0));
  return true;
}

void ShadowTables::read_vector(NodeId n, float* out) {
  std::size_t expected = static_cast<std::size_t>(config_.params.dims) * vector::kBytesPerElement;
  bool found = with_vector(n, [&](const void* blob, std::size_t bytes) {
    if (bytes != expected || blob == nullptr)
      corrupt("vector of node " + std::to_string(n) + " has " + std::to_string(bytes) +
              " bytes, expected " + std::to_string(expected));
    vector::decode_float32_le(static_cast<const std::uint8_t*>(blob), config_.params.dims, out);
  });
  if (!found) corrupt("node " + std::to_string(n) + " has no vector");
}

Statement& ShadowTables::select_row() {
  if (row_get_.prepared()) return row_get_;
  std::string sql = "SELECT node";
  int n = 0;
  for (const ColumnSpec& c : config_.columns) {
    if (c.kind != ColumnKind::kVector) sql.append(", ").append(row_column_name(n++));
  }
  sql += " FROM " + qualified("rows") + " WHERE id = ?1";
  return cached(row_get_, sql);
}

Statement& ShadowTables::insert_row() {
  if (row_ins_.prepared()) return row_ins_;
  std::string cols = "id, node", params = "?1, ?2";
  int n = 0;
  for (const ColumnSpec& c : config_.columns) {
    if (c.kind == ColumnKind::kVector) continue;
    cols.append(", ").append(row_column_name(n));
    params += ", ?" + std::to_string(n + 3);
    ++n;
  }
  return cached(row_ins_,
                "INSERT INTO " + qualified("rows") + "(" + cols + ") VALUES (" + params + ")");
}

Statement& ShadowTables::update_row() {
  if (row_upd_.prepared()) return row_upd_;
  std::string sql = "UPDATE " + qualified("rows") + " SET id = ?2, node = ?3";
  int n = 0;
  for (const ColumnSpec& c : config_.columns) {
    if (c.kind == ColumnKind::kVector) continue;
    sql.append(", ").append(row_column_name(n) + " = ?" + std::to_string(n + 4));
    ++n;
  }
  sql += " WHERE id = ?1";
  return cached(row_upd_, sql);
}

void ShadowTables::delete_row(std::int64_t id) {
  Use s(cached(row_del_, "DELETE FROM " + qualified("rows") + " WHERE id = ?1"));
  s->bind(1, id);
  s->run();
}

bool ShadowTables::row_exists(std::int64_t id) {
  Use s(cached(row_has_, "SELECT 1 FROM " + qualified("rows") + " WHERE id = ?1"));
  s->bind(1, id);
  return s->step();
}

void ShadowTables::scan_row_filters(
    const std::function<void(std::int64_t, NodeId, sqlite3_stmt*)>& fn) {
  std::string sql = "SELECT id, node";
  for (int col : config_.filter_columns)
    sql.append(", ").append(row_column_name(config_.row_column(col)));
  sql += " FROM " + qualified("rows");
  Statement s(db_, sql, false);
  while (s.step()) {
    std::int64_t node = s.int64(1);
    if (node < 0 || node >= static_cast<std::int64_t>(kNoNode))
      corrupt("row " + std::to_string(s.int64(0)) + " points to node " + std::to_string(node));
    fn(s.int64(0), static_cast<NodeId>(node), s.get());
  }
}

void ShadowTables::scan_partitions(
    const std::function<void(sqlite3_value*, std::int64_t, std::int64_t)>& fn) {
  Statement s(db_, "SELECT value, entry, max_level FROM " + qualified("partitions"), false);
  while (s.step()) fn(s.value(0), s.int64(1), s.int64(2));
}

Statement& ShadowTables::partition_upsert() {
  return cached(part_put_, "INSERT OR REPLACE INTO " + qualified("partitions") +
                               "(value, entry, max_level) VALUES (?1, ?2, ?3)");
}

void ShadowTables::put_partition(Statement& upsert, std::int64_t entry, std::int64_t max_level) {
  upsert.bind(2, entry);
  upsert.bind(3, max_level);
  upsert.run();
}

Statement& ShadowTables::partition_delete() {
  return cached(part_del_, "DELETE FROM " + qualified("partitions") + " WHERE value = ?1");
}

void ShadowTables::log_changes(std::int64_t generation, const std::vector<NodeId>& nodes,
                               bool all) {
  Use s(cached(change_ins_, "INSERT OR IGNORE INTO " + qualified("changes") +
                                "(generation, node) VALUES (?1, ?2)"));
  auto add = [&](std::int64_t node) {
    s->bind(1, generation);
    s->bind(2, node);
    s->run();
    s->reset();
  };
  if (all) {
    add(kAllNodes);
  } else {
    for (NodeId n : nodes) add(n);
  }
  Statement prune(db_, "DELETE FROM " + qualified("changes") + " WHERE generation <= ?1", false);
  prune.bind(1, generation - kChangeLogGenerations);
  prune.run();
}

std::optional<std::vector<NodeId>> ShadowTables::changes_since(std::int64_t generation,
                                                               std::int64_t current) {
  if (current - generation > kChangeLogGenerations || current < generation) return std::nullopt;
  Statement s(db_,
              "SELECT generation, node FROM " + qualified("changes") +
                  " WHERE generation > ?1 AND generation <= ?2 ORDER BY generation",
              false);
  s.bind(1, generation);
  s.bind(2, current);
  std::set<std::int64_t> generations;
  std::vector<NodeId> nodes;
  while (s.step()) {
    generations.insert(s.int64(0));
    std::int64_t node = s.int64(1);
    if (node < 0 || node >= static_cast<std::int64_t>(kNoNode)) return std::nullopt;
    nodes.push_back(static_cast<NodeId>(node));
  }
  // Every commit logs at least one row: a missing generation means the log was cut.
  if (static_cast<std::int64_t>(generations.size()) != current - generation) return std::nullopt;
  return nodes;
}

}  // namespace llmspell::sqlite::hnsw_vtab
