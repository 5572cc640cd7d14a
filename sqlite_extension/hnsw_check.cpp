// llmspell_hnsw_check(table [, schema]): verifies the graph against the rows and returns 'ok' or
// one line per problem found. It checks what a commit would leave in the shadow tables (the rows
// of <t>_nodes, overlaid with the nodes this connection has changed but not yet written):
//   - every row of <t>_rows points to a live node whose label is the row id, and every live
//     node has exactly that row; deleted nodes have no row;
//   - every node has a vector of dims float32 values, and every vector a node;
//   - links are well formed: per level at most 2M (level 0) or M ids, no self links, no
//     duplicates, every target a node whose level reaches the link's level;
//   - each partition (value of the first filter column, in a partitioned table; the whole table
//     otherwise) has an entry point that is one of its live nodes at its top level when any of
//     its nodes is live (none otherwise), and no live node links to a live node of another;
//   - the connection's in-memory mirror equals the tables (structure, labels and filter tags).
// llmspell_hnsw_stats(table [, schema]) returns the mirror's counters as JSON.
#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "function_error.h"
#include "hnsw_table.h"
#include "hnsw_vtab.h"
#include "statement.h"

namespace llmspell::sqlite::hnsw_vtab {
namespace {

constexpr std::size_t kMaxReported = 20;

class Problems {
 public:
  void add(const std::string& p) {
    if (list_.size() < kMaxReported) list_.push_back(p);
    ++total_;
  }
  std::string text() const {
    if (total_ == 0) return "ok";
    std::string out;
    for (const std::string& p : list_) out += (out.empty() ? "" : "\n") + p;
    if (total_ > list_.size())
      out += "\n... and " + std::to_string(total_ - list_.size()) + " more problems";
    return out;
  }

 private:
  std::vector<std::string> list_;
  std::size_t total_ = 0;
};

HnswTable& find_table(sqlite3* db, ConnectionContext& c, int argc, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) != SQLITE_TEXT)
    throw FunctionError("expected the table name as TEXT");
  std::string table = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  std::string schema = "main";
  if (argc > 1) {
    if (sqlite3_value_type(argv[1]) != SQLITE_TEXT)
      throw FunctionError("expected the schema name as TEXT");
    schema = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
  }
  std::string key = table_key(schema, table);
  auto it = c.tables.find(key);
  if (it == c.tables.end()) {
    // Preparing a statement on the table connects it (xConnect registers it).
    sqlite3_stmt* stmt = nullptr;
    std::string sql = "SELECT rowid FROM " + quote_identifier(schema) + "." +
                      quote_identifier(table) + " WHERE 0";
    int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
    std::string why = rc == SQLITE_OK ? "" : sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_OK) throw FunctionError(why);
    it = c.tables.find(key);
    if (it == c.tables.end()) throw FunctionError(table + " is not an llmspell_hnsw table");
  }
  return *it->second;
}

// A partition: the key of a value of the first filter column; nullopt for NULL (and for every row
// of an unpartitioned table).
using PartitionKey = std::optional<std::string>;

PartitionKey partition_key(const HnswTable& t, sqlite3_value* v) {
  auto value = t.convert_filter(t.config().filter_columns[0], v, nullptr);
  if (!value || value->null) return std::nullopt;
  return value->key();
}

std::string describe(const PartitionKey& k, const HnswTable& t) {
  if (!t.store().partitioned()) return "the graph";
  if (!k) return "the NULL partition";
  auto tag = t.find_tag(0, FilterValue{false, false, 0, *k});
  const FilterValue& v = tag ? t.partition_value(*tag) : FilterValue{false, false, 0, *k};
  return "partition " + (v.integer ? std::to_string(v.number) : "'" + v.text + "'");
}

