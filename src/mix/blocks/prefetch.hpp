// prefetch.hpp — starts loading a span of memory into the cache (speed only, never a value).
#pragma once

#include <cstddef>

namespace mbz::mix {

// Starts loading bytes [p, p + n) into the cache.
inline void prefetch_span(const void* p, size_t n) {
  const char* c = static_cast<const char*>(p);
  for (size_t i = 0; i < n; i += 64) __builtin_prefetch(c + i);
  __builtin_prefetch(c + n - 1);
}

}  // namespace mbz::mix
