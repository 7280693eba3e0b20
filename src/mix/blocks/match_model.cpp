// The match model (match_model.hpp).
#include "mix/blocks/match_model.hpp"

#include <algorithm>

#include "mix/context_hash.hpp"

namespace mbz::mix {

namespace {
constexpr uint32_t kMatchMin = 3;  // bytes that must repeat before the match model predicts

int ilog2(uint32_t v) {
  int r = 0;
  while (v >>= 1) ++r;
  return r;
}
}  // namespace

MatchModel::MatchModel(uint32_t table_bits) : table_(size_t{1} << table_bits, 0), counters_(64 * 2) {}

void MatchModel::extend(const std::vector<uint8_t>& history) {
  const uint32_t pos = static_cast<uint32_t>(history.size());  // index of the next byte
  if (len_ > 0 && history[ptr_] == history.back()) {
    ++ptr_;
    if (len_ < 65535) ++len_;
  } else {
    len_ = 0;
  }
  slot_ = nullptr;
  if (pos < kMatchMin) return;
  uint32_t h = 0;
  for (uint32_t i = pos - kMatchMin; i < pos; ++i) h = hash2(h, history[i]);
  slot_ = &table_[h & (table_.size() - 1)];
  __builtin_prefetch(slot_, 1);
}

void MatchModel::find(const std::vector<uint8_t>& history) {
  if (slot_) {
    const uint32_t pos = static_cast<uint32_t>(history.size());
    uint32_t& slot = *slot_;
    if (len_ == 0 && slot > 0) {
      uint32_t len = 0;
      while (len < 64 && len < slot && history[slot - 1 - len] == history[pos - 1 - len]) ++len;
      if (len >= kMatchMin) len_ = len, ptr_ = slot;
    }
    slot = pos;
  }
  bucket_ = 0;
  if (len_ > 0) bucket_ = len_ < 16 ? static_cast<int>(len_) : std::min(31, 12 + ilog2(len_));
}

}  // namespace mbz::mix
