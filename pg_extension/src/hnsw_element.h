// Writing one element tuple: header, empty link lists, and the vector in the index's format.
#pragma once

#include "hnsw_pages.h"

// Fills an element of element_size(meta.m, meta.dims, meta.vector_format, level) bytes at dst.
// `prepared` is the vector as the graph compares it (normalised for cosine).
void hnsw_fill_element(char* dst, const hnsw_pages::MetaData& meta, int level,
                       ItemPointerData heap_tid, const uint64* keys, const float* prepared);

// The link list of `level` inside an element (count, then ids).
uint32* hnsw_element_links(hnsw_pages::ElementHeader* h, uint32 m, int level);
