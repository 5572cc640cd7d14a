#include "reserved_memory.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>
#include <utility>

namespace {
constexpr std::size_t kHugePage = std::size_t{2} << 20;
}

ReservedMemory::ReservedMemory(std::size_t bytes) {
  if (bytes == 0) return;
  // One huge page more than asked, so that the start can be moved to a huge page boundary.
  mapping_bytes_ = bytes + kHugePage;
  void* p = mmap(nullptr, mapping_bytes_, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  mapping_ = p;
  auto start = reinterpret_cast<std::uintptr_t>(p);
  data_ = reinterpret_cast<char*>((start + kHugePage - 1) & ~(kHugePage - 1));
  size_ = bytes;
  // Only a hint: without it (or where the kernel refuses) the pages are ordinary ones.
  (void)madvise(data_, size_, MADV_HUGEPAGE);
}

ReservedMemory::~ReservedMemory() {
  if (mapping_ != nullptr) munmap(mapping_, mapping_bytes_);
}

void ReservedMemory::swap(ReservedMemory& other) noexcept {
  std::swap(mapping_, other.mapping_);
  std::swap(mapping_bytes_, other.mapping_bytes_);
  std::swap(data_, other.data_);
  std::swap(size_, other.size_);
}
