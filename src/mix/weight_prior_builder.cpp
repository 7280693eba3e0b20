// Building weight priors (weight_prior_builder.hpp).
#include "mix/weight_prior_builder.hpp"

#include <cstdint>
#include <utility>

#include "common/le_bytes.hpp"
#include "mbz/error.hpp"

namespace mbz::mix {

namespace {
int64_t rounded(int64_t s, int64_t d) { return s >= 0 ? (s + d / 2) / d : -((-s + d / 2) / d); }
}  // namespace

WeightPriorSums::WeightPriorSums(uint8_t profile, uint32_t inputs, std::vector<uint32_t> set_rows, uint32_t final_inputs,
                                 uint32_t final_rows) {
  shape_.profile = profile;
  shape_.inputs = inputs;
  shape_.set_rows = std::move(set_rows);
  shape_.final_inputs = final_inputs;
  shape_.final_rows = final_rows;
  size_t n = size_t{final_inputs} * final_rows;
  for (uint32_t r : shape_.set_rows) n += size_t{r} * inputs;
  sum_.assign(n, 0);
}

void WeightPriorSums::add(const std::vector<int32_t>& dense) {
  if (dense.size() != sum_.size()) throw Error(ErrorCode::internal, "weight prior: weights of another shape");
  for (size_t k = 0; k < dense.size(); ++k) sum_[k] += dense[k];
  ++count_;
}

std::vector<uint8_t> WeightPriorSums::prior_file(const std::vector<int32_t>& start, size_t* clamped) const {
  if (start.size() != sum_.size() || count_ == 0) throw Error(ErrorCode::internal, "weight prior: nothing to average");
  const int64_t c = static_cast<int64_t>(count_);
  auto avg = [&](size_t k) { return rounded(sum_[k], c); };
  ByteWriter rows;  // the listed rows, as the file holds them
  uint32_t listed = 0;
  if (clamped) *clamped = 0;
  size_t at = 0;
  for (size_t set = 0; set < shape_.set_rows.size(); ++set)
    for (uint32_t row = 0; row < shape_.set_rows[set]; ++row, at += shape_.inputs) {
      std::vector<int64_t> q(shape_.inputs);
      bool moved = false;
      for (uint32_t i = 0; i < shape_.inputs; ++i) {
        q[i] = rounded(avg(at + i), kRowWeightStep);
        if (clamped && (q[i] < INT16_MIN || q[i] > INT16_MAX)) q[i] = q[i] < 0 ? INT16_MIN : INT16_MAX, ++*clamped;
        moved |= q[i] * kRowWeightStep != start[at + i];
      }
      if (!moved) continue;
      rows.u16(static_cast<uint16_t>(set));
      rows.u16(0);
      rows.u32(row);
      for (int64_t v : q) {
        if (v < INT16_MIN || v > INT16_MAX) throw Error(ErrorCode::internal, "weight prior: a set's weight out of the stored range");
        rows.u16(static_cast<uint16_t>(static_cast<int16_t>(v)));
      }
      ++listed;
    }
  ByteWriter out;
  out.bytes("MBZPRIOR", 8);
  out.u8(1);  // version
  out.u8(shape_.profile);
  out.u16(static_cast<uint16_t>(shape_.inputs));
  out.u16(static_cast<uint16_t>(shape_.set_rows.size()));
  out.u16(static_cast<uint16_t>(shape_.final_inputs));
  out.u32(shape_.final_rows);
  for (uint32_t n : shape_.set_rows) out.u32(n);
  out.u32(listed);
  out.bytes(rows.data().data(), rows.size());
  for (; at < sum_.size(); ++at) out.i32(static_cast<int32_t>(avg(at)));
  return std::move(out.data());
}

}  // namespace mbz::mix