// Entry points per partition, and links that cross partitions.
void check_partitions(HnswTable& t, const std::map<NodeId, NodeRecord>& nodes,
                      const std::map<NodeId, PartitionKey>& partition_of, bool pending,
                      Problems& problems) {
  const SqliteStore& store = t.store();
  ShadowTables& shadow = t.shadow();
  // What a commit leaves: the mirror's entries when it has changes, else the tables'.
  std::map<PartitionKey, std::pair<std::int64_t, std::int64_t>> entries;  // (entry, max level)
  if (pending) {
    PartitionEntry root = store.partition_entry(kNullPartition);
    entries[std::nullopt] = {root.entry == kNoNode ? std::int64_t{-1} : std::int64_t{root.entry},
                             root.max_level};
    store.for_each_partition([&](std::uint32_t p) {
      if (p == kNullPartition) return;
      PartitionEntry e = store.partition_entry(p);
      entries[t.partition_value(p).key()] = {e.entry, e.max_level};
    });
  } else {
    entries[std::nullopt] = {shadow.meta("entry").value_or(-2),
                             shadow.meta("max_level").value_or(-2)};
    if (store.partitioned()) {
      shadow.scan_partitions([&](sqlite3_value* v, std::int64_t entry, std::int64_t level) {
        PartitionKey k = partition_key(t, v);
        if (!k) {
          problems.add("a partition entry has a NULL or invalid value");
          return;
        }
        entries[k] = {entry, level};
      });
    }
  }
  // Top level and live count per partition.
  std::map<PartitionKey, int> top;
  for (const auto& [n, r] : nodes) {
    if (r.deleted) continue;
    auto p = partition_of.find(n);
    if (p == partition_of.end()) continue;  // reported above: live without a row
    int& level = top.try_emplace(p->second, -1).first->second;
    level = std::max(level, r.level);
    // Links to live nodes of other partitions.
    std::size_t pos = 0;
    for (int l = 0; l <= r.level && pos < r.links.size(); ++l) {
      std::uint32_t count = r.links[pos];
      for (std::uint32_t i = 0; i < count && pos + 1 + i < r.links.size(); ++i) {
        auto other = partition_of.find(r.links[pos + 1 + i]);
        if (other != partition_of.end() && other->second != p->second)
          problems.add("node " + std::to_string(n) + " of " + describe(p->second, t) +
                       " links to node " + std::to_string(other->first) + " of " +
                       describe(other->second, t));
      }
      pos += 1 + count;
    }
  }
  for (const auto& [key, recorded] : entries) {
    auto [entry, max_level] = recorded;
    const std::string who = describe(key, t);
    if (!top.count(key)) {
      bool dangling = key ? true : entry != -1 && !nodes.count(static_cast<NodeId>(entry));
      if (dangling)
        problems.add(who + ": entry point " + std::to_string(entry) + " but no live node");
    }
  }
  for (const auto& [key, level] : top) {
    const std::string who = describe(key, t);
    auto recorded = entries.find(key);
    if (recorded == entries.end()) {
      problems.add(who + ": live nodes but no entry point");
      continue;
    }
    auto [entry, max_level] = recorded->second;
    auto e = entry < 0 ? nodes.end() : nodes.find(static_cast<NodeId>(entry));
    if (e == nodes.end()) {
      problems.add(who + ": entry point " + std::to_string(entry) + " is not a node");
      continue;
    }
    if (e->second.deleted)
      problems.add(who + ": entry point " + std::to_string(entry) + " is deleted");
    auto p = partition_of.find(e->first);
    if (!e->second.deleted && (p == partition_of.end() || p->second != key))
      problems.add(who + ": entry point " + std::to_string(entry) +
                   " belongs to another partition");
    if (e->second.level != max_level || max_level < level)
      problems.add(who + ": entry point " + std::to_string(entry) + " has level " +
                   std::to_string(e->second.level) + ", top level is " + std::to_string(level) +
                   ", recorded max level " + std::to_string(max_level));
  }
}

void check_links(const TableConfig& config, NodeId n, const NodeRecord& r,
                 const std::map<NodeId, NodeRecord>& nodes, Problems& problems) {
  std::size_t pos = 0;
  const std::string who = "node " + std::to_string(n);
  for (int l = 0; l <= r.level; ++l) {
    if (pos >= r.links.size()) {
      problems.add(who + ": links end before level " + std::to_string(l));
      return;
    }
    std::uint32_t count = r.links[pos];
    std::uint32_t max = l == 0 ? 2 * config.params.m : config.params.m;
    if (count > max || pos + 1 + count > r.links.size()) {
      problems.add(who + ": level " + std::to_string(l) + " has " + std::to_string(count) +
                   " links (at most " + std::to_string(max) + ")");
      return;
    }
    std::set<NodeId> seen;
    for (std::uint32_t i = 0; i < count; ++i) {
      NodeId target = r.links[pos + 1 + i];
      if (target == n) problems.add(who + ": links to itself at level " + std::to_string(l));
      if (!seen.insert(target).second)
        problems.add(who + ": links twice to node " + std::to_string(target));
      auto t = nodes.find(target);
      if (t == nodes.end()) {
        problems.add(who + ": links to missing node " + std::to_string(target) + " at level " +
                     std::to_string(l));
      } else if (t->second.level < l) {
        problems.add(who + ": links at level " + std::to_string(l) + " to node " +
                     std::to_string(target) + " of level " + std::to_string(t->second.level));
      }
    }
    pos += 1 + count;
  }
  if (pos != r.links.size()) problems.add(who + ": extra data after its links");
}

