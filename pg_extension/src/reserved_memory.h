// Address space reserved up front and backed by the kernel as it is first written, in
// transparent huge pages where the kernel allows them (madvise mode included). For large tables
// read at random, such as a scan cache whose every distance touches a new entry: with 4 kB pages
// nearly each touch is a TLB miss, and in a virtual machine a page walk is expensive.
#pragma once

#include <cstddef>

class ReservedMemory {
 public:
  ReservedMemory() = default;
  // Reserves `bytes`; throws std::bad_alloc when the address space is not available.
  explicit ReservedMemory(std::size_t bytes);
  ~ReservedMemory();
  ReservedMemory(const ReservedMemory&) = delete;
  ReservedMemory& operator=(const ReservedMemory&) = delete;
  ReservedMemory(ReservedMemory&& other) noexcept { swap(other); }
  ReservedMemory& operator=(ReservedMemory&& other) noexcept {
    swap(other);
    return *this;
  }

  // Aligned to a huge page; zero-filled until written. nullptr when nothing is reserved.
  char* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  void swap(ReservedMemory& other) noexcept;

  void* mapping_ = nullptr;
  std::size_t mapping_bytes_ = 0;
  char* data_ = nullptr;
  std::size_t size_ = 0;
};
