// huge_blocks.hpp — an allocator for the engine's blocks of a few hundred
// KiB that outlive a thread's scratch (a teacher forcing's chunk vectors,
// handed from thread to thread, and the attention rings, made once per
// decoding or forced group): from 256 KiB a block is rounded up to whole
// 2 MiB pages, aligned to them and marked MADV_HUGEPAGE (common/
// huge_pages.hpp's HugePageArray does so from 1 MiB, for the mixer's tables
// and the model), so its first touch is one fault, not one per
// 4 KiB (~11 µs each on the virtual machines mbz is measured on: a 512 KiB
// block took 128 of them). The rounding costs memory, up to 2 MiB a block,
// and never a value. Smaller blocks are ordinary memory.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mbz {

namespace huge_blocks_detail {
constexpr size_t kHugePage = size_t{2} << 20, kFromBytes = size_t{256} << 10;
inline void* take(size_t bytes) {
  void* p = nullptr;
  if (bytes >= kFromBytes) {
    const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    p = std::aligned_alloc(kHugePage, rounded);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (p) madvise(p, rounded, MADV_HUGEPAGE);  // advice only: a refusal changes nothing but speed
#endif
  } else {
    p = std::malloc(bytes == 0 ? 1 : bytes);
  }
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace huge_blocks_detail

template <class T>
struct HugeBlockAllocator {
  using value_type = T;
  HugeBlockAllocator() = default;
  template <class U>
  HugeBlockAllocator(const HugeBlockAllocator<U>&) noexcept {}
  T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    return static_cast<T*>(huge_blocks_detail::take(n * sizeof(T)));
  }
  void deallocate(T* p, size_t) noexcept { std::free(p); }
  template <class U>
  bool operator==(const HugeBlockAllocator<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const HugeBlockAllocator<U>&) const noexcept { return false; }
};

template <class T>
using HugeBlockVector = std::vector<T, HugeBlockAllocator<T>>;

}  // namespace mbz