std::string run_check(HnswTable& t) {
  Problems problems;
  t.ensure_current();
  const TableConfig& config = t.config();
  ShadowTables& shadow = t.shadow();
  sqlite3* db = shadow.db();
  const SqliteStore& store = t.store();

  // <t>_nodes, overlaid with the nodes changed in this transaction and not yet written.
  std::map<NodeId, NodeRecord> nodes;
  {
    Statement s(db, "SELECT node, label, level, deleted, links FROM " + shadow.qualified("nodes"),
                false);
    while (s.step()) {
      std::int64_t id = s.int64(0);
      std::int64_t level = s.int64(2);
      if (id < 0 || id >= static_cast<std::int64_t>(kNoNode) || level < 0 ||
          level > hnsw::kMaxLevel) {
        problems.add("node " + std::to_string(id) + ": bad id or level " + std::to_string(level));
        continue;
      }
      NodeRecord r;
      r.exists = true;
      r.label = s.int64(1);
      r.level = static_cast<int>(level);
      r.deleted = s.int64(3) != 0;
      if (s.bytes(4) % 4 != 0) {
        problems.add("node " + std::to_string(id) + ": links blob of " +
                     std::to_string(s.bytes(4)) + " bytes");
        continue;
      }
      if (!decode_links(s.blob(4), s.bytes(4), r.level, config.params.m, r.links)) {
        // Keep the raw words; check_links names the precise problem.
        r.links.resize(s.bytes(4) / 4);
        if (!r.links.empty()) std::memcpy(r.links.data(), s.blob(4), s.bytes(4));
      }
      nodes[static_cast<NodeId>(id)] = std::move(r);
    }
  }
  bool pending = !store.dirty().empty();
  for (NodeId n : store.dirty()) {
    NodeRecord r = store.record(n);
    if (r.exists) {
      nodes[n] = std::move(r);
    } else {
      nodes.erase(n);
    }
  }

  for (const auto& [n, r] : nodes) check_links(config, n, r, nodes, problems);

  // Rows against nodes.
  const bool partitioned = store.partitioned();
  std::map<NodeId, std::int64_t> row_of_node;
  std::map<NodeId, PartitionKey> partition_of;  // nodes with a row: their partition
  {
    std::string sql = "SELECT id, node";
    if (partitioned)
      sql += ", " + shadow.row_column_name(config.row_column(config.filter_columns[0]));
    Statement s(db, sql + " FROM " + shadow.qualified("rows"), false);
    while (s.step()) {
      std::int64_t id = s.int64(0), node = s.int64(1);
      auto it = node < 0 || node >= static_cast<std::int64_t>(kNoNode)
                    ? nodes.end()
                    : nodes.find(static_cast<NodeId>(node));
      const std::string who = "row " + std::to_string(id);
      if (it == nodes.end()) {
        problems.add(who + ": its node " + std::to_string(node) + " does not exist");
        continue;
      }
      if (it->second.deleted)
        problems.add(who + ": its node " + std::to_string(node) + " is deleted");
      if (it->second.label != id)
        problems.add(who + ": its node " + std::to_string(node) + " belongs to row " +
                     std::to_string(it->second.label));
      if (!row_of_node.emplace(static_cast<NodeId>(node), id).second)
        problems.add(who + ": shares node " + std::to_string(node) + " with another row");
      partition_of[static_cast<NodeId>(node)] =
          partitioned ? partition_key(t, s.value(2)) : PartitionKey{};
    }
  }
  std::size_t live = 0, deleted = 0;
  for (const auto& [n, r] : nodes) {
    if (r.deleted) {
      ++deleted;
      continue;
    }
    ++live;
    if (!row_of_node.count(n)) problems.add("node " + std::to_string(n) + ": live without a row");
  }

  // Vectors against nodes.
  {
    std::size_t expected = static_cast<std::size_t>(config.params.dims) * 4;
    std::set<NodeId> with_vector;
    Statement s(db,
                "SELECT node, length(vector), typeof(vector) FROM " + shadow.qualified("vectors"),
                false);
    while (s.step()) {
      std::int64_t node = s.int64(0);
      if (node < 0 || node >= static_cast<std::int64_t>(kNoNode) ||
          !nodes.count(static_cast<NodeId>(node))) {
        problems.add("vector of missing node " + std::to_string(node));
        continue;
      }
      with_vector.insert(static_cast<NodeId>(node));
      if (static_cast<std::size_t>(s.int64(1)) != expected || s.text(2) != "blob")
        problems.add("node " + std::to_string(node) + ": vector of " + std::to_string(s.int64(1)) +
                     " bytes, expected " + std::to_string(expected));
    }
    for (const auto& [n, r] : nodes) {
      if (!with_vector.count(n)) problems.add("node " + std::to_string(n) + ": no vector");
    }
  }

  check_partitions(t, nodes, partition_of, pending, problems);
  // The mirror against the tables.
  if (t.loaded()) {
    if (store.live_count() != live || store.deleted_count() != deleted)
      problems.add("mirror counts " + std::to_string(store.live_count()) + " live and " +
                   std::to_string(store.deleted_count()) + " deleted nodes, the tables " +
                   std::to_string(live) + " and " + std::to_string(deleted));
    std::size_t limit = store.id_limit();
    if (!nodes.empty()) limit = std::max<std::size_t>(limit, nodes.rbegin()->first + 1);
    for (std::size_t i = 0; i < limit; ++i) {
      auto n = static_cast<NodeId>(i);
      NodeRecord mine = store.record(n);
      auto it = nodes.find(n);
      bool differs = mine.exists != (it != nodes.end());
      if (!differs && mine.exists) {
        const NodeRecord& r = it->second;
        differs = mine.deleted != r.deleted || mine.label != r.label || mine.level != r.level ||
                  mine.links != r.links;
      }
      if (differs)
        problems.add("node " + std::to_string(n) + ": the mirror differs from the tables");
    }
    // Filter tags against the row values (once they have been read).
    if (!t.tags_loaded()) return problems.text();
    std::string sql = "SELECT id, node";
    for (int col : config.filter_columns)
      sql.append(", ").append(shadow.row_column_name(config.row_column(col)));
    Statement s(db, sql + " FROM " + shadow.qualified("rows"), false);
    while (s.step()) {
      std::int64_t node = s.int64(1);
      if (node < 0 || !store.live(static_cast<NodeId>(node))) continue;
      for (std::size_t f = 0; f < config.filter_columns.size(); ++f) {
        auto v =
            t.convert_filter(config.filter_columns[f], s.value(2 + static_cast<int>(f)), nullptr);
        auto tag = v ? t.find_tag(static_cast<int>(f), *v) : std::nullopt;
        if (tag.value_or(kNoTag) != store.tag(static_cast<NodeId>(node), f))
          problems.add("row " + std::to_string(s.int64(0)) + ": the mirror's " +
                       config.columns[config.filter_columns[f]].name + " differs");
      }
    }
  }
  return problems.text();
}

