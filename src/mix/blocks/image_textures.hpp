// image_textures.hpp — profile 9's texture contexts of a pixel (docs/FORMAT.md
// "Profile 9", "Texture contexts").
//
// Profile 6's byte contexts hash residuals and predictions; what it lacks are
// the pixels themselves: the same texture (an edge of a given slope, a patch
// of a given brightness) recurs across an image and predicts the residual's
// bits where the predictors' errors do not. This block rebuilds the pixels
// (residual + MED, as the adapter took them apart), and at each sample hashes
// sixteen views of its neighbourhood, chosen on training photographs by their
// gain (the image lab, bench/results/image-lab-2026-12-02.md). It also gives
// the selector of profile 9's ninth weight set (three quantized gradients).
//
// Legend of the contexts (k: the slot; id: the hash's tag; W, N, NW, NE, WW,
// NN the neighbours of the same channel seen as 8 bits; pp, pw, pn the
// pixel's previous channel and its W and N (0 with one channel); med8 the
// MED prediction; p6, p13 the pixels P6 and P13 predict; qg a difference's
// size in 8 levels, qs a signed difference in 14, 1..14, where -1 and 0
// share 7):
//   k id   hashes                          k  id   hashes
//   0 200  W, N                            8  217  te | act << 4, W >> 3, N >> 3
//   1 203  clamp8(W + N - NW)              9  218  pp, W, N
//   2 205  five gradients' qs              10 219  pp, its two gradients' qs
//   3 206  W, N, NE, NW >> 2               11 220  p6, p13, med8 >> 2
//   4 208  W + pp - pw, N + pp - pn        12 228  W, N relative to med8
//   5 213  med8, P13's residual            13 229  NE, NW relative to med8
//   6 215  W, N >> 1; NE, NW >> 3          14 230  W, N, NW
//   7 216  qs(W - N), qs(NE - NW), W + N   15 231  N, NE, NN relative to med8
// Frozen with profile 9: listed in tests/frozen-units.sha256.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mix/blocks/sample_grid.hpp"
#include "mix/blocks/sample_ring.hpp"

namespace mbz::mix {

class ImageTextures {
 public:
  static constexpr int kContexts = 16;
  static constexpr uint32_t kSelectors = 512;  // of the ninth set, before the depth

  // g.row_samples > 0; the samples are MED residuals.
  explicit ImageTextures(const SampleGrid& g);
  // The contexts of the sample g is at, from the pixels so far, profile 6's
  // predictions pred (P0..P13, residuals) and ImageEnsemble's te and act.
  void begin(const SampleGrid& g, const int64_t* pred, int te, int act);
  // After the sample's value v (a residual): its pixel joins the history.
  void end(const SampleGrid& g, int32_t v);

  uint32_t hash(int k) const { return hash_[static_cast<size_t>(k)]; }  // of the sample
  uint32_t selector() const { return selector_; }  // (qg(W-NW) x 8 + qg(N-NW)) x 8 + qg(N-NE), 0..511

 private:
  SampleRing ring_;
  std::vector<int32_t> pix_;  // the rebuilt pixels (0 before the segment)
  int32_t med_here_ = 0;      // the MED prediction of the sample begun
  int shift8_ = 0;            // bits - 8: a wider sample seen as 8 bits
  std::array<uint32_t, kContexts> hash_{};
  uint32_t selector_ = 0;
};

}  // namespace mbz::mix
