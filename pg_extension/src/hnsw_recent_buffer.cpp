#include "hnsw_recent_buffer.h"

extern "C" {
#include "storage/buf_internals.h"
}

#include <cstddef>

namespace {

struct RecentBuffer {
  RelFileNode node;
  BlockNumber block;
  Buffer buffer;
};
constexpr std::size_t kRecentBuffers = std::size_t{1} << 16;
RecentBuffer recent_buffers[kRecentBuffers];

RecentBuffer& recent_slot(const RelFileNode& node, BlockNumber block) {
  return recent_buffers[(block * 2654435761u + node.relNode) % kRecentBuffers];
}

}  // namespace

Buffer hnsw_read_buffer(Relation index, BlockNumber block) {
  const RelFileNode& node = index->rd_node;
  RecentBuffer& slot = recent_slot(node, block);
  if (slot.block == block && RelFileNodeEquals(slot.node, node) &&
      ReadRecentBuffer(node, MAIN_FORKNUM, block, slot.buffer))
    return slot.buffer;
  Buffer buf = ReadBuffer(index, block);
  slot.node = node;
  slot.block = block;
  slot.buffer = buf;
  return buf;
}

void hnsw_prefetch_buffer_header(Relation index, BlockNumber block) {
  const RecentBuffer& slot = recent_slot(index->rd_node, block);
  if (slot.block == block && slot.buffer > 0)
    __builtin_prefetch(GetBufferDescriptor(slot.buffer - 1), 1);  // to be locked: for writing
}
