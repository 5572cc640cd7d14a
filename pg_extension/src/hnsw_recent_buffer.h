// Which shared buffer held an index block when this backend last read it. Scans revisit the same
// blocks query after query (the metapage, the directory, the elements near the entry points):
// ReadRecentBuffer pins such a buffer again after checking that it still holds the block,
// without a lookup in the shared buffer mapping table, which costs several cache misses.
#pragma once

#include "pg_glue.h"

extern "C" {
#include "storage/bufmgr.h"
#include "utils/rel.h"
}

// ReadBuffer(index, block), through the recent buffer when it still holds the block.
Buffer hnsw_read_buffer(Relation index, BlockNumber block);

// A hint: starts loading the header of the buffer hnsw_read_buffer() would return for this
// block, for locking.
void hnsw_prefetch_buffer_header(Relation index, BlockNumber block);
