// profile9_image.hpp — mixer profile 9, images of MED residuals (mbz 0.13):
// profile 6 plus texture contexts of the rebuilt pixels, four more APMs keyed
// by what the predictors expect, and a ninth weight set chosen by the local
// gradients.
//
// Profile 6 (profile6_image.hpp) predicts a pixel from fourteen predictors
// and hashes residuals and predictions; it never sees the texture itself.
// This profile adds sixteen hashed contexts of the pixels around the sample
// (image_textures.hpp), each a direct probability counter in nibble slots
// (nibble_counters.hpp) and one mixer input; a ninth weight set chosen by
// three quantized gradients; and APMs by GAP's, the weighted predictor's and
// the least squares' expected residual byte and by a texture hash, averaged
// with profile 6's three. On held-out photographs 1.5% smaller than profile
// 6 at about 1.5 times its time and twice its memory
// (bench/results/image-lab-2026-12-02.md, bench/RESULTS.md).
//
// Frozen since mbz 0.13.0. Specified in docs/FORMAT.md "Mixed segments",
// "Profile 9". Do not edit this unit or a building block it includes
// (tests/frozen-units.sha256): a change is a new profile.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/blocks/byte_contexts.hpp"
#include "mix/blocks/byte_state.hpp"
#include "mix/blocks/context_counters.hpp"
#include "mix/blocks/image_ensemble.hpp"
#include "mix/blocks/image_textures.hpp"
#include "mix/blocks/local_error_scales.hpp"
#include "mix/blocks/match_model.hpp"
#include "mix/blocks/nibble_counters.hpp"
#include "mix/blocks/probability_map.hpp"
#include "mix/blocks/sample_grid.hpp"
#include "mix/blocks/segment_mixer.hpp"
#include "mix/blocks/weight_sets.hpp"
#include "mix/blocks/wide_interval_contexts.hpp"
#include "mix/node_counts.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

class Profile9Image {
 public:
  static constexpr int kPredictors = ImageEnsemble::kCount;  // 14
  static constexpr int kTextures = ImageTextures::kContexts;  // 16
  // Legend of the inputs: profile 6's 66 (segment_mixer.hpp: 0..9 the
  // contexts' fast probabilities, 10 the match, 11 and 12 the model, 13 the
  // bias, 14..23 the contexts' slow ones; then three a predictor), then one
  // a texture context (66..81).
  static constexpr size_t kTextureInputs = kByteInputs + 3 * kPredictors;  // 66
  static constexpr size_t kInputs = kTextureInputs + kTextures;            // 82
  // Legend of the first-layer weight sets (their selectors in set_of()).
  enum Set { kSetA, kSetB, kSetC, kSetD, kSetGap, kSetOls, kSetOlsWidth, kSetDisagree, kSetTexture, kSets };
  // Legend of the final mixer's inputs: the sets' stretched outputs with
  // the bias at slot 3 (A, B, C, bias, D, Gap, Ols, OlsW, Dis, Texture).
  static constexpr size_t kFinalInputs = kSets + 1;  // 10
  // Legend of the APMs: profile 6's three, then four (apm_context()).
  enum Apm { kApmOrder0, kApmP0, kApmP6, kApmGap, kApmTexture, kApmWeighted, kApmOls, kApms };

  // shape: an image's (row > 0) of MED residuals (value_format has kValueMed, not kValueDelta2).
  Profile9Image(size_t segment_len, SampleShape shape);
  Profile9Image(const Profile9Image&) = delete;
  Profile9Image& operator=(const Profile9Image&) = delete;

  // P(next bit = 1) in [1, 4095] of 4096, given the model's counts for it.
  int predict(NodeCounts model);
  // The bit that was coded; after a sample's last, the next sample's
  // predictions and textures; after a byte's 8th, the byte joins the history.
  void update(int bit);

 private:
  // The numeric side (as profile 6).
  int depth() const;
  void begin_sample();
  void end_sample();
  void begin_byte();
  void find_textures(uint32_t nibble);
  size_t set_of(Set s) const;
  uint32_t apm_context(Apm a) const;
  void prefetch_rows() const;

  SampleGrid grid_;
  LocalErrorScales<kPredictors> scales_;
  WideIntervalContexts<kPredictors> intervals_;
  std::array<int64_t, kPredictors> pred_{};  // of the sample being coded
  ImageEnsemble ensemble_;
  ImageTextures textures_;

  // The bytes (as SegmentMixer, segment_mixer.hpp).
  SampledContexts contexts_;
  ByteState bytes_;
  ByteContexts base_{};
  ContextCounters counters_;
  MatchModel match_;

  // The texture contexts' counters: the byte's hashes, their slots (found at
  // its first and fifth bit) and the counter of the bit being coded.
  NibbleCounters texture_table_;
  std::array<uint32_t, kTextures> texture_byte_{};
  std::array<uint16_t*, kTextures> texture_slot_{};
  std::array<uint16_t*, kTextures> texture_counter_{};

  // Mixing.
  std::array<int32_t, kInputs> x_{};
  std::vector<WeightSets> sets_;
  std::array<int32_t*, kSets> w_{};
  std::array<int, kSets> p_set_{};
  std::array<int32_t, kFinalInputs> fx_{};
  std::vector<int32_t> final_;  // kFinalInputs a set, chosen as WB is
  int32_t* fw_ = nullptr;
  int p_final_ = 2048;
  std::vector<ProbabilityMap> apms_;  // legend: Apm
};

}  // namespace mbz::mix
