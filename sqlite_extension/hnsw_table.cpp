#include "hnsw_table.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "function_error.h"
#include "hnsw/filter.h"
#include "vector/distance.h"
#include "vector/vector_codec.h"
#include "vector_arg.h"

namespace llmspell::sqlite::hnsw_vtab {
namespace {

using Terms = std::vector<std::pair<std::size_t, std::uint32_t>>;  // (filter ordinal, tag)

// Equality on filter columns (and optionally membership of one partition), evaluated per node
// during traversal. It counts and lists its nodes through the smallest posting list, so a very
// selective filter is answered by an exact scan of just those nodes.
class ColumnFilter final : public hnsw::Filter {
 public:
  // With `counted` false the filter does not count: the caller has already chosen the graph walk.
  ColumnFilter(const SqliteStore& store, Terms terms, std::uint32_t partition, bool counted)
      : store_(store), terms_(std::move(terms)), partition_(partition), counted_(counted) {
    if (partition_ != kAllPartitions && store_.partitioned())
      smallest_ = &store_.partition_nodes(partition_);
    for (const auto& [column, tag] : terms_) {
      const std::vector<NodeId>& p = store_.posting(column, tag);
      if (smallest_ == nullptr || p.size() < smallest_->size()) smallest_ = &p;
    }
  }
  bool accepts(NodeId n) const override {
    if (partition_ != kAllPartitions && store_.partition_of(n) != partition_) return false;
    for (const auto& [column, tag] : terms_) {
      if (store_.tag(n, column) != tag) return false;
    }
    return true;
  }
  // With several lists this is an upper bound (the smallest one), which only makes the choice
  // of an exact scan a little more conservative; for_each still checks every term.
  std::int64_t count() const override {
    return counted_ ? static_cast<std::int64_t>(smallest_->size()) : -1;
  }
  void for_each(const std::function<void(NodeId)>& fn) const override {
    for (NodeId n : *smallest_) fn(n);
  }

 private:
  const SqliteStore& store_;
  Terms terms_;
  std::uint32_t partition_;
  bool counted_;
  const std::vector<NodeId>* smallest_ = nullptr;
};

void bind_filter_value(Statement& s, int p, const FilterValue& v) {
  if (v.null) {
    s.bind_null(p);
  } else if (v.integer) {
    s.bind(p, v.number);
  } else {
    s.bind(p, std::string_view(v.text));
  }
}

// sqlite3_value copies that outlive the statement they came from.
class ValueList {
 public:
  ValueList() = default;
  ~ValueList() {
    for (sqlite3_value* v : values_) sqlite3_value_free(v);
  }
  ValueList(const ValueList&) = delete;
  ValueList& operator=(const ValueList&) = delete;
  void add(sqlite3_value* v) {
    values_.push_back(nullptr);
    values_.back() = sqlite3_value_dup(v);
    if (values_.back() == nullptr) throw std::bad_alloc();
  }
  sqlite3_value* operator[](std::size_t i) const { return values_[i]; }

