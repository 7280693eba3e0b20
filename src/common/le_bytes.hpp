// Little-endian serialization helpers shared by the model file and the .mbz
// container. Both formats are little-endian on every platform by definition.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "mbz/error.hpp"

namespace mbz {

class ByteWriter {
 public:
  void u8(uint8_t v) { buf_.push_back(v); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void i32(int32_t v) { put(static_cast<uint32_t>(v), 4); }
  void i64(int64_t v) { put(static_cast<uint64_t>(v), 8); }
  void bytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    buf_.insert(buf_.end(), b, b + n);
  }
  void str8(const std::string& s) { u8(static_cast<uint8_t>(s.size())); bytes(s.data(), s.size()); }
  std::vector<uint8_t>& data() { return buf_; }
  size_t size() const { return buf_.size(); }

 private:
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) buf_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> buf_;
};

// Reads from a bounded buffer; running past its end throws `truncated` with
// the caller's description of what was being read.
class ByteReader {
 public:
  ByteReader(const uint8_t* p, size_t n, std::string what) : p_(p), n_(n), what_(std::move(what)) {}
  uint8_t u8() { return static_cast<uint8_t>(get(1)); }
  uint16_t u16() { return static_cast<uint16_t>(get(2)); }
  uint32_t u32() { return static_cast<uint32_t>(get(4)); }
  uint64_t u64() { return get(8); }
  int32_t i32() { return static_cast<int32_t>(static_cast<uint32_t>(get(4))); }
  int64_t i64() { return static_cast<int64_t>(get(8)); }
  const uint8_t* bytes(size_t n) {
    need(n);
    const uint8_t* r = p_ + pos_;
    pos_ += n;
    return r;
  }
  std::string str8() {
    size_t n = u8();
    const uint8_t* b = bytes(n);
    return std::string(reinterpret_cast<const char*>(b), n);
  }
  size_t pos() const { return pos_; }
  size_t left() const { return n_ - pos_; }

 private:
  void need(size_t n) {
    if (n > n_ - pos_) throw Error(ErrorCode::truncated, what_ + ": unexpected end of data");
  }
  uint64_t get(int n) {
    need(static_cast<size_t>(n));
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(p_[pos_ + i]) << (8 * i);
    pos_ += static_cast<size_t>(n);
    return v;
  }
  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
  std::string what_;
};

inline uint32_t load_u32le(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// Big-endian, as PNG, AIFF and RIFX store their sizes.
inline uint32_t load_u32be(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

}  // namespace mbz
