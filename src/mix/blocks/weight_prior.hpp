// weight_prior.hpp — weights a unit's mixer starts from instead of its
// fixed start: a frozen table, averaged over the training split's files
// (docs/FORMAT.md "Weight priors"). A small input is coded while a unit's
// weight sets are still learning; a prior starts them where files of the
// same kind left them.
//
// File format (little-endian): "MBZPRIOR", u8 version (1), u8 profile,
// u16 inputs (n), u16 sets (S), u16 final inputs (F), u32 final rows (FR),
// S x u32 rows of each set, u32 R, then R rows in increasing (set, row):
// u16 set, u16 0, u32 row, n x i16 (each weight / 4: a set's weights stay
// within +-2^17 on photographs, and a quarter of 2^-16 is below anything a
// weight resolves); then FR x F x i32, the final mixer's weights. Rows not
// listed keep the unit's own start.
//
// Frozen once a profile reads it: listed in tests/frozen-units.sha256 (the
// builder's side, averaging and writing, is src/mix/weight_prior_builder).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mbz::mix {

// A listed row's weights are stored divided by this.
constexpr int32_t kRowWeightStep = 4;

struct WeightPrior {
  uint8_t profile = 0;
  uint32_t inputs = 0, final_inputs = 0, final_rows = 0;
  std::vector<uint32_t> set_rows;      // rows of each first-layer set
  std::vector<uint16_t> row_set;       // for each listed row: its set,
  std::vector<uint32_t> row_index;     // its row in the set,
  const uint8_t* row_bytes = nullptr;  // and the rows as the file holds them (read in place: see parse)
  std::vector<int32_t> final_weights;  // final_rows x final_inputs

  size_t rows() const { return row_set.size(); }
  // Listed row r's `inputs` weights into w (each a multiple of kRowWeightStep).
  void copy_row(size_t r, int32_t* w) const {
    const uint8_t* q = row_bytes + r * (8 + 2 * size_t{inputs}) + 8;
    for (uint32_t i = 0; i < inputs; ++i) w[i] = static_cast<int16_t>(q[2 * i] | q[2 * i + 1] << 8) * kRowWeightStep;
  }
};

// Reads a prior file into out; false, with the reason in *why, for a
// malformed one (its header, a row out of order or out of its set, its
// length). The rows' weights are read from the file's bytes in place, when
// a unit starts (profile 11's 370,000 copied once more into a table of
// their own cost more than the rest of a small image's set-up): `data`
// must outlive `out`.
bool parse_weight_prior(const uint8_t* data, size_t size, WeightPrior& out, std::string* why);

}  // namespace mbz::mix
