// scratch.hpp — a work buffer grown to at least n elements and never shrunk,
// so that a thread's buffers cost a fresh, page-faulted mapping once rather
// than at every call (the engine's per-thread scratch: cpu_stack.cpp's
// stack_forward, cpu_engine.cpp's local groups).
#pragma once

#include <cstddef>
#include <vector>

namespace mbz {

// buf's data, with room for n elements; entries are left as they were.
template <class T>
T* scratch(std::vector<T>& buf, size_t n) {
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

}  // namespace mbz
