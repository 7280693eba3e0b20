// Profile 9's texture contexts (image_textures.hpp; docs/FORMAT.md "Profile
// 9", "Texture contexts"). Frozen with profile 9: do not edit
// (tests/frozen-units.sha256).
#include "mix/blocks/image_textures.hpp"

#include <algorithm>

#include "common/med_predictor.hpp"
#include "mix/context_hash.hpp"

namespace mbz::mix {

namespace {

// |d| in 8 levels, about log2: 0, 1, 2-3, 4-7, ..., 32-63, 64 and more.
uint32_t qg(int32_t d) {
  d = d < 0 ? -d : d;
  if (d == 0) return 0;
  if (d < 2) return 1;
  if (d < 4) return 2;
  if (d < 8) return 3;
  if (d < 16) return 4;
  if (d < 32) return 5;
  if (d < 64) return 6;
  return 7;
}
// A signed difference in 14 levels, 1..14: 8 - qg(d) below zero, 7 + qg(d)
// from zero up, so -1 and 0 share 7 (as the image lab measured it).
uint32_t qs(int32_t d) { return d < 0 ? 8 - qg(d) : 7 + qg(d); }

uint32_t clamp8(int32_t v) { return static_cast<uint32_t>(std::clamp(v, 0, 255)); }
// A residual as a byte: clamped to +-127, offset.
uint32_t as_byte(int64_t v) { return static_cast<uint32_t>(std::clamp<int64_t>(v, -127, 127) + 128); }

}  // namespace

ImageTextures::ImageTextures(const SampleGrid& g) : ring_(g), pix_(ring_.slots, 0), shift8_(std::max(0, g.bits - 8)) {}

void ImageTextures::begin(const SampleGrid& g, const int64_t* pred, int te, int act) {
  const size_t c = static_cast<size_t>(g.channels), r = g.up, j = g.sample;
  const uint64_t at = g.skip + (j - g.pad);
  const bool first_row = at < g.row_samples, first_col = at % g.row_samples < c;
  auto P = [&](size_t back) { return pix_[ring_(j - back)]; };
  med_here_ = med_predict<int32_t>(P(c), P(r), P(r + c), first_row, first_col, g.half());
  const int s = shift8_;
  const int32_t W = P(c) >> s, N = P(r) >> s, NW = P(r + c) >> s, NE = P(r - c) >> s, WW = P(2 * c) >> s, NN = P(2 * r) >> s;
  const int32_t pp = c > 1 ? P(1) >> s : 0, pw = c > 1 ? P(1 + c) >> s : 0, pn = c > 1 ? P(1 + r) >> s : 0;
  const int32_t med8 = med_here_ >> s;
  auto pixel_of = [&](int64_t residual) { return static_cast<int32_t>(clamp8(static_cast<int32_t>(((residual + med_here_) & g.mask()) >> s))); };
  const int32_t p13 = pixel_of(pred[13]), p6 = pixel_of(pred[6]);
  const uint32_t ch = static_cast<uint32_t>(std::min(g.channel, 3));
  auto H = [&](uint32_t id, uint32_t a, uint32_t b = 0, uint32_t cc = 0) { return hash2(hash2(hash2(a, b), cc), id << 2 | ch); };
  auto rel = [&](int32_t v) { return clamp8(v - med8 + 128); };
  const uint32_t uW = static_cast<uint32_t>(W), uN = static_cast<uint32_t>(N), uNW = static_cast<uint32_t>(NW),
                 uNE = static_cast<uint32_t>(NE), upp = static_cast<uint32_t>(pp);
  hash_[0] = H(200, uW, uN);
  hash_[1] = H(203, clamp8(W + N - NW));
  hash_[2] = H(205, qs(W - NW) | qs(N - NW) << 4 | qs(N - NE) << 8, qs(W - WW) | qs(N - NN) << 4);
  hash_[3] = H(206, uW >> 2 | (uN >> 2) << 8 | (uNE >> 2) << 16, uNW >> 2);
  hash_[4] = H(208, clamp8(W + pp - pw), clamp8(N + pp - pn));
  hash_[5] = H(213, static_cast<uint32_t>(med8), as_byte(pred[13]));
  hash_[6] = H(215, uW >> 1, uN >> 1, uNE >> 3 | (uNW >> 3) << 8);
  hash_[7] = H(216, qs(W - N) | qs(NE - NW) << 4, static_cast<uint32_t>(W + N) >> 3);
  hash_[8] = H(217, static_cast<uint32_t>(te | act << 4), uW >> 3, uN >> 3);
  hash_[9] = H(218, upp, uW, uN);
  hash_[10] = H(219, upp, qs(pp - pw) | qs(pp - pn) << 4);
  hash_[11] = H(220, static_cast<uint32_t>(p6 >> 2), static_cast<uint32_t>(p13 >> 2), static_cast<uint32_t>(med8 >> 2));
  hash_[12] = H(228, rel(W), rel(N));
  hash_[13] = H(229, rel(NE), rel(NW));
  hash_[14] = H(230, uW, uN, uNW);
  hash_[15] = H(231, rel(N), rel(NE), clamp8((NN - med8) / 2 + 128));
  selector_ = (qg(W - NW) * 8 + qg(N - NW)) * 8 + qg(N - NE);
}

void ImageTextures::end(const SampleGrid& g, int32_t v) { pix_[ring_(g.sample)] = (v + med_here_) & g.mask(); }

}  // namespace mbz::mix
