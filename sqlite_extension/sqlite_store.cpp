#include "sqlite_store.h"

#include <algorithm>
#include <cstring>

namespace llmspell::sqlite::hnsw_vtab {

SqliteStore::SqliteStore(const hnsw::Params& params, std::size_t filter_columns,
                         std::size_t cache_bytes, VectorSource& source)
    : metric_(params.metric),
      dims_(params.dims),
      m_(params.m),
      stride0_(1 + 2 * static_cast<std::size_t>(params.m)),
      columns_(filter_columns),
      source_(source),
      postings_(filter_columns),
      slot_floats_((params.dims + 15) & ~std::size_t{15}) {
  slot_capacity_ = std::max<std::size_t>(16, cache_bytes / (slot_floats_ * sizeof(float)));
}

// ---- per-node storage -----------------------------------------------------------------------

void SqliteStore::grow(std::size_t nodes) {
  if (nodes <= capacity_) return;
  std::size_t cap = std::max<std::size_t>({nodes, capacity_ * 2, 1024});
  levels_.resize(cap, 0);
  flags_.resize(cap, 0);
  labels_.resize(cap, 0);
  links0_.resize(cap * stride0_, 0);
  upper_.resize(cap);
  tags_.resize(cap * columns_, kNoTag);
  posting_pos_.resize(cap * columns_, 0);
  dirty_flag_.resize(cap, 0);
  saved_mark_.resize(cap, 0);
  slot_of_.resize(cap, kNoSlot);
  capacity_ = cap;
}

void SqliteStore::set_level_storage(NodeId n, int level) {
  levels_[n] = static_cast<std::uint8_t>(level);
  links0_[static_cast<std::size_t>(n) * stride0_] = 0;
  if (level > 0) {
    std::size_t words = static_cast<std::size_t>(level) * (1 + m_);
    upper_[n].reset(new std::uint32_t[words]);
    for (int l = 1; l <= level; ++l) upper_[n][static_cast<std::size_t>(l - 1) * (1 + m_)] = 0;
  } else {
    upper_[n].reset();
  }
}

void SqliteStore::set_links(NodeId n, int level, const NodeId* ids, std::uint32_t count) {
  touch(n);
  std::uint32_t* l = link_list(n, level);
  std::memcpy(l + 1, ids, count * sizeof(NodeId));
  l[0] = count;
}

bool SqliteStore::replace_links(NodeId n, int level, const NodeId* expected,
                                std::uint32_t expected_count, const NodeId* ids,
                                std::uint32_t count) {
  const std::uint32_t* l = link_list(n, level);
  if (l[0] != expected_count || std::memcmp(l + 1, expected, expected_count * sizeof(NodeId)) != 0)
    return false;
  set_links(n, level, ids, count);
  return true;
}

void SqliteStore::set_entry_point(NodeId n, int level) {
  if (!partitioned_ || selected_ == kNullPartition) {
    g_.root = {n, level};  // saved and restored with the globals
    return;
  }
  if (selected_ == kAllPartitions) throw std::logic_error("hnsw: no partition selected");
  if (entries_.size() <= selected_) entries_.resize(static_cast<std::size_t>(selected_) + 1);
  if (!markers_.empty()) partition_undo_.push_back({selected_, entries_[selected_]});
  entries_[selected_] = {n, level};
  mark_partition_dirty(selected_);
}

void SqliteStore::mark_partition_dirty(std::uint32_t p) {
  if (partition_dirty_flag_.size() <= p)
    partition_dirty_flag_.resize(static_cast<std::size_t>(p) + 1);
  if (partition_dirty_flag_[p]) return;
  partition_dirty_flag_[p] = 1;
  dirty_partitions_.push_back(p);
}

void SqliteStore::load_partition(std::uint32_t p, NodeId entry, int max_level) {
  if (entries_.size() <= p) entries_.resize(static_cast<std::size_t>(p) + 1);
  entries_[p] = {entry, max_level};
}

void SqliteStore::count(NodeId n, int delta) {
  if (flags_[n] == kLive) live_ += delta;
  if (flags_[n] == (kExists | kDeletedBit)) deleted_ += delta;
}

void SqliteStore::add_postings(NodeId n) {
  if (flags_[n] != kLive) return;
  for (std::size_t c = 0; c < columns_; ++c) {
    std::uint32_t t = tags_[n * columns_ + c];
    if (t == kNoTag) {
      if (c == 0 && partitioned_) {
        posting_pos_[n * columns_] = static_cast<std::uint32_t>(null_partition_.size());
        null_partition_.push_back(n);
      }
      continue;
    }
    auto& lists = postings_[c];
    if (lists.size() <= t) lists.resize(static_cast<std::size_t>(t) + 1);
    posting_pos_[n * columns_ + c] = static_cast<std::uint32_t>(lists[t].size());
    lists[t].push_back(n);
  }
}

void SqliteStore::remove_postings(NodeId n) {
  if (flags_[n] != kLive) return;
  for (std::size_t c = 0; c < columns_; ++c) {
    std::uint32_t t = tags_[n * columns_ + c];
    if (t == kNoTag && !(c == 0 && partitioned_)) continue;
    std::vector<NodeId>& list = t == kNoTag ? null_partition_ : postings_[c][t];
    std::uint32_t pos = posting_pos_[n * columns_ + c];
    NodeId last = list.back();
    list[pos] = last;
    posting_pos_[last * columns_ + c] = pos;
    list.pop_back();
  }
}

const std::vector<NodeId>& SqliteStore::posting(std::size_t column, std::uint32_t tag) const {
  static const std::vector<NodeId> kEmpty;
  const auto& lists = postings_[column];
  return tag < lists.size() ? lists[tag] : kEmpty;
}

NodeRecord SqliteStore::record(NodeId n) const {
  NodeRecord r;
  if (n >= g_.id_limit || (flags_[n] & kExists) == 0) return r;
  r.exists = true;
  r.deleted = (flags_[n] & kDeletedBit) != 0;
  r.label = labels_[n];
  r.level = levels_[n];
  for (int l = 0; l <= r.level; ++l) {
    const std::uint32_t* list = link_list(n, l);
    r.links.insert(r.links.end(), list, list + 1 + list[0]);
  }
  r.tags.assign(tags_.begin() + static_cast<std::ptrdiff_t>(n * columns_),
                tags_.begin() + static_cast<std::ptrdiff_t>((n + 1) * columns_));
  return r;
}

void SqliteStore::assign(NodeId n, const NodeRecord& r) {
  grow(static_cast<std::size_t>(n) + 1);
  forget_vector(n);
  remove_postings(n);
  count(n, -1);
  if (!r.exists) {
    flags_[n] = 0;
    labels_[n] = 0;
    set_level_storage(n, 0);
    std::fill_n(tags_.begin() + static_cast<std::ptrdiff_t>(n * columns_), columns_, kNoTag);
    free_.push_back(n);
    return;
  }
  flags_[n] = static_cast<std::uint8_t>(kExists | (r.deleted ? kDeletedBit : 0));
  labels_[n] = r.label;
  set_level_storage(n, r.level);
  std::size_t pos = 0;
  for (int l = 0; l <= r.level && pos < r.links.size(); ++l) {
    std::uint32_t c = std::min<std::uint32_t>(r.links[pos], l == 0 ? 2 * m_ : m_);
    std::uint32_t* list = link_list(n, l);
    list[0] = c;
    std::memcpy(list + 1, r.links.data() + pos + 1, c * sizeof(std::uint32_t));
    pos += 1 + r.links[pos];
  }
  for (std::size_t c = 0; c < columns_; ++c)
    tags_[n * columns_ + c] = c < r.tags.size() ? r.tags[c] : kNoTag;
  count(n, +1);
  add_postings(n);
}

// ---- changes ---------------------------------------------------------------------------------

void SqliteStore::mark_dirty(NodeId n) {
  if (dirty_flag_[n]) return;
  dirty_flag_[n] = 1;
  dirty_list_.push_back(n);
}

void SqliteStore::clear_dirty() {
  for (NodeId n : dirty_list_) dirty_flag_[n] = 0;
  dirty_list_.clear();
  for (std::uint32_t p : dirty_partitions_) partition_dirty_flag_[p] = 0;
  dirty_partitions_.clear();
}

void SqliteStore::touch(NodeId n) {
  mark_dirty(n);
  if (markers_.empty()) return;
  std::uint64_t id = markers_.back().id;
  if (saved_mark_[n] == id) return;
  undo_.push_back({n, saved_mark_[n], record(n)});
  saved_mark_[n] = id;
}

void SqliteStore::set_deleted(NodeId n, bool d) {
  if (((flags_[n] & kDeletedBit) != 0) == d) return;
  touch(n);
  remove_postings(n);
  count(n, -1);
  flags_[n] = static_cast<std::uint8_t>(d ? (flags_[n] | kDeletedBit) : (flags_[n] & ~kDeletedBit));
  count(n, +1);
  add_postings(n);
}

NodeId SqliteStore::allocate(int level, std::int64_t label, const std::uint32_t* tags) {
  NodeId n = kNoNode;
  while (!free_.empty()) {
    NodeId f = free_.back();
    free_.pop_back();
    if (f < g_.id_limit && (flags_[f] & kExists) == 0) {
      n = f;
      break;
    }
  }
  if (n == kNoNode) {
    if (g_.id_limit >= kNoNode) throw std::length_error("hnsw: too many nodes");
    n = static_cast<NodeId>(g_.id_limit);
    grow(g_.id_limit + 1);
    touch(n);  // saved as "does not exist" before the limit moves
    ++g_.id_limit;
    high_water_ = std::max(high_water_, g_.id_limit);
  } else {
    touch(n);
  }
  forget_vector(n);
  flags_[n] = kLive;
  labels_[n] = label;
  set_level_storage(n, level);
  for (std::size_t c = 0; c < columns_; ++c) tags_[n * columns_ + c] = tags ? tags[c] : kNoTag;
  count(n, +1);
  add_postings(n);
  return n;
}

void SqliteStore::free_slot(NodeId n) {
  touch(n);
  NodeRecord none;
  assign(n, none);
}

void SqliteStore::set_label(NodeId n, std::int64_t label) {
  touch(n);
  labels_[n] = label;
}

void SqliteStore::set_tags(NodeId n, const std::uint32_t* tags) {
  touch(n);
  remove_postings(n);
  for (std::size_t c = 0; c < columns_; ++c) tags_[n * columns_ + c] = tags[c];
  add_postings(n);
}

// ---- loading ---------------------------------------------------------------------------------

void SqliteStore::reset() {
  g_ = Globals{};
  capacity_ = 0;
  high_water_ = 0;
  levels_.clear();
  flags_.clear();
  labels_.clear();
  links0_.clear();
  upper_.clear();
  tags_.clear();
  posting_pos_.clear();
  for (auto& lists : postings_) lists.clear();
  entries_.clear();
  null_partition_.clear();
  partition_undo_.clear();
  partition_dirty_flag_.clear();
  dirty_partitions_.clear();
  free_.clear();
  live_ = deleted_ = 0;
  dirty_flag_.clear();
  dirty_list_.clear();
  undo_.clear();
  markers_.clear();
  saved_mark_.clear();
  slot_of_.clear();
  owner_.clear();
  ref_.clear();
  free_slots_.clear();
  chunks_.clear();
  hand_ = 0;
}

void SqliteStore::load(NodeId n, const NodeRecord& r) {
  grow(static_cast<std::size_t>(n) + 1);
  if (n >= g_.id_limit) {
    for (std::size_t i = g_.id_limit; i < n; ++i) free_.push_back(static_cast<NodeId>(i));
    g_.id_limit = static_cast<std::size_t>(n) + 1;
    high_water_ = std::max(high_water_, g_.id_limit);
  }
  assign(n, r);
}

void SqliteStore::load_tags(NodeId n, const std::uint32_t* tags) {
  remove_postings(n);
  for (std::size_t c = 0; c < columns_; ++c) tags_[n * columns_ + c] = tags[c];
  add_postings(n);
}

void SqliteStore::load_globals(NodeId entry, int max_level, std::uint64_t inserts,
                               std::uint64_t generation) {
  g_.root = {entry, max_level};
  g_.inserts = inserts;
  g_.generation = generation;
}

void SqliteStore::finish_load() {
  free_.clear();
  for (std::size_t n = g_.id_limit; n-- > 0;) {
    if ((flags_[n] & kExists) == 0) free_.push_back(static_cast<NodeId>(n));
  }
}

// ---- transactions ----------------------------------------------------------------------------

void SqliteStore::begin() {
  undo_.clear();
  partition_undo_.clear();
  markers_.clear();
  markers_.push_back({-1, next_mark_++, 0, 0, g_, flushes_});
  unchanged_through_ = -1;
}

void SqliteStore::savepoint(int number) {
  if (markers_.empty()) begin();
  // Savepoints opened while this table has changed nothing in the transaction (SQLite reports
  // only the innermost of those opened before xBegin) all hold the state at xBegin.
  if (markers_.size() == 1 && undo_.empty() && partition_undo_.empty())
    unchanged_through_ = std::max(unchanged_through_, number);
  if (markers_.size() > 1 && markers_.back().number >= number) release(number);
  markers_.push_back({number, next_mark_++, undo_.size(), partition_undo_.size(), g_, flushes_});
}

void SqliteStore::merge_top_marker() {
  const Marker top = markers_.back();
  markers_.pop_back();
  const Marker& below = markers_.back();
  std::size_t out = top.pos;
  for (std::size_t i = top.pos; i < undo_.size(); ++i) {
    UndoEntry& e = undo_[i];
    saved_mark_[e.node] = below.id;
    if (e.prev_mark == below.id) continue;  // the level below holds an older copy already
    if (out != i) undo_[out] = std::move(e);
    ++out;
  }
  undo_.resize(out);
}

void SqliteStore::release(int number) {
  unchanged_through_ = std::min(unchanged_through_, number - 1);
  while (markers_.size() > 1 && markers_.back().number >= number) merge_top_marker();
}

void SqliteStore::restore_to(std::size_t index) {
  const Marker m = markers_[index];
  for (std::size_t i = undo_.size(); i-- > m.pos;) {
    UndoEntry& e = undo_[i];
    assign(e.node, e.old);
    saved_mark_[e.node] = e.prev_mark;
    mark_dirty(e.node);
  }
  undo_.resize(m.pos);
  for (std::size_t i = partition_undo_.size(); i-- > m.partition_pos;) {
    entries_[partition_undo_[i].partition] = partition_undo_[i].old;
    mark_partition_dirty(partition_undo_[i].partition);
  }
  partition_undo_.resize(m.partition_pos);
  g_ = m.globals;
  markers_.resize(index + 1);
  if (flushes_ != m.flushes) {
    // Nodes were written since this savepoint and SQLite has now restored older rows: the
    // mirror is right, so write all of it again at commit.
    for (std::size_t n = 0; n < high_water_; ++n) mark_dirty(static_cast<NodeId>(n));
    for (std::size_t p = 0; p < entries_.size(); ++p)
      mark_partition_dirty(static_cast<std::uint32_t>(p));
  }
}

void SqliteStore::rollback_to(int number) {
  if (number <= unchanged_through_) {
    restore_to(0);
    return;
  }
  for (std::size_t i = 0; i < markers_.size(); ++i) {
    if (markers_[i].number >= number) {
      restore_to(i);
      return;
    }
  }
}

void SqliteStore::commit() {
  undo_.clear();
  partition_undo_.clear();
  markers_.clear();
}

void SqliteStore::rollback() {
  if (!markers_.empty()) restore_to(0);
  undo_.clear();
  partition_undo_.clear();
  markers_.clear();
  // Every earlier transaction wrote its nodes at commit: the restored mirror matches the tables.
  clear_dirty();
}

// ---- vector cache ----------------------------------------------------------------------------

std::uint32_t SqliteStore::acquire_slot() const {
  if (!free_slots_.empty()) {
    std::uint32_t s = free_slots_.back();
    free_slots_.pop_back();
    return s;
  }
  if (owner_.size() < slot_capacity_) {
    auto s = static_cast<std::uint32_t>(owner_.size());
    if (s / kSlotsPerChunk >= chunks_.size()) {
      chunks_.emplace_back(new (kAlignment) float[kSlotsPerChunk * slot_floats_]);
    }
    owner_.push_back(kNoNode);
    ref_.push_back(0);
    return s;
  }
  // CLOCK: skip recently used slots once, never the pinned node.
  for (;;) {
    hand_ = (hand_ + 1) % owner_.size();
    NodeId o = owner_[hand_];
    if (o == kNoNode) return static_cast<std::uint32_t>(hand_);
    if (o == pin_) continue;
    if (ref_[hand_]) {
      ref_[hand_] = 0;
      continue;
    }
    slot_of_[o] = kNoSlot;
    owner_[hand_] = kNoNode;
    ++evictions_;
    return static_cast<std::uint32_t>(hand_);
  }
}

const float* SqliteStore::load_vector(NodeId n) const {
  scratch_.resize(dims_);
  source_.read_vector(n, scratch_.data());  // may throw: nothing changed yet
  std::uint32_t s = acquire_slot();
  float* p = slot_ptr(s);
  hnsw::prepare_vector(metric_, scratch_.data(), p, dims_);
  owner_[s] = n;
  ref_[s] = 1;
  slot_of_[n] = s;
  ++loads_;
  return p;
}

void SqliteStore::put_vector(NodeId n, const float* prepared) {
  forget_vector(n);
  std::uint32_t s = acquire_slot();
  std::memcpy(slot_ptr(s), prepared, dims_ * sizeof(float));
  owner_[s] = n;
  ref_[s] = 1;
  slot_of_[n] = s;
}

void SqliteStore::forget_vector(NodeId n) {
  if (n >= slot_of_.size()) return;
  std::uint32_t s = slot_of_[n];
  if (s == kNoSlot) return;
  owner_[s] = kNoNode;
  ref_[s] = 0;
  free_slots_.push_back(s);
  slot_of_[n] = kNoSlot;
}

CacheStats SqliteStore::cache_stats() const {
  CacheStats s;
  s.capacity = slot_capacity_;
  s.resident = owner_.size() - free_slots_.size();
  s.loads = loads_;
  s.evictions = evictions_;
  return s;
}

}  // namespace llmspell::sqlite::hnsw_vtab