void check_fn(sqlite3_context* ctx, ConnectionContext& c, int argc, sqlite3_value** argv) {
  HnswTable& t = find_table(sqlite3_context_db_handle(ctx), c, argc, argv);
  // Outside a transaction each read sees the latest commit: when another connection commits
  // during the check (the generation moves), the check runs again on the new state.
  std::string result;
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto before = t.shadow().meta("generation");
    result = run_check(t);
    if (t.shadow().meta("generation") == before) break;
  }
  sqlite3_result_text64(ctx, result.data(), result.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

void stats_fn(sqlite3_context* ctx, ConnectionContext& c, int argc, sqlite3_value** argv) {
  HnswTable& t = find_table(sqlite3_context_db_handle(ctx), c, argc, argv);
  const SqliteStore& s = t.store();
  CacheStats cache = s.cache_stats();
  const TableStats& stats = t.stats();
  std::ostringstream json;
  json << "{\"loaded\":" << (t.loaded() ? "true" : "false")
       << ",\"tags_loaded\":" << (t.tags_loaded() ? "true" : "false")
       << ",\"live\":" << s.live_count() << ",\"deleted\":" << s.deleted_count()
       << ",\"slots\":" << s.id_limit() << ",\"generation\":" << s.generation()
       << ",\"dirty\":" << s.dirty().size() << ",\"full_loads\":" << stats.full_loads
       << ",\"refreshes\":" << stats.refreshes << ",\"nodes_reloaded\":" << stats.nodes_reloaded
       << ",\"consolidations\":" << stats.consolidations << ",\"cache_capacity\":" << cache.capacity
       << ",\"cached_vectors\":" << cache.resident << ",\"vector_loads\":" << cache.loads
       << ",\"evictions\":" << cache.evictions << "}";
  std::string out = json.str();
  sqlite3_result_text64(ctx, out.data(), out.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

}  // namespace

int register_hnsw_functions(sqlite3* db, const ContextPtr& context) {
  struct Spec {
    const char* name;
    int args;
    void (*fn)(sqlite3_context*, int, sqlite3_value**);
  };
  const Spec specs[] = {
      {"llmspell_hnsw_check", 1, with_context<check_fn>},
      {"llmspell_hnsw_check", 2, with_context<check_fn>},
      {"llmspell_hnsw_stats", 1, with_context<stats_fn>},
      {"llmspell_hnsw_stats", 2, with_context<stats_fn>},
  };
  for (const Spec& s : specs) {
    int rc = sqlite3_create_function_v2(db, s.name, s.args, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                        new FunctionData{s.name, context}, s.fn, nullptr, nullptr,
                                        destroy_function_data);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

}  // namespace llmspell::sqlite::hnsw_vtab
