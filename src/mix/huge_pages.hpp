// huge_pages.hpp — memory for the mixer's big hashed tables, on 2 MiB pages
// where the system allows it.
//
// Every bit looks up one random slot in each of ten counter tables of up to
// 6 MiB each. With 4 KiB pages nearly every lookup also misses the TLB, and a
// page walk is a wait a prefetch hides badly. Linux gives huge pages to
// aligned memory marked MADV_HUGEPAGE (transparent huge pages in "madvise"
// mode); elsewhere, or if refused, this is ordinary memory. Only speed
// depends on it, never a value. Frozen with the units that use it: listed
// in tests/frozen-units.sha256.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mbz::mix {

// n copies of T{} in one block aligned to (and a multiple of) 2 MiB.
template <class T>
class HugePageArray {
 public:
  explicit HugePageArray(size_t n) : n_(n) {
    constexpr size_t kHugePage = size_t{2} << 20;
    const size_t bytes = (n * sizeof(T) + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, bytes > 0 ? bytes : kHugePage);
    if (!p) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    madvise(p, bytes, MADV_HUGEPAGE);  // advice only: a refusal changes nothing but speed
#endif
    data_.reset(static_cast<T*>(p));
    std::uninitialized_fill_n(data_.get(), n, T{});
  }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  size_t size() const { return n_; }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> data_;
  size_t n_;
};

}  // namespace mbz::mix
