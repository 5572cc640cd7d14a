// The arguments of CREATE VIRTUAL TABLE ... USING llmspell_hnsw(...), parsed and checked once:
//
//   CREATE VIRTUAL TABLE items USING llmspell_hnsw(
//     embedding float[768] distance=cosine,   -- the vector column (exactly one); l2 | cosine | ip
//     tenant_id text,                         -- filter columns: text or integer, equality usable
//     scope text,                             --   in WHERE during the k-NN traversal
//     +notes,                                 -- auxiliary columns: stored, returned, not indexed
//     m=16, ef_construction=128,              -- graph options
//     ef_search=40, cache_mb=1024)            -- default search breadth; vector cache budget
//
// Hidden columns appended after the declared ones: distance (result), k, ef_search, exact (query
// parameters). A filter column named tenant_id follows the connection's tenant context.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hnsw/types.h"

namespace llmspell::sqlite::hnsw_vtab {

inline constexpr const char* kModuleName = "llmspell_hnsw";
inline constexpr std::uint32_t kMaxK = 10000;
inline constexpr std::uint32_t kMaxDims = 16000;
inline constexpr std::size_t kDefaultCacheMb = 1024;
inline constexpr std::size_t kMaxCacheMb = std::size_t{1} << 20;
inline constexpr const char* kTenantColumn = "tenant_id";

enum class ColumnKind { kVector, kFilter, kAux };
enum class FilterType { kText, kInteger };

struct ColumnSpec {
  std::string name;
  ColumnKind kind = ColumnKind::kAux;
  FilterType filter_type = FilterType::kText;  // filter columns only
  std::string declared_type;                   // auxiliary columns: the user's type, may be empty
  int filter_ordinal = -1;                     // filter columns: 0, 1, ... in declaration order
};

struct TableConfig {
  std::string schema;
  std::string table;
  std::vector<ColumnSpec> columns;  // declaration order; hidden columns follow
  int vector_column = -1;
  std::vector<int> filter_columns;  // column index of each filter ordinal
  int tenant_column = -1;           // column index of tenant_id, when it is a filter column
  hnsw::Params params;
  std::uint32_t ef_search = hnsw::kDefaultEfSearch;
  std::size_t cache_mb = kDefaultCacheMb;

  int column_count() const { return static_cast<int>(columns.size()); }
  int distance_column() const { return column_count(); }
  int k_column() const { return column_count() + 1; }
  int ef_search_column() const { return column_count() + 2; }
  int exact_column() const { return column_count() + 3; }
  // Non-vector columns are stored in <table>_rows as c0, c1, ... in this order.
  int row_column(int column) const;
  // The CREATE TABLE statement for sqlite3_declare_vtab.
  std::string declaration() const;
  const char* metric_name() const;
};

// Parses the module arguments (argv[3..] of xCreate/xConnect). Throws SqlError naming the table
// and the offending column or option.
TableConfig parse_config(const std::string& schema, const std::string& table, int argc,
                         const char* const* argv);

}  // namespace llmspell::sqlite::hnsw_vtab
