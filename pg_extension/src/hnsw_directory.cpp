#include "hnsw_directory.h"

extern "C" {
#include "access/generic_xlog.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
}

#include "hnsw_recent_buffer.h"

using namespace hnsw_pages;

int directory_capacity() {
  return static_cast<int>((page_capacity() - sizeof(DirectoryPageHeader)) / sizeof(DirectoryEntry));
}

void hnsw_directory_init_page(Page page) {
  PageInit(page, BLCKSZ, sizeof(PageOpaque));
  opaque(page)->next = InvalidBlockNumber;
  opaque(page)->type = kDirectoryPage;
  opaque(page)->page_id = kPageId;
  directory_header(page)->count = 0;
  ((PageHeader)page)->pd_lower =
      static_cast<LocationIndex>(PageGetContents(page) + sizeof(DirectoryPageHeader) +
                                 directory_capacity() * sizeof(DirectoryEntry) - page);
}

Buffer hnsw_new_page(Relation index, uint16 type) {
  LockRelationForExtension(index, ExclusiveLock);
  Buffer buf = ReadBuffer(index, P_NEW);
  LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
  UnlockRelationForExtension(index, ExclusiveLock);
  GenericXLogState* state = GenericXLogStart(index);
  Page page = GenericXLogRegisterBuffer(state, buf, GENERIC_XLOG_FULL_IMAGE);
  if (type == kDirectoryPage) {
    hnsw_directory_init_page(page);
  } else {
    PageInit(page, BLCKSZ, sizeof(PageOpaque));
    opaque(page)->next = InvalidBlockNumber;
    opaque(page)->type = type;
    opaque(page)->page_id = kPageId;
  }
  GenericXLogFinish(state);
  return buf;
}

// Looks for key on the directory pages; `held` is a block this backend already holds locked.
static bool scan_directory(Relation index, uint64 key, Buffer held, BlockNumber* block, int* slot,
                           BlockNumber* last) {
  BlockNumber b = kDirectoryBlock;
  while (b != InvalidBlockNumber) {
    bool mine = BufferIsValid(held) && BufferGetBlockNumber(held) == b;
    Buffer buf = mine ? held : hnsw_read_buffer(index, b);
    if (!mine) LockBuffer(buf, BUFFER_LOCK_SHARE);
    Page page = BufferGetPage(buf);
    DirectoryEntry* e = directory_entries(page);
    uint32 count = directory_header(page)->count;
    for (uint32 i = 0; i < count; ++i) {
      if (e[i].key == key) {
        *block = b;
        *slot = static_cast<int>(i);
        if (!mine) UnlockReleaseBuffer(buf);
        return true;
      }
    }
    *last = b;
    BlockNumber next = opaque(page)->next;
    if (!mine) UnlockReleaseBuffer(buf);
    b = next;
  }
  return false;
}

bool hnsw_directory_find(Relation index, uint64 key, bool create, BlockNumber* block, int* slot) {
  BlockNumber last = kDirectoryBlock;
  if (scan_directory(index, key, InvalidBuffer, block, slot, &last)) return true;
  if (!create) return false;
  // Creators serialise on the head page, then look again: another backend may have won.
  Buffer head = ReadBuffer(index, kDirectoryBlock);
  LockBuffer(head, BUFFER_LOCK_EXCLUSIVE);
  if (scan_directory(index, key, head, block, slot, &last)) {
    UnlockReleaseBuffer(head);
    return true;
  }
  Buffer buf = last == kDirectoryBlock ? head : ReadBuffer(index, last);
  if (buf != head) LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
  if (directory_header(BufferGetPage(buf))->count >= static_cast<uint32>(directory_capacity())) {
    Buffer fresh = hnsw_new_page(index, kDirectoryPage);
    GenericXLogState* state = GenericXLogStart(index);
    Page page = GenericXLogRegisterBuffer(state, buf, 0);
    opaque(page)->next = BufferGetBlockNumber(fresh);
    GenericXLogFinish(state);
    if (buf != head) UnlockReleaseBuffer(buf);
    buf = fresh;
  }
  GenericXLogState* state = GenericXLogStart(index);
  Page page = GenericXLogRegisterBuffer(state, buf, 0);
  uint32 i = directory_header(page)->count++;
  DirectoryEntry& e = directory_entries(page)[i];
  e.key = key;
  e.entry = llmspell::hnsw::kNoNode;
  e.max_level = -1;
  e.count = 0;
  e.link_edits = 0;
  GenericXLogFinish(state);
  *block = BufferGetBlockNumber(buf);
  *slot = static_cast<int>(i);
  if (buf != head) UnlockReleaseBuffer(buf);
  UnlockReleaseBuffer(head);
  return true;
}

DirectoryEntry hnsw_directory_read(Relation index, BlockNumber block, int slot) {
  Buffer buf = hnsw_read_buffer(index, block);
  LockBuffer(buf, BUFFER_LOCK_SHARE);
  DirectoryEntry e = directory_entries(BufferGetPage(buf))[slot];
  UnlockReleaseBuffer(buf);
  return e;
}

void hnsw_directory_update(Relation index, BlockNumber block, int slot, NodeId entry, int level,
                           bool only_if_higher, int64 count_delta) {
  Buffer buf = ReadBuffer(index, block);
  LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
  DirectoryEntry current = directory_entries(BufferGetPage(buf))[slot];
  bool change =
      !only_if_higher || current.entry == llmspell::hnsw::kNoNode || level > current.max_level;
  if (change || count_delta != 0) {
    GenericXLogState* state = GenericXLogStart(index);
    Page page = GenericXLogRegisterBuffer(state, buf, 0);
    DirectoryEntry& e = directory_entries(page)[slot];
    if (change) {
      e.entry = entry;
      e.max_level = level;
    }
    e.count += count_delta;
    GenericXLogFinish(state);
  }
  UnlockReleaseBuffer(buf);
}

void hnsw_directory_adjust_count(Relation index, BlockNumber block, int slot, int64 delta) {
  Buffer buf = ReadBuffer(index, block);
  LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
  GenericXLogState* state = GenericXLogStart(index);
  Page page = GenericXLogRegisterBuffer(state, buf, 0);
  directory_entries(page)[slot].count += delta;
  directory_entries(page)[slot].link_edits++;
  GenericXLogFinish(state);
  UnlockReleaseBuffer(buf);
}

int hnsw_directory_list(Relation index, DirectoryEntry* out, int max) {
  int total = 0;
  BlockNumber b = kDirectoryBlock;
  while (b != InvalidBlockNumber) {
    Buffer buf = hnsw_read_buffer(index, b);
    LockBuffer(buf, BUFFER_LOCK_SHARE);
    Page page = BufferGetPage(buf);
    uint32 count = directory_header(page)->count;
    for (uint32 i = 0; i < count; ++i, ++total) {
      if (total < max) out[total] = directory_entries(page)[i];
    }
    b = opaque(page)->next;
    UnlockReleaseBuffer(buf);
  }
  return total;
}
