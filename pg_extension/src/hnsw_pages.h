// On-disk layout of the llmspell_hnsw index, with every limit and constant in one place.
//
// Block 0 is the metapage. Block 1 starts the partition directory: one entry per value of the
// first filter column (or a single entry when the index has no filter column), holding that
// partition's entry point, so each tenant has a graph of its own. Every other block holds
// element tuples: one node each, with its heap TID, level, flags, filter key hashes, links for
// every level it lives on, and its vector. Elements have a fixed size and are updated in place.
#pragma once

#include "pg_glue.h"

extern "C" {
#include "storage/bufpage.h"
#include "storage/itemptr.h"
}

#include <cstddef>
#include <cstdint>

#include "hnsw/types.h"

namespace hnsw_pages {

using llmspell::hnsw::NodeId;

inline constexpr uint32 kMagic = 0x4c4c4d48;  // "LLMH"
inline constexpr uint32 kVersion = 2;         // 2: DirectoryEntry.link_edits
inline constexpr BlockNumber kMetaBlock = 0;
inline constexpr BlockNumber kDirectoryBlock = 1;
inline constexpr int kMaxFilterKeys = 2;  // index columns after the vector
inline constexpr int kOffsetBits = 9;     // NodeId = block << 9 | offset
inline constexpr BlockNumber kMaxBlocks = BlockNumber{1} << (32 - kOffsetBits);

enum PageType : uint16 { kMetaPage = 1, kDirectoryPage = 2, kElementPage = 3 };
enum VectorFormat : uint8 { kFloat32 = 0, kFloat16 = 1 };
enum ElementFlags : uint8 { kDeleted = 1, kFree = 2 };

struct PageOpaque {
  BlockNumber next;  // directory pages: the next one; others: InvalidBlockNumber
  uint16 type;
  uint16 page_id;  // kPageId, as other AMs do, so tools can tell the pages apart
};
inline constexpr uint16 kPageId = 0xFF90;

struct MetaData {
  uint32 magic;
  uint32 version;
  uint32 dims;
  uint16 m;
  uint16 ef_construction;
  uint8 metric;         // llmspell::hnsw::Metric
  uint8 vector_format;  // VectorFormat
  uint8 filter_keys;    // number of filter columns
  uint8 unused;
  uint32 element_size_0;     // size of a level-0 element, for slot reuse
  BlockNumber insert_block;  // where appends go
  BlockNumber free_hint;     // first block that may hold free slots (InvalidBlockNumber: none)
  uint64 generation;         // bumped by every vacuum that freed slots
};

struct DirectoryEntry {
  uint64 key;  // hash of the partition value; 0 without filter columns
  NodeId entry;
  int32 max_level;
  int64 count;        // live nodes in the partition
  uint64 link_edits;  // bumped after every insert's and VACUUM's link writes (scan caches)
};

struct ElementHeader {
  ItemPointerData heap_tid;
  uint8 level;
  uint8 flags;
  uint64 keys[kMaxFilterKeys];  // hashes of the filter columns; 0 for NULL or absent
  float err;                    // float16 elements: |x - stored x|, for distance lower bounds
  uint32 reserved;
  // then, for each level 0..level: uint32 count, NodeId links[max_links(level)]
  // then the vector: float32 or float16 values
};

inline NodeId node_id(BlockNumber block, OffsetNumber offset) {
  return (NodeId{block} << kOffsetBits) | offset;
}
inline BlockNumber node_block(NodeId n) { return n >> kOffsetBits; }
inline OffsetNumber node_offset(NodeId n) {
  return static_cast<OffsetNumber>(n & ((1u << kOffsetBits) - 1));
}

inline std::size_t links_bytes(uint32 m, int level) {
  std::size_t bytes = 0;
  for (int l = 0; l <= level; ++l) bytes += sizeof(uint32) * (1 + (l == 0 ? 2 * m : m));
  return bytes;
}
inline std::size_t links_offset(uint32 m, int level) {
  return sizeof(ElementHeader) + (level == 0 ? 0 : links_bytes(m, level - 1));
}
inline std::size_t vector_bytes(uint32 dims, uint8 format) {
  return dims * (format == kFloat16 ? 2 : 4);
}
inline std::size_t element_size(uint32 m, uint32 dims, uint8 format, int level) {
  return MAXALIGN(sizeof(ElementHeader) + links_bytes(m, level) + vector_bytes(dims, format));
}

// Room for element tuples on one page.
inline std::size_t page_capacity() {
  return BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(PageOpaque));
}

// Float32 when a top-level element fits on a page, else float16 (3072 dimensions and beyond).
inline uint8 choose_format(uint32 m, uint32 dims) {
  return element_size(m, dims, kFloat32, llmspell::hnsw::kMaxLevel) + sizeof(ItemIdData) <=
                 page_capacity()
             ? kFloat32
             : kFloat16;
}

inline PageOpaque* opaque(Page page) {
  return reinterpret_cast<PageOpaque*>(PageGetSpecialPointer(page));
}
inline MetaData* meta(Page page) { return reinterpret_cast<MetaData*>(PageGetContents(page)); }

}  // namespace hnsw_pages
