// zeroed_pages.hpp — a block of zero bytes, made by the kernel and ready to
// use: the tables of a mixer unit whose starting state is all zeros.
//
// Why: fresh memory costs ~1.5-2.4 ms a MiB on this kind of virtual machine
// the first time it is touched (the kernel zeroes it; bench/RESULTS.md
// "Text — mixer profile 10"). A table that starts as all zeros needs nothing
// more than that: no second pass writing its starting values, as
// HugePageArray's users make. And the pages are touched here, when the unit
// is made, not at their first use: the decoder sets up a small segment's
// unit on another thread while the model loads (mixed_coding.hpp
// UnitAhead), the encoder while the model reads the segment, so the faults
// stay off the coding loop (a 10 KB file took 9% longer to round-trip with
// tables left to fault in where the coding first touched them). Blocks of 1 MiB
// or more are mapped on 2 MiB pages where the system allows (MADV_HUGEPAGE,
// as huge_pages.hpp: fewer faults and TLB misses); smaller ones come from
// calloc. Never changes a value. Frozen with the mixer units that use it
// (tests/frozen-units.sha256).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mbz {

template <class T>
class ZeroedArray {
 public:
  ZeroedArray() = default;
  // n elements, every byte 0.
  explicit ZeroedArray(size_t n) : n_(n) {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>, "plain data only");
    const size_t want = n * sizeof(T);
#if defined(__linux__)
    constexpr size_t kMapped = size_t{1} << 20, kHugePage = size_t{2} << 20, kPage = 4096;
    if (want >= kMapped) {
      const size_t rounded = (want + kHugePage - 1) / kHugePage * kHugePage;
      const size_t bytes = rounded + kHugePage;  // room to align to a huge page
      void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      map_ = p, map_bytes_ = bytes;
      const uintptr_t at = (reinterpret_cast<uintptr_t>(p) + kHugePage - 1) / kHugePage * kHugePage;
#if defined(MADV_HUGEPAGE)
      madvise(reinterpret_cast<void*>(at), rounded, MADV_HUGEPAGE);  // advice only
#endif
      data_ = reinterpret_cast<T*>(at);
      volatile char* const bytes_at = reinterpret_cast<volatile char*>(at);
      for (size_t i = 0; i < want; i += kPage) bytes_at[i] = 0;  // fault the pages in now (zero stays zero)
      return;
    }
#endif
    data_ = static_cast<T*>(std::calloc(want ? want : 1, 1));
    if (!data_) throw std::bad_alloc();
  }
  ZeroedArray(const ZeroedArray&) = delete;
  ZeroedArray& operator=(const ZeroedArray&) = delete;
  ZeroedArray(ZeroedArray&& o) noexcept { swap(o); }
  ZeroedArray& operator=(ZeroedArray&& o) noexcept {
    swap(o);
    return *this;
  }
  ~ZeroedArray() {
#if defined(__linux__)
    if (map_) {
      munmap(map_, map_bytes_);
      return;
    }
#endif
    std::free(data_);
  }
  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return n_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }

 private:
  void swap(ZeroedArray& o) noexcept {
    std::swap(data_, o.data_), std::swap(n_, o.n_), std::swap(map_, o.map_), std::swap(map_bytes_, o.map_bytes_);
  }
  T* data_ = nullptr;
  size_t n_ = 0;
  void* map_ = nullptr;  // the mapping (data_ lies inside it), or null: data_ is calloc's
  size_t map_bytes_ = 0;
};

}  // namespace mbz
