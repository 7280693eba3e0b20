// Hashes used by mbz: SHA-256 identifies model files; XXH64 checks data.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace mbz {

using Sha256 = std::array<uint8_t, 32>;

Sha256 sha256(const void* data, size_t n);
std::string to_hex(const uint8_t* p, size_t n);
inline std::string to_hex(const Sha256& h) { return to_hex(h.data(), h.size()); }

// XXH64 with seed 0: the checksum of segments, headers and whole files.
uint64_t xxh64(const void* data, size_t n);

// Incremental XXH64 for the whole-file checksum of a stream.
class Xxh64Stream {
 public:
  Xxh64Stream();
  ~Xxh64Stream();
  Xxh64Stream(const Xxh64Stream&) = delete;
  Xxh64Stream& operator=(const Xxh64Stream&) = delete;
  void update(const void* data, size_t n);
  uint64_t digest() const;

 private:
  void* state_;
};

}  // namespace mbz
