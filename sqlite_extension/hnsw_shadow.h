// The shadow tables of an llmspell_hnsw virtual table <t>, all in the database that holds <t>:
//
//   <t>_meta(key PRIMARY KEY, value)      format, dims, metric, m, ef_construction, entry,
//                                         max_level, inserts (level key), generation
//   <t>_rows(id INTEGER PRIMARY KEY, node, c0, c1, ...)
//                                         one row per table row: its node and its non-vector
//                                         columns (filtered scans use the mirror's posting
//                                         lists, not SQL indexes: nothing to rename or upkeep)
//   <t>_nodes(node INTEGER PRIMARY KEY, label, level, deleted, links BLOB)
//                                         the graph: links are uint32 LE, per level count + ids
//   <t>_vectors(node INTEGER PRIMARY KEY, vector BLOB)
//                                         float32 LE as inserted; written once per node
//   <t>_changes(generation, node)         which nodes each commit changed (node -1: all), so
//                                         other connections reload only those
//   <t>_partitions(value PRIMARY KEY, entry, max_level)
//                                         format 2 with filter columns: the entry point of the
//                                         graph of each value of the first filter column (rows
//                                         where it is NULL use entry/max_level in <t>_meta)
//
// <t>_rows and <t>_vectors are written during the statement; <t>_nodes and <t>_meta at commit
// (xSync), from the mirror's dirty nodes. Format 1 tables (one graph for every row, no
// <t>_partitions) are still read and written as they are.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hnsw_config.h"
#include "sqlite_store.h"
#include "statement.h"

namespace llmspell::sqlite::hnsw_vtab {

inline constexpr std::int64_t kFormatVersion = 2;
inline constexpr std::int64_t kUnpartitionedFormat = 1;
// Generations kept in <t>_changes; a connection further behind reloads everything.
inline constexpr std::int64_t kChangeLogGenerations = 64;
inline constexpr std::int64_t kAllNodes = -1;

class ShadowTables final : public VectorSource {
 public:
  ShadowTables(sqlite3* db, const TableConfig& config);

  // True for the suffixes of the shadow tables ("meta", "rows", ...), for xShadowName.
  static bool is_shadow_suffix(const char* suffix);

  void create();
  void drop();
  void rename(const std::string& new_name);
  // Finalizes the cached statements (before DROP, RENAME or disconnect).
  void finalize();
  // Throws unless <t>_meta describes the same vectors as the declaration (a table created by
  // another version, or a declaration edited by hand, must not be read with a wrong layout).
  // Returns the format (kUnpartitionedFormat or kFormatVersion).
  std::int64_t check_format();

  std::optional<std::int64_t> meta(const char* key);
  void set_meta(const char* key, std::int64_t value);

  // <t>_nodes
  void put_node(NodeId n, const NodeRecord& r);
  void delete_node(NodeId n);  // and its vector
  // Reads a node (tags left empty); false when it has no row.
  bool get_node(NodeId n, NodeRecord& r);
  void scan_nodes(const std::function<void(NodeId, const NodeRecord&)>& fn);
  // One more than the highest node id (0 when there is none).
  std::int64_t node_limit();

  // <t>_vectors
  void put_vector(NodeId n, const float* values, std::uint32_t dims);
  void read_vector(NodeId n, float* out) override;
  // Calls fn with the raw bytes of a node's vector; false when it has none.
  bool with_vector(NodeId n, const std::function<void(const void*, std::size_t)>& fn);

  // <t>_rows. Columns are the non-vector columns in declaration order.
  // SELECT node, c0, c1, ... WHERE id = ?1
  Statement& select_row();
  // INSERT (id, node, c0, ...) VALUES (?1, ?2, ?3, ...): bind, run, reset by the caller.
  Statement& insert_row();
  // UPDATE SET id = ?2, node = ?3, c0 = ?4, ... WHERE id = ?1
  Statement& update_row();
  void delete_row(std::int64_t id);
  bool row_exists(std::int64_t id);
  // SELECT id, node, <filter columns> over every row.
  void scan_row_filters(
      const std::function<void(std::int64_t id, NodeId node, sqlite3_stmt* stmt)>& fn);
  std::string rows_table() const { return qualified("rows"); }
  // "c0", "c1", ...: the <t>_rows column of the row_column-th non-vector column.
  static std::string row_column_name(int row_column);

  // <t>_partitions (format 2 with filter columns only).
  // SELECT value, entry, max_level over every partition.
  void scan_partitions(const std::function<void(sqlite3_value* value, std::int64_t entry,
                                                std::int64_t max_level)>& fn);
  // INSERT OR REPLACE (value, entry, max_level) VALUES (?1, ?2, ?3): the caller binds ?1, then
  // calls put_partition.
  Statement& partition_upsert();
  void put_partition(Statement& upsert, std::int64_t entry, std::int64_t max_level);
  // DELETE WHERE value = ?1: the caller binds ?1 and runs it.
  Statement& partition_delete();

  // <t>_changes
  void log_changes(std::int64_t generation, const std::vector<NodeId>& nodes, bool all);
  // Nodes changed after `generation`, or nullopt when the log does not reach back that far (or
  // a commit changed too much to list): the caller then reloads everything.
  std::optional<std::vector<NodeId>> changes_since(std::int64_t generation, std::int64_t current);

  sqlite3* db() const { return db_; }
  const std::string& table() const { return config_.table; }
  // "schema"."<t>_<suffix>", for SQL text.
  std::string qualified(const char* suffix) const;

 private:
  std::string qualified_for(const std::string& table, const char* suffix) const;
  bool exists(const char* suffix);
  Statement& cached(Statement& s, const std::string& sql);
  [[noreturn]] void corrupt(const std::string& what) const;

  sqlite3* db_;
  const TableConfig& config_;
  Statement meta_get_, meta_set_;
  Statement node_get_, node_put_, node_del_;
  Statement vec_get_, vec_put_, vec_del_;
  Statement row_get_, row_ins_, row_upd_, row_del_, row_has_;
  Statement change_ins_;
  Statement part_put_, part_del_;
  std::vector<std::uint8_t> buffer_;
  std::vector<std::uint32_t> words_;
};

// Encodes links (count + ids per level) as little-endian uint32 words.
void encode_links(const std::vector<std::uint32_t>& words, std::vector<std::uint8_t>& out);
// Decodes and checks a links blob for a node of `level`; false when malformed.
bool decode_links(const void* blob, std::size_t bytes, int level, std::uint32_t m,
                  std::vector<std::uint32_t>& words);

}  // namespace llmspell::sqlite::hnsw_vtab
