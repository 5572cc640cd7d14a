// The partition directory: one entry per value of the first filter column (its hash), holding
// the entry point, top level and live count of that partition's graph. Plain PostgreSQL code:
// callers inside the core wrap these in pg_guard().
#pragma once

#include "pg_glue.h"

extern "C" {
#include "utils/rel.h"
}

#include "hnsw_pages.h"

struct DirectoryPageHeader {
  uint32 count;
  uint32 reserved;
};

inline hnsw_pages::DirectoryEntry* directory_entries(Page page) {
  return reinterpret_cast<hnsw_pages::DirectoryEntry*>(PageGetContents(page) +
                                                       sizeof(DirectoryPageHeader));
}
inline DirectoryPageHeader* directory_header(Page page) {
  return reinterpret_cast<DirectoryPageHeader*>(PageGetContents(page));
}
int directory_capacity();

// Initialises an empty directory page (in a page image, not WAL-logged by itself).
void hnsw_directory_init_page(Page page);

// Finds the entry for `key`; with `create`, adds an empty one when missing.
bool hnsw_directory_find(Relation index, uint64 key, bool create, BlockNumber* block, int* slot);
hnsw_pages::DirectoryEntry hnsw_directory_read(Relation index, BlockNumber block, int slot);
// Sets the entry point; with only_if_higher, only when the partition is empty or `level` is
// above its top level.
void hnsw_directory_update(Relation index, BlockNumber block, int slot, hnsw_pages::NodeId entry,
                           int level, bool only_if_higher, int64 count_delta);
// Adds delta to the live count and counts one more change of the partition's links: writers call
// it after their link writes (insert, VACUUM), so that scans drop links cached before them.
void hnsw_directory_adjust_count(Relation index, BlockNumber block, int slot, int64 delta);

// Copies up to `max` entries into out; returns how many there are in all.
int hnsw_directory_list(Relation index, hnsw_pages::DirectoryEntry* out, int max);

// Appends a new page of the given type at the end of the index, exclusively locked and
// initialised through GenericXLog.
Buffer hnsw_new_page(Relation index, uint16 type);
