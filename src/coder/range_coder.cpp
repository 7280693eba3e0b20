// Range coder implementation; see range_coder.hpp for the invariants.
#include "coder/range_coder.hpp"

#include <cmath>

#include "mbz/error.hpp"

namespace mbz {

namespace {
constexpr uint32_t kTop = 1u << 24;
}

void RangeEncoder::encode(uint32_t cum, uint32_t freq, uint32_t total) {
  if (freq == 0 || total == 0 || total > kCoderMaxTotal || cum + freq > total)
    throw Error(ErrorCode::internal, "range coder: invalid frequency table entry");
  const uint32_t r = range_ / total;
  low_ += static_cast<uint64_t>(r) * cum;
  range_ = r * freq;
  while (range_ < kTop) {
    range_ <<= 8;
    shift_low();
  }
}

void RangeEncoder::shift_low() {
  if (static_cast<uint32_t>(low_) < 0xFF000000u || (low_ >> 32) != 0) {
    const uint8_t carry = static_cast<uint8_t>(low_ >> 32);
    uint8_t temp = cache_;
    do {
      out_.push_back(static_cast<uint8_t>(temp + carry));
      temp = 0xFF;
    } while (--cache_size_ != 0);
    cache_ = static_cast<uint8_t>(low_ >> 24);
  }
  ++cache_size_;
  low_ = (low_ & 0x00FFFFFFu) << 8;
}

std::vector<uint8_t> RangeEncoder::finish() {
  for (int i = 0; i < 5; ++i) shift_low();
  return std::move(out_);
}

RangeDecoder::RangeDecoder(const uint8_t* data, size_t size) : data_(data), size_(size) {
  next_byte();  // the encoder's initial cache byte, always 0
  for (int i = 0; i < 4; ++i) code_ = (code_ << 8) | next_byte();
  if (overrun_) throw Error(ErrorCode::corrupt, "range-coded data shorter than its 5 starting bytes (file damaged)");
}

uint32_t RangeDecoder::target(uint32_t total) {
  r_ = range_ / total;
  const uint32_t v = code_ / r_;
  return v < total ? v : total - 1;  // only a corrupt stream reaches total - 1 this way
}

void RangeDecoder::consume(uint32_t cum, uint32_t freq) {
  code_ -= r_ * cum;
  range_ = r_ * freq;
  while (range_ < kTop) {
    code_ = (code_ << 8) | next_byte();
    range_ <<= 8;
  }
  if (overrun_) throw Error(ErrorCode::corrupt, "range-coded data ends before its segment does (file damaged)");
}

int RangeDecoder::decode(const uint32_t* cum257) {
  const uint32_t v = target(cum257[256]);
  int lo = 0, hi = 256;  // invariant: cum257[lo] <= v < cum257[hi]
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    if (cum257[mid] <= v) lo = mid; else hi = mid;
  }
  consume(cum257[lo], cum257[lo + 1] - cum257[lo]);
  return lo;
}

double ideal_bits(uint32_t freq, uint32_t total) {
  return std::log2(static_cast<double>(total)) - std::log2(static_cast<double>(freq));
}

}  // namespace mbz
