// XXH64 through libxxhash, and hex; SHA-256 is sha256.cpp's.
#include "common/hashes.hpp"

#include <xxhash.h>

#include "mbz/error.hpp"

namespace mbz {

std::string to_hex(const uint8_t* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    s.push_back(digits[p[i] >> 4]);
    s.push_back(digits[p[i] & 15]);
  }
  return s;
}

uint64_t xxh64(const void* data, size_t n) { return XXH64(data, n, 0); }

Xxh64Stream::Xxh64Stream() : state_(XXH64_createState()) {
  if (!state_) throw Error(ErrorCode::internal, "out of memory");
  XXH64_reset(static_cast<XXH64_state_t*>(state_), 0);
}
Xxh64Stream::~Xxh64Stream() { XXH64_freeState(static_cast<XXH64_state_t*>(state_)); }
void Xxh64Stream::update(const void* data, size_t n) {
  XXH64_update(static_cast<XXH64_state_t*>(state_), data, n);
}
uint64_t Xxh64Stream::digest() const { return XXH64_digest(static_cast<XXH64_state_t*>(state_)); }

}  // namespace mbz
