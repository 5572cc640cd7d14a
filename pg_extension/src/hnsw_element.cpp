#include "hnsw_element.h"

#include <cmath>
#include <cstring>

#include "vector/float16.h"

using namespace hnsw_pages;

uint32* hnsw_element_links(ElementHeader* h, uint32 m, int level) {
  return reinterpret_cast<uint32*>(reinterpret_cast<char*>(h) + links_offset(m, level));
}

void hnsw_fill_element(char* dst, const MetaData& meta, int level, ItemPointerData heap_tid,
                       const uint64* keys, const float* prepared) {
  std::size_t size = element_size(meta.m, meta.dims, meta.vector_format, level);
  std::memset(dst, 0, size);
  auto* h = reinterpret_cast<ElementHeader*>(dst);
  h->heap_tid = heap_tid;
  h->level = static_cast<uint8>(level);
  h->flags = 0;
  for (int i = 0; i < kMaxFilterKeys; ++i) h->keys[i] = i < meta.filter_keys ? keys[i] : 0;
  char* v = dst + sizeof(ElementHeader) + links_bytes(meta.m, level);
  if (meta.vector_format == kFloat32) {
    std::memcpy(v, prepared, sizeof(float) * meta.dims);
    h->err = 0;
  } else {
    auto* halves = reinterpret_cast<uint16*>(v);
    double err = 0;
    for (uint32 i = 0; i < meta.dims; ++i) {
      halves[i] = llmspell::vector::float_to_half(prepared[i]);
      double d = double{prepared[i]} - llmspell::vector::half_to_float(halves[i]);
      err += d * d;
    }
    // Rounded up a little so the lower bound stays a lower bound under float rounding.
    h->err = static_cast<float>(std::sqrt(err) * 1.0001 + 1e-7);
  }
}
