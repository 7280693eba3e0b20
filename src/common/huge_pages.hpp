// huge_pages.hpp — big blocks of memory on 2 MiB pages where the system
// allows it: the mixer's hashed tables, the model file's image.
//
// Two costs of 4 KiB pages. Every bit the mixer codes looks up one random
// slot in each of ten counter tables of up to 6 MiB each: nearly every lookup
// also misses the TLB, and a page walk is a wait a prefetch hides badly. And
// every first touch of a page is a page fault: a 4 MiB model read into
// fresh memory took a thousand of them, most of a small file's run on a
// virtual machine. Linux gives huge pages to aligned memory marked
// MADV_HUGEPAGE (transparent huge pages in "madvise" mode); elsewhere, or if
// refused, this is ordinary memory. Blocks under 1 MiB are ordinary memory
// always (a huge page would be mostly waste). Only speed depends on it,
// never a value. Frozen with the mixer units that use it: listed in
// tests/frozen-units.sha256.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mbz {

// Asks for elements that are left as they are (to be written before read).
struct Uninitialized {};

// n elements of T in one block, aligned to (and a multiple of) 2 MiB when it
// is 1 MiB or more, else to 64 bytes.
template <class T>
class HugePageArray {
 public:
  HugePageArray() = default;
  // n copies of T{}.
  explicit HugePageArray(size_t n) : HugePageArray(n, Uninitialized{}) { std::uninitialized_fill_n(data_.get(), n, T{}); }
  // n elements not yet written (T trivial: any bytes are a T).
  HugePageArray(size_t n, Uninitialized) : n_(n) {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>, "plain data only");
    constexpr size_t kHugePage = size_t{2} << 20, kLine = 64;
    const size_t want = n * sizeof(T);
    void* p = nullptr;
    if (want < kHugePage / 2) {
      p = std::aligned_alloc(kLine, (want + kLine - 1) / kLine * kLine + kLine);  // never 0 bytes
    } else {
      const size_t bytes = (want + kHugePage - 1) / kHugePage * kHugePage;
      p = std::aligned_alloc(kHugePage, bytes);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
      if (p) madvise(p, bytes, MADV_HUGEPAGE);  // advice only: a refusal changes nothing but speed
#endif
    }
    if (!p) throw std::bad_alloc();
    data_.reset(static_cast<T*>(p));
  }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  size_t size() const { return n_; }
  T& operator[](size_t i) { return data_.get()[i]; }
  const T& operator[](size_t i) const { return data_.get()[i]; }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> data_;
  size_t n_ = 0;
};

}  // namespace mbz