 private:
  std::vector<sqlite3_value*> values_;
};

std::string describe(const FilterValue& v) {
  if (v.null) return "NULL";
  if (v.integer) return std::to_string(v.number);
  return "'" + v.text + "'";
}

bool same(const FilterValue& a, const FilterValue& b) {
  if (a.null || b.null) return false;
  return a.integer ? a.number == b.number : a.text == b.text;
}

std::optional<std::int64_t> parse_integer(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

std::string FilterValue::key() const {
  if (!integer) return text;
  std::string k(sizeof number, '\0');
  std::memcpy(k.data(), &number, sizeof number);
  return k;
}

HnswTable::HnswTable(sqlite3* db, TableConfig config, ContextPtr context)
    : db_(db),
      config_(std::move(config)),
      context_(std::move(context)),
      key_(table_key(config_.schema, config_.table)),
      shadow_(db, config_),
      store_(config_.params, config_.filter_columns.size(), config_.cache_mb << 20, shadow_),
      graph_(config_.params, store_),
      dictionary_(config_.filter_columns.size()) {
  context_->tables[key_] = this;
}

HnswTable::~HnswTable() {
  auto it = context_->tables.find(key_);
  if (it != context_->tables.end() && it->second == this) context_->tables.erase(it);
}

void HnswTable::fail(int code, const std::string& message) const {
  throw SqlError(code, config_.table + ": " + message);
}

void HnswTable::fail_column(int column, const std::string& message) const {
  throw SqlError(SQLITE_ERROR, config_.table + "." + config_.columns[column].name + ": " + message);
}

void HnswTable::destroy() { shadow_.drop(); }

void HnswTable::rename(const std::string& new_name) {
  shadow_.rename(new_name);
  auto it = context_->tables.find(key_);
  if (it != context_->tables.end() && it->second == this) context_->tables.erase(it);
  config_.table = new_name;
  key_ = table_key(config_.schema, config_.table);
  context_->tables[key_] = this;
}

double HnswTable::user_distance(float internal) const {
  if (config_.params.metric == hnsw::Metric::kL2) return std::sqrt(std::max(internal, 0.0f));
  return internal;
}

// ---- filter values ---------------------------------------------------------------------------

std::optional<FilterValue> HnswTable::convert_filter(int column, sqlite3_value* v,
                                                     std::string* why) const {
  const ColumnSpec& spec = config_.columns[column];
  FilterValue out;
  int type = sqlite3_value_type(v);
  if (type == SQLITE_NULL) return out;
  if (type == SQLITE_BLOB) {
    if (why) *why = "expected text or an integer, got a BLOB";
    return std::nullopt;
  }
  out.null = false;
  if (spec.filter_type == FilterType::kText) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(v));
    if (text == nullptr) throw std::bad_alloc();
    out.text.assign(text, static_cast<std::size_t>(sqlite3_value_bytes(v)));
    return out;
  }
  out.integer = true;
  if (type == SQLITE_INTEGER) {
    out.number = sqlite3_value_int64(v);
    return out;
  }
  if (type == SQLITE_FLOAT) {
    double d = sqlite3_value_double(v);
    if (std::trunc(d) == d && std::fabs(d) < 9.2e18) {
      out.number = static_cast<std::int64_t>(d);
      return out;
    }
    if (why) *why = "expected an integer, got " + std::to_string(d);
    return std::nullopt;
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(v));
  if (text == nullptr) throw std::bad_alloc();
  std::string_view t(text, static_cast<std::size_t>(sqlite3_value_bytes(v)));
  if (auto n = parse_integer(t)) {
    out.number = *n;
    return out;
  }
  if (why) *why = "expected an integer, got '" + std::string(t) + "'";
  return std::nullopt;
}

std::optional<std::uint32_t> HnswTable::find_tag(int ordinal, const FilterValue& v) const {
  if (v.null) return std::nullopt;
  const auto& d = dictionary_[ordinal];
  auto it = d.find(v.key());
  if (it == d.end()) return std::nullopt;
  return it->second;
}

std::uint32_t HnswTable::intern(int ordinal, const FilterValue& v) {
  if (v.null) return kNoTag;
  auto& d = dictionary_[ordinal];
  auto [it, added] = d.emplace(v.key(), static_cast<std::uint32_t>(d.size()));
  if (added && ordinal == 0) partition_values_.push_back(v);
  return it->second;
}

std::optional<FilterValue> HnswTable::tenant() const {
  if (config_.tenant_column < 0 || !context_->tenant) return std::nullopt;
  FilterValue v;
  v.null = false;
  if (config_.columns[config_.tenant_column].filter_type == FilterType::kText) {
    v.text = *context_->tenant;
  } else if (auto n = parse_integer(*context_->tenant)) {
    v.integer = true;
    v.number = *n;
  } else {
    v.null = true;  // an integer column holds no row of this tenant
    v.text = *context_->tenant;
  }
  return v;
}

std::vector<std::uint32_t> HnswTable::tags_from_row(sqlite3_stmt* stmt, int first,
                                                    bool row_layout) {
  std::vector<std::uint32_t> tags(config_.filter_columns.size(), kNoTag);
  for (std::size_t f = 0; f < tags.size(); ++f) {
    int column = config_.filter_columns[f];
    int index = row_layout ? first + config_.row_column(column) : first + static_cast<int>(f);
    auto v = convert_filter(column, sqlite3_column_value(stmt, index), nullptr);
    if (v) tags[f] = intern(static_cast<int>(f), *v);
  }
  return tags;
}

// ---- loading ---------------------------------------------------------------------------------

void HnswTable::load_globals() {
  auto entry = shadow_.meta("entry");
  auto max_level = shadow_.meta("max_level");
  auto inserts = shadow_.meta("inserts");
  auto generation = shadow_.meta("generation");
  if (!entry || !max_level || !inserts || !generation)
    throw SqlError(SQLITE_CORRUPT_VTAB, config_.table + ": shadow tables are damaged: " +
                                            config_.table + "_meta is incomplete");
  if (*entry < -1 || *entry >= static_cast<std::int64_t>(kNoNode) || *max_level < -1 ||
      *max_level > hnsw::kMaxLevel || (*entry == -1) != (*max_level == -1))
    throw SqlError(SQLITE_CORRUPT_VTAB,
                   config_.table + ": shadow tables are damaged: bad entry point " +
                       std::to_string(*entry) + " at level " + std::to_string(*max_level));
  NodeId e = *entry < 0 ? kNoNode : static_cast<NodeId>(*entry);
  store_.load_globals(e, static_cast<int>(*max_level), static_cast<std::uint64_t>(*inserts),
                      static_cast<std::uint64_t>(*generation));
}

void HnswTable::full_load() {
  loaded_ = false;
  store_.reset();
  for (auto& d : dictionary_) d.clear();
  partition_values_.clear();
  store_.set_partitioned(shadow_.check_format() == kFormatVersion);
  tags_loaded_ = config_.filter_columns.empty();
  store_.reserve(static_cast<std::size_t>(shadow_.node_limit()));
  shadow_.scan_nodes([&](NodeId n, const NodeRecord& r) { store_.load(n, r); });
  load_globals();
  NodeId root = store_.partition_entry(kNullPartition).entry;
  if (root != kNoNode && !store_.exists(root))
    throw SqlError(SQLITE_CORRUPT_VTAB, config_.table +
                                            ": shadow tables are damaged: the entry point " +
                                            std::to_string(root) + " is missing");
  load_partitions();
  store_.finish_load();
  loaded_ = true;
  ++stats_.full_loads;
}

void HnswTable::load_partitions() {
  if (!store_.partitioned()) return;
  store_.clear_partitions();
  int column = config_.filter_columns[0];
  shadow_.scan_partitions([&](sqlite3_value* value, std::int64_t entry, std::int64_t max_level) {
    auto v = convert_filter(column, value, nullptr);
    if (!v || v->null || entry < 0 || entry >= static_cast<std::int64_t>(kNoNode) ||
        !store_.exists(static_cast<NodeId>(entry)) || max_level < 0 || max_level > hnsw::kMaxLevel)
      throw SqlError(SQLITE_CORRUPT_VTAB,
                     config_.table + ": shadow tables are damaged: " + config_.table +
                         "_partitions has a bad entry " + std::to_string(entry) + " at level " +
                         std::to_string(max_level));
    store_.load_partition(intern(0, *v), static_cast<NodeId>(entry), static_cast<int>(max_level));
  });
}

void HnswTable::write_partitions() {
  for (std::uint32_t p : store_.dirty_partitions()) {
    PartitionEntry e = store_.partition_entry(p);
    if (e.entry == kNoNode) {
      Use s(shadow_.partition_delete());
      bind_filter_value(*s, 1, partition_values_[p]);
      s->run();
    } else {
      Use s(shadow_.partition_upsert());
      bind_filter_value(*s, 1, partition_values_[p]);
      shadow_.put_partition(*s, e.entry, e.max_level);
    }
  }
}

void HnswTable::ensure_tags() {
  if (tags_loaded_) return;
  shadow_.scan_row_filters([&](std::int64_t id, NodeId node, sqlite3_stmt* stmt) {
    if (!store_.live(node) || store_.label(node) != id) return;  // llmspell_hnsw_check reports it
    std::vector<std::uint32_t> tags = tags_from_row(stmt, 2, false);
    store_.load_tags(node, tags.data());
  });
  tags_loaded_ = true;
}

void HnswTable::ensure_writable() {
  if (!loaded_) full_load();
  ensure_tags();
}

void HnswTable::refresh(const std::vector<NodeId>& changed) {
  std::vector<NodeId> nodes = changed;
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  for (NodeId n : nodes) {
    NodeRecord r;
    if (shadow_.get_node(n, r) && !r.deleted && tags_loaded_) {
      Use row(shadow_.select_row());
      row->bind(1, r.label);
      if (row->step() && row->int64(0) == n) r.tags = tags_from_row(row->get(), 1, true);
    }
    store_.load(n, r);
  }
  load_globals();
  load_partitions();
  ++stats_.refreshes;
  stats_.nodes_reloaded += nodes.size();
}

void HnswTable::ensure_current() {
  // Inside our own write transaction nobody else can commit: the mirror is the truth.
  if (loaded_ && store_.in_transaction()) return;
  // The statement holds a read transaction, so the data version is current; it changes with
  // every commit to the file, by any connection (this one included).
  unsigned version = 0;
  bool versioned = sqlite3_file_control(db_, config_.schema.c_str(), SQLITE_FCNTL_DATA_VERSION,
                                        &version) == SQLITE_OK;
  if (loaded_ && versioned && data_version_ == version) return;
  data_version_.reset();
  auto generation = shadow_.meta("generation");
  if (!generation)
    throw SqlError(SQLITE_CORRUPT_VTAB, config_.table + ": shadow tables are damaged: " +
                                            config_.table + "_meta has no generation");
  if (!loaded_) {
    full_load();
  } else if (*generation != static_cast<std::int64_t>(store_.generation())) {
    auto changes =
        shadow_.changes_since(static_cast<std::int64_t>(store_.generation()), *generation);
    if (changes) {
      refresh(*changes);
    } else {
      full_load();
    }
  }
  if (versioned) data_version_ = version;
}

// ---- writes ----------------------------------------------------------------------------------

std::vector<float> HnswTable::read_vector(sqlite3_value* v) const {
  int column = config_.vector_column;
  if (sqlite3_value_type(v) == SQLITE_NULL) fail_column(column, "must not be NULL");
  std::vector<float> out;
  try {
    VectorArg arg(v);
    out.assign(arg.data(), arg.data() + arg.dimensions());
  } catch (const FunctionError& e) {
    fail_column(column, e.what());
  }
  if (out.size() != config_.params.dims) {
    fail_column(column, "expected " + std::to_string(config_.params.dims) + " dimensions, got " +
                            std::to_string(out.size()));
  }
  if (config_.params.metric == hnsw::Metric::kCosine && vector::norm(out.data(), out.size()) == 0)
    fail_column(column, "a zero vector has no direction: cosine distance is undefined for it");
  return out;
}

std::int64_t HnswTable::rowid_of(sqlite3_value* v) const {
  if (sqlite3_value_type(v) == SQLITE_INTEGER) return sqlite3_value_int64(v);
  if (sqlite3_value_numeric_type(v) == SQLITE_INTEGER) return sqlite3_value_int64(v);
  fail(SQLITE_MISMATCH, "rowid must be an integer");
}

void HnswTable::check_tenant_of_row(std::int64_t rowid, sqlite3_stmt* row) const {
  auto t = tenant();
  if (!t) return;
  int index = 1 + config_.row_column(config_.tenant_column);
  auto v = convert_filter(config_.tenant_column, sqlite3_column_value(row, index), nullptr);
  if (!v || !same(*v, *t)) {
    fail(SQLITE_ERROR,
         "row " + std::to_string(rowid) + " is not visible to tenant '" + *context_->tenant + "'");
  }
}

NodeId HnswTable::add_node(const std::vector<float>& raw, std::int64_t label,
                           const std::vector<std::uint32_t>& tags) {
  int level = hnsw::sample_level(config_.params, store_.next_insert_key());
  NodeId node = store_.allocate(level, label, tags.data());
  shadow_.put_vector(node, raw.data(), config_.params.dims);
  std::vector<float> prepared(raw.size());
  hnsw::prepare_vector(config_.params.metric, raw.data(), prepared.data(), raw.size());
  store_.put_vector(node, prepared.data());
  store_.select_partition(store_.partition_of(node));
  graph_.link(node, prepared.data());
  return node;
}

namespace {

// Binds the non-vector columns as <t>_rows stores them, from parameter `first` on.
void bind_row_values(Statement& s, const TableConfig& config, int first,
                     const std::vector<sqlite3_value*>& values,
                     const std::vector<std::optional<FilterValue>>& filters) {
  int p = first;
  for (int i = 0; i < config.column_count(); ++i) {
    const ColumnSpec& c = config.columns[i];
    if (c.kind == ColumnKind::kVector) continue;
    if (c.kind == ColumnKind::kFilter) {
      bind_filter_value(s, p, *filters[c.filter_ordinal]);
    } else {
      s.bind_value(p, values[i]);
    }
    ++p;
  }
}

}  // namespace

std::int64_t HnswTable::insert(sqlite3_value* rowid_arg, sqlite3_value** columns) {
  ensure_writable();
  for (int h = config_.column_count(); h < config_.column_count() + 4; ++h) {
    if (sqlite3_value_type(columns[h]) != SQLITE_NULL)
      fail(SQLITE_ERROR,
           "distance, k, ef_search and exact are query parameters, not columns to store");
  }
  std::vector<float> raw = read_vector(columns[config_.vector_column]);

  std::vector<std::optional<FilterValue>> filters(config_.filter_columns.size());
  std::vector<sqlite3_value*> values(columns, columns + config_.column_count());
  auto t = tenant();
  for (std::size_t f = 0; f < filters.size(); ++f) {
    int column = config_.filter_columns[f];
    std::string why;
    filters[f] = convert_filter(column, columns[column], &why);
    if (!filters[f]) fail_column(column, why);
    if (column == config_.tenant_column && t) {
      if (t->null)
        fail_column(column,
                    "the connection's tenant '" + *context_->tenant + "' is not an integer");
      if (filters[f]->null) {
        filters[f] = *t;  // rows written under a tenant belong to it
      } else if (!same(*filters[f], *t)) {
        fail_column(column, "cannot write a row of tenant " + describe(*filters[f]) +
                                " while the connection's tenant is '" + *context_->tenant + "'");
      }
    }
  }

  std::optional<std::int64_t> rowid;
  if (sqlite3_value_type(rowid_arg) != SQLITE_NULL) rowid = rowid_of(rowid_arg);
  if (rowid && shadow_.row_exists(*rowid)) {
    if (sqlite3_vtab_on_conflict(db_) != SQLITE_REPLACE)
      throw SqlError(SQLITE_CONSTRAINT, "UNIQUE constraint failed: " + config_.table + ".rowid");
    remove(*rowid);
  }

  std::vector<std::uint32_t> tags(filters.size());
  for (std::size_t f = 0; f < filters.size(); ++f)
    tags[f] = intern(static_cast<int>(f), *filters[f]);

  int level = hnsw::sample_level(config_.params, store_.next_insert_key());
  NodeId node = store_.allocate(level, rowid.value_or(0), tags.data());
  {
    Use s(shadow_.insert_row());
    if (rowid) {
      s->bind(1, *rowid);
    } else {
      s->bind_null(1);
    }
    s->bind(2, static_cast<std::int64_t>(node));
    bind_row_values(*s, config_, 3, values, filters);
    s->run();
  }
  if (!rowid) {
    rowid = sqlite3_last_insert_rowid(db_);
    store_.set_label(node, *rowid);
  }
  shadow_.put_vector(node, raw.data(), config_.params.dims);
  std::vector<float> prepared(raw.size());
  hnsw::prepare_vector(config_.params.metric, raw.data(), prepared.data(), raw.size());
  store_.put_vector(node, prepared.data());
  store_.select_partition(store_.partition_of(node));
  graph_.link(node, prepared.data());
  return *rowid;
}

void HnswTable::remove(std::int64_t rowid) {
  ensure_writable();
  std::int64_t node = 0;
  {
    Use row(shadow_.select_row());
    row->bind(1, rowid);
    if (!row->step()) return;
    check_tenant_of_row(rowid, row->get());
    node = row->int64(0);
  }
  if (node < 0 || !store_.live(static_cast<NodeId>(node)) ||
      store_.label(static_cast<NodeId>(node)) != rowid) {
    throw SqlError(SQLITE_CORRUPT_VTAB, config_.table + ": shadow tables are damaged: row " +
                                            std::to_string(rowid) + " points to node " +
                                            std::to_string(node) + ", which is not its node");
  }
  store_.select_partition(store_.partition_of(static_cast<NodeId>(node)));
  graph_.remove({static_cast<NodeId>(node)});
  shadow_.delete_row(rowid);
}

void HnswTable::update(std::int64_t old_rowid, sqlite3_value* new_rowid_arg,
                       sqlite3_value** columns) {
  ensure_writable();
  ValueList old;
  NodeId node = kNoNode;
  {
    Use row(shadow_.select_row());
    row->bind(1, old_rowid);
    if (!row->step()) fail(SQLITE_ERROR, "row " + std::to_string(old_rowid) + " does not exist");
    check_tenant_of_row(old_rowid, row->get());
    std::int64_t n = row->int64(0);
    if (n < 0 || !store_.live(static_cast<NodeId>(n)))
      throw SqlError(SQLITE_CORRUPT_VTAB, config_.table + ": shadow tables are damaged: row " +
                                              std::to_string(old_rowid) + " has no live node");
    node = static_cast<NodeId>(n);
    int stored = 0;
    for (int i = 0; i < config_.column_count(); ++i) {
      if (config_.columns[i].kind != ColumnKind::kVector) old.add(row->value(1 + stored++));
    }
  }

  // Columns the UPDATE does not set arrive as "no change" values: keep the stored ones.
  std::vector<sqlite3_value*> values(columns, columns + config_.column_count());
  for (int i = 0, stored = 0; i < config_.column_count(); ++i) {
    if (config_.columns[i].kind == ColumnKind::kVector) continue;
    if (sqlite3_value_nochange(columns[i])) values[i] = old[stored];
    ++stored;
  }

  std::optional<std::vector<float>> raw;
  sqlite3_value* vec = columns[config_.vector_column];
  if (!sqlite3_value_nochange(vec)) {
    raw = read_vector(vec);
    // Setting the same vector again keeps the node (and its links).
    std::vector<std::uint8_t> bytes(raw->size() * vector::kBytesPerElement);
    vector::encode_float32_le(raw->data(), raw->size(), bytes.data());
    bool unchanged = false;
    shadow_.with_vector(node, [&](const void* blob, std::size_t n) {
      unchanged = n == bytes.size() && std::memcmp(blob, bytes.data(), n) == 0;
    });
    if (unchanged) raw.reset();
  }

  std::vector<std::optional<FilterValue>> filters(config_.filter_columns.size());
  auto t = tenant();
  for (std::size_t f = 0; f < filters.size(); ++f) {
    int column = config_.filter_columns[f];
    std::string why;
    filters[f] = convert_filter(column, values[column], &why);
    if (!filters[f]) fail_column(column, why);
    if (column == config_.tenant_column && t) {
      if (filters[f]->null) {
        filters[f] = *t;
      } else if (!same(*filters[f], *t)) {
        fail_column(column, "cannot write a row of tenant " + describe(*filters[f]) +
                                " while the connection's tenant is '" + *context_->tenant + "'");
      }
    }
  }

  std::int64_t new_rowid = old_rowid;
  if (sqlite3_value_type(new_rowid_arg) != SQLITE_NULL) new_rowid = rowid_of(new_rowid_arg);
  if (new_rowid != old_rowid && shadow_.row_exists(new_rowid)) {
    if (sqlite3_vtab_on_conflict(db_) != SQLITE_REPLACE)
      throw SqlError(SQLITE_CONSTRAINT, "UNIQUE constraint failed: " + config_.table + ".rowid");
    remove(new_rowid);
  }

  std::vector<std::uint32_t> tags(filters.size());
  for (std::size_t f = 0; f < filters.size(); ++f)
    tags[f] = intern(static_cast<int>(f), *filters[f]);

  // A row that moves to another partition moves to that partition's graph: a new node.
  if (!raw && store_.partitioned() && tags[0] != store_.tag(node, 0)) {
    raw.emplace(config_.params.dims);
    shadow_.read_vector(node, raw->data());
  }
  if (raw) {
    store_.select_partition(store_.partition_of(node));
    graph_.remove({node});
    node = add_node(*raw, new_rowid, tags);
  } else {
    bool tags_changed = false;
    for (std::size_t f = 0; f < tags.size(); ++f) tags_changed |= store_.tag(node, f) != tags[f];
    if (tags_changed) store_.set_tags(node, tags.data());
    if (new_rowid != old_rowid) store_.set_label(node, new_rowid);
  }
  Use s(shadow_.update_row());
  s->bind(1, old_rowid);
  s->bind(2, new_rowid);
  s->bind(3, static_cast<std::int64_t>(node));
  bind_row_values(*s, config_, 4, values, filters);
  s->run();
}

// ---- search ----------------------------------------------------------------------------------

bool HnswTable::filter_terms(const std::vector<std::pair<int, sqlite3_value*>>& equal,
                             std::vector<std::pair<std::size_t, std::uint32_t>>& terms) const {
  auto add_term = [&](int column, const FilterValue& v) {
    int ordinal = config_.columns[column].filter_ordinal;
    auto tag = find_tag(ordinal, v);
    if (!tag) return false;
    for (const auto& [o, t] : terms) {
      if (o == static_cast<std::size_t>(ordinal) && t != *tag) return false;
    }
    terms.emplace_back(static_cast<std::size_t>(ordinal), *tag);
    return true;
  };
  for (const auto& [column, value] : equal) {
    auto v = convert_filter(column, value, nullptr);
    if (!v || !add_term(column, *v)) return false;
  }
  if (auto t = tenant()) {
    if (!add_term(config_.tenant_column, *t)) return false;
  }
  return true;
}

std::optional<std::vector<Hit>> HnswTable::filtered_rows(
    const std::vector<std::pair<int, sqlite3_value*>>& equal) {
  if (equal.empty() && !tenant()) return std::nullopt;
  ensure_current();
  ensure_tags();
  std::vector<std::pair<std::size_t, std::uint32_t>> terms;
  std::vector<Hit> rows;
  if (!filter_terms(equal, terms)) return rows;
  ColumnFilter filter(store_, terms, kAllPartitions, true);
  filter.for_each([&](NodeId n) {
    if (filter.accepts(n)) rows.push_back({0.0, store_.label(n), n});
  });
  std::sort(rows.begin(), rows.end(), [](const Hit& a, const Hit& b) { return a.rowid < b.rowid; });
  return rows;
}

std::vector<hnsw::Candidate> HnswTable::search_partition(std::uint32_t partition,
                                                         const float* query, std::uint32_t k,
                                                         std::uint32_t ef, const Terms& terms) {
  store_.select_partition(partition);
  if (store_.entry_point() == kNoNode) return {};
  // Every node of the partition passes: its graph is the whole search, as if it were a table of
  // its own (and the rows' filter values need not be read).
  if (terms.empty()) return graph_.search(query, k, ef, nullptr);
  std::size_t size = store_.partition_size(partition);
  ColumnFilter filter(store_, terms, partition, true);
  if (graph_.prefer_exact(filter.count(), ef, size)) return graph_.exact_search(query, k, &filter);
  ColumnFilter walk(store_, terms, partition, false);
  return graph_.search(query, k, ef, &walk);
}

bool HnswTable::needs_tags(const SearchRequest& request) const {
  bool tenant_term = tenant().has_value();
  if (!store_.partitioned() || request.exact) return !request.equal.empty() || tenant_term;
  // A partition's graph and the values of the first filter column come from <t>_partitions;
  // only terms on other columns read the rows' values.
  for (const auto& [column, value] : request.equal)
    if (config_.columns[column].filter_ordinal != 0) return true;
  return tenant_term && config_.columns[config_.tenant_column].filter_ordinal != 0;
}

std::vector<Hit> HnswTable::search(const SearchRequest& request) {
  ensure_current();
  if (needs_tags(request)) ensure_tags();
  Terms terms;
  if (!filter_terms(request.equal, terms)) return {};
  std::vector<float> query(request.query.size());
  hnsw::prepare_vector(config_.params.metric, request.query.data(), query.data(), query.size());
  std::uint32_t ef = std::max(request.ef_search, request.k);

  std::vector<hnsw::Candidate> found;
  if (request.exact || !store_.partitioned()) {
    // A single term every live node passes (a tenant owning every row) filters nothing: searching
    // without it costs nothing extra.
    if (terms.size() == 1 &&
        store_.posting(terms[0].first, terms[0].second).size() == store_.live_count())
      terms.clear();
    std::unique_ptr<ColumnFilter> filter;
    if (!terms.empty())
      filter = std::make_unique<ColumnFilter>(store_, std::move(terms), kAllPartitions, true);
    // Exact: every node (the filter lists its own); a walk: an unpartitioned table's one graph.
    store_.select_partition(request.exact ? kAllPartitions : kNullPartition);
    found = request.exact ? graph_.exact_search(query.data(), request.k, filter.get())
                          : graph_.search(query.data(), request.k, ef, filter.get());
  } else {
    // A term on the first filter column names the one partition to search; without one, every
    // partition is searched and the results merged.
    std::optional<std::uint32_t> named;
    Terms rest;
    for (const auto& term : terms) {
      if (term.first == 0) {
        named = term.second;
      } else {
        rest.push_back(term);
      }
    }
    if (named) {
      found = search_partition(*named, query.data(), request.k, ef, rest);
    } else {
      std::vector<std::uint32_t> partitions;
      store_.for_each_partition([&](std::uint32_t p) { partitions.push_back(p); });
      for (std::uint32_t p : partitions) {
        std::vector<hnsw::Candidate> part = search_partition(p, query.data(), request.k, ef, rest);
        found.insert(found.end(), part.begin(), part.end());
      }
      std::sort(found.begin(), found.end());
      if (found.size() > request.k) found.resize(request.k);
    }
  }
  std::vector<Hit> hits;
  hits.reserve(found.size());
  for (const hnsw::Candidate& c : found)
    hits.push_back({user_distance(c.distance), store_.label(c.node), c.node});
  return hits;
}

// ---- transactions ----------------------------------------------------------------------------

void HnswTable::begin() {
  ensure_current();
  // Undo records copy a node's tags: they must be the real ones before the first change.
  ensure_tags();
  store_.begin();
}

void HnswTable::maybe_consolidate() {
  std::size_t deleted = store_.deleted_count();
  if (deleted == 0) return;
  if (store_.live_count() > 0 && deleted < std::max<std::size_t>(64, store_.live_count() / 20))
    return;
  store_.select_partition(kAllPartitions);  // repairs follow links; they need no entry point
  graph_.consolidate();
  for (std::size_t n = 0; n < store_.id_limit(); ++n) {
    auto id = static_cast<NodeId>(n);
    if (store_.exists(id) && store_.deleted(id)) store_.free_slot(id);
  }
  ++stats_.consolidations;
}

void HnswTable::sync() {
  if (store_.dirty().empty()) return;
  maybe_consolidate();
  auto generation = static_cast<std::int64_t>(store_.generation()) + 1;
  for (NodeId n : store_.dirty()) {
    if (store_.exists(n)) {
      shadow_.put_node(n, store_.record(n));
    } else {
      shadow_.delete_node(n);
    }
  }
  PartitionEntry root = store_.partition_entry(kNullPartition);
  shadow_.set_meta("entry", root.entry == kNoNode ? -1 : static_cast<std::int64_t>(root.entry));
  shadow_.set_meta("max_level", root.max_level);
  write_partitions();
  shadow_.set_meta("inserts", static_cast<std::int64_t>(store_.inserts()));
  shadow_.set_meta("generation", generation);
  // A commit that changed a large part of the graph is logged as "everything": readers reload.
  std::size_t listed_limit = std::max<std::size_t>(4096, store_.id_limit() / 8);
  shadow_.log_changes(generation, store_.dirty(), store_.dirty().size() > listed_limit);
  store_.set_generation(static_cast<std::uint64_t>(generation));
  store_.clear_dirty();
  store_.note_flush();
}

}  // namespace llmspell::sqlite::hnsw_vtab
