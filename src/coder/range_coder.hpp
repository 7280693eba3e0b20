// range_coder.hpp — a multi-symbol range coder over integer frequency tables.
//
// Read me first:
// - Precision: `range` is kept in [2^24, 2^32) after every symbol, and tables
//   have totals <= 2^16, so range/total >= 2^8. Truncating range/total wastes
//   at most total/range of the interval per symbol (< 0.6% of a bit worst case,
//   ~2^-12 of a bit on average): coded size stays well within 1% of ideal.
// - Every symbol that can occur must have frequency >= 1 (the engine
//   guarantees it); encoding a zero-frequency symbol throws.
// - Carries: `low` is 64 bits; a carry out of bit 32 is propagated into the
//   pending 0xFF run (LZMA's cache scheme), so output is byte-exact and
//   streaming.
// - Flush: finish() emits 5 bytes, enough for the decoder's lookahead. The
//   first byte of every stream is 0 (cache initial value); the decoder skips it.
// - The decoder never reads outside its buffer. A whole stream is read to its
//   last byte and never past it, so a stream that needs a byte past its end
//   is corrupt (Error(corrupt) from the constructor or consume()); other
//   damage decodes to garbage, which the segment checksum then rejects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mbz {

constexpr uint32_t kCoderMaxTotal = 1u << 16;

class RangeEncoder {
 public:
  // Codes the symbol occupying [cum, cum+freq) of a table summing to total.
  void encode(uint32_t cum, uint32_t freq, uint32_t total);
  // Flushes and returns the coded bytes.
  std::vector<uint8_t> finish();

 private:
  void shift_low();
  uint64_t low_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
  uint8_t cache_ = 0;
  uint64_t cache_size_ = 1;
  std::vector<uint8_t> out_;
};

class RangeDecoder {
 public:
  // Throws Error(corrupt) if data is shorter than the encoder's 5 starting bytes.
  RangeDecoder(const uint8_t* data, size_t size);
  // Returns the target value in [0, total) that selects the next symbol;
  // the caller finds the symbol s with cum[s] <= value < cum[s+1] and calls
  // consume(cum[s], freq[s]).
  uint32_t target(uint32_t total);
  void consume(uint32_t cum, uint32_t freq);
  // Decodes one symbol of a table given as 257 cumulative frequencies
  // (cum[0] = 0, cum[256] = total).
  int decode(const uint32_t* cum257);

 private:
  // Past the end: 0, and the stream is marked overrun. The encoder's five
  // final bytes mean a decoder of a whole stream never reads past its end,
  // so consume() throws Error(corrupt) once it has: a truncated or forged
  // segment stops there instead of decoding its claimed length from zeros.
  uint8_t next_byte() {
    if (pos_ < size_) return data_[pos_++];
    overrun_ = true;
    return 0;
  }
  bool overrun_ = false;
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  uint32_t code_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
  uint32_t r_ = 0;  // range / total of the symbol being decoded
};

// Ideal code length in bits of a symbol of frequency freq out of total.
double ideal_bits(uint32_t freq, uint32_t total);

}  // namespace mbz
