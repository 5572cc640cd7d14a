// One llmspell_hnsw table on one connection: the configuration, the shadow tables, the mirror
// (SqliteStore) and the HNSW graph over it. The virtual table methods (hnsw_vtab.cpp) are thin
// glue over this class; everything here throws SqlError and never sees SQLite's callbacks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "hnsw/graph.h"
#include "hnsw_config.h"
#include "hnsw_shadow.h"
#include "sqlite_store.h"
#include "tenant_context.h"

namespace llmspell::sqlite::hnsw_vtab {

// A filter column value as stored and compared: NULL, an integer or a text, after the column's
// conversion (text columns hold numbers as text; integer columns accept integral text/reals).
struct FilterValue {
  bool null = true;
  bool integer = false;
  std::int64_t number = 0;
  std::string text;
  // The dictionary key of the value in its column.
  std::string key() const;
};

struct SearchRequest {
  std::vector<float> query;  // dims values, as given
  std::uint32_t k = 10;
  std::uint32_t ef_search = hnsw::kDefaultEfSearch;
  bool exact = false;
  std::vector<std::pair<int, sqlite3_value*>> equal;  // filter column index = value
};

struct Hit {
  double distance;
  std::int64_t rowid;
  NodeId node;
};

struct TableStats {
  std::uint64_t full_loads = 0;
  std::uint64_t refreshes = 0;       // incremental reloads after another connection committed
  std::uint64_t nodes_reloaded = 0;  // nodes read again by those refreshes
  std::uint64_t consolidations = 0;
};

class HnswTable {
 public:
  HnswTable(sqlite3* db, TableConfig config, ContextPtr context);
  ~HnswTable();
  HnswTable(const HnswTable&) = delete;
  HnswTable& operator=(const HnswTable&) = delete;

  const TableConfig& config() const { return config_; }
  ShadowTables& shadow() { return shadow_; }
  const SqliteStore& store() const { return store_; }
  const TableStats& stats() const { return stats_; }
  bool loaded() const { return loaded_; }
  bool tags_loaded() const { return tags_loaded_; }

  void create() { shadow_.create(); }
  void destroy();
  void rename(const std::string& new_name);

  // Brings the mirror up to date: loads it on first use, then, when another connection has
  // committed (a newer generation in <t>_meta), reloads just the nodes its commits changed.
  void ensure_current();

  // xUpdate. `columns` are the declared columns followed by the hidden ones.
  std::int64_t insert(sqlite3_value* rowid, sqlite3_value** columns);
  void update(std::int64_t old_rowid, sqlite3_value* new_rowid, sqlite3_value** columns);
  void remove(std::int64_t rowid);

  std::vector<Hit> search(const SearchRequest& request);
  // Rows passing the equality terms and the tenant, in rowid order (distance 0), from the
  // mirror's posting lists; nullopt when there is no term at all (the caller scans <t>_rows).
  std::optional<std::vector<Hit>> filtered_rows(
      const std::vector<std::pair<int, sqlite3_value*>>& equal);

  // The tenant every read and write is limited to, when the table has a tenant_id column and the
  // connection has a tenant.
  std::optional<FilterValue> tenant() const;

  // Transaction hooks.
  void begin();
  void sync();
  void commit() { store_.commit(); }
  void rollback() { store_.rollback(); }
  void savepoint(int n) { store_.savepoint(n); }
  void release(int n) { store_.release(n); }
  void rollback_to(int n) { store_.rollback_to(n); }

  // The user-facing distance for an internal one (Euclidean, not squared, for l2).
  double user_distance(float internal) const;
  // Converts a value for filter column `column`; nullopt when it cannot be stored there
  // (`why` says why).
  std::optional<FilterValue> convert_filter(int column, sqlite3_value* v, std::string* why) const;
  // The tag of a filter value in its column, when any row ever had it.
  std::optional<std::uint32_t> find_tag(int ordinal, const FilterValue& v) const;
  std::uint32_t intern(int ordinal, const FilterValue& v);
  // The value of the first filter column that has tag `tag`.
  const FilterValue& partition_value(std::uint32_t tag) const { return partition_values_[tag]; }

 private:
  // The filter terms (filter ordinal, tag) for equality terms and the tenant; false when no row
  // can match.
  bool filter_terms(const std::vector<std::pair<int, sqlite3_value*>>& equal,
                    std::vector<std::pair<std::size_t, std::uint32_t>>& terms) const;
  void full_load();
  // Whether a search must know every row's filter values (read from <t>_rows on first use).
  bool needs_tags(const SearchRequest& request) const;
  // Reads <t>_partitions into the mirror (partitioned tables).
  void load_partitions();
  // Writes the entry points that changed to <t>_partitions (at commit).
  void write_partitions();
  // The k nearest accepted nodes of one partition; `terms` exclude the partition's own term.
  std::vector<hnsw::Candidate> search_partition(
      std::uint32_t partition, const float* query, std::uint32_t k, std::uint32_t ef,
      const std::vector<std::pair<std::size_t, std::uint32_t>>& terms);
  // Filter tags come from <t>_rows, read on the first filtered search or write transaction (an
  // unfiltered first query after opening the file does not wait for that scan).
  void ensure_tags();
  // Before a change: the mirror and its tags loaded.
  void ensure_writable();
  void refresh(const std::vector<NodeId>& nodes);
  void load_globals();
  // Tags of a row read from <t>_rows (statement columns from `first`, filter columns only).
  std::vector<std::uint32_t> tags_from_row(sqlite3_stmt* stmt, int first, bool row_layout);

  // Validates the vector column value; returns the raw values.
  std::vector<float> read_vector(sqlite3_value* v) const;
  void check_tenant_of_row(std::int64_t rowid, sqlite3_stmt* row) const;
  std::int64_t rowid_of(sqlite3_value* v) const;
  // Inserts a node for a vector and links it into the graph.
  NodeId add_node(const std::vector<float>& raw, std::int64_t label,
                  const std::vector<std::uint32_t>& tags);
  void maybe_consolidate();
  [[noreturn]] void fail(int code, const std::string& message) const;
  [[noreturn]] void fail_column(int column, const std::string& message) const;

  sqlite3* db_;
  TableConfig config_;
  ContextPtr context_;
  std::string key_;
  ShadowTables shadow_;
  SqliteStore store_;
  hnsw::Graph<SqliteStore> graph_;
  bool loaded_ = false;
  bool tags_loaded_ = false;
  // SQLITE_FCNTL_DATA_VERSION when the mirror was last found current: while it is unchanged no
  // connection has written the file, and the generation need not be read.
  std::optional<unsigned> data_version_;
  std::vector<std::unordered_map<std::string, std::uint32_t>> dictionary_;  // per filter column
  std::vector<FilterValue> partition_values_;  // the value of each tag of the first filter column
  TableStats stats_;
};

}  // namespace llmspell::sqlite::hnsw_vtab
