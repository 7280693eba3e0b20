// context_hash.hpp — the hashes of the mixer's contexts (docs/FORMAT.md
// "Mixed segments", "Hashes"), written once and pinned by tests at the check
// values a second implementation of the document computes
// (tests/test_mixer.cpp). Every operation wraps modulo 2^32. Frozen: listed
// in tests/frozen-units.sha256.
#pragma once

#include <cstdint>

namespace mbz::mix {

inline uint32_t mix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x7FEB352Du;
  h ^= h >> 15;
  h *= 0x846CA68Bu;
  h ^= h >> 16;
  return h;
}
inline uint32_t hash2(uint32_t a, uint32_t b) { return mix32(a * 0x9E3779B1u + mix32(b + 0x632BE5ABu)); }

}  // namespace mbz::mix
