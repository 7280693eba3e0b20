// Building weight priors (weight_prior_builder.hpp).
#include "mix/weight_prior_builder.hpp"

#include <cstdint>
#include <string>
#include <utility>

#include "mbz/error.hpp"

namespace mbz::mix {

namespace {
void put(std::vector<uint8_t>& out, uint64_t v, int k) {
  for (int i = 0; i < k; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

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

std::vector<uint8_t> WeightPriorSums::prior_file(const std::vector<int32_t>& start) const {
  if (start.size() != sum_.size() || count_ == 0) throw Error(ErrorCode::internal, "weight prior: nothing to average");
  const int64_t c = static_cast<int64_t>(count_);
  auto avg = [&](size_t k) { return rounded(sum_[k], c); };
  std::vector<uint8_t> rows;  // the listed rows, as the file holds them
  uint32_t listed = 0;
  size_t at = 0;
  for (size_t set = 0; set < shape_.set_rows.size(); ++set)
    for (uint32_t row = 0; row < shape_.set_rows[set]; ++row, at += shape_.inputs) {
      std::vector<int64_t> q(shape_.inputs);
      bool moved = false;
      for (uint32_t i = 0; i < shape_.inputs; ++i) {
        q[i] = rounded(avg(at + i), kRowWeightStep);
        moved |= q[i] * kRowWeightStep != start[at + i];
      }
      if (!moved) continue;
      put(rows, set, 2);
      put(rows, 0, 2);
      put(rows, row, 4);
      for (int64_t v : q) {
        if (v < INT16_MIN || v > INT16_MAX) throw Error(ErrorCode::internal, "weight prior: a set's weight out of the stored range");
        put(rows, static_cast<uint16_t>(static_cast<int16_t>(v)), 2);
      }
      ++listed;
    }
  const std::string magic = "MBZPRIOR";
  std::vector<uint8_t> out(magic.begin(), magic.end());
  put(out, 1, 1);  // version
  put(out, shape_.profile, 1);
  put(out, shape_.inputs, 2);
  put(out, shape_.set_rows.size(), 2);
  put(out, shape_.final_inputs, 2);
  put(out, shape_.final_rows, 4);
  for (uint32_t n : shape_.set_rows) put(out, n, 4);
  put(out, listed, 4);
  out.insert(out.end(), rows.begin(), rows.end());
  for (; at < sum_.size(); ++at) put(out, static_cast<uint32_t>(static_cast<int32_t>(avg(at))), 4);
  return out;
}

}  // namespace mbz::mix
