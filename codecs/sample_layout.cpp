// Sample layouts: byte reordering and integer prediction residuals over a
// sample grid (sample_layout.hpp). Samples are visited in file order (row,
// column, channel) so every predictor's neighbours are known to the decoder
// before the sample they predict; the output order (interleaved or planar)
// is only a permutation of where each residual is written.
#include "codecs/sample_layout.hpp"

#include <algorithm>

#include "common/med_predictor.hpp"
#include "mbz/error.hpp"

namespace mbz::codecs {

void SampleGrid::validate() const {
  const bool int_width = width >= 1 && width <= 4;
  if (!(is_float ? (width == 4 || width == 8) : int_width))
    throw Error(ErrorCode::invalid_argument, "unsupported sample width " + std::to_string(width));
  if (channels == 0 || channels > 4096) throw Error(ErrorCode::invalid_argument, "bad channel count");
  if (rows == 0 && cols != 0) throw Error(ErrorCode::invalid_argument, "bad grid");
  // Rows of no bytes: the loops over rows would spin 2^32 times over nothing
  // (found by tests/fuzz/fuzz_side_info).
  if (row_stride == 0 && rows > 1) throw Error(ErrorCode::invalid_argument, "bad grid: empty rows");
  // Bounded so that the products below cannot overflow.
  if (rows > (uint64_t{1} << 32) || cols > (uint64_t{1} << 40) || row_stride > (uint64_t{1} << 44))
    throw Error(ErrorCode::invalid_argument, "grid too large");
  if (row_stride < cols * channels * width) throw Error(ErrorCode::invalid_argument, "row stride shorter than a row");
  // rows * row_stride can exceed 2^64 (2^32 * 2^44): divide instead of multiplying.
  if (rows != 0 && row_stride > (uint64_t{1} << 44) / rows) throw Error(ErrorCode::invalid_argument, "grid too large");
}

namespace {

std::string order_prefix(bool planar) { return planar ? "planar-" : ""; }

// Position of file-order sample i = (r*cols + c)*channels + ch in the output.
struct Order {
  uint64_t cols, channels, plane;
  bool planar;
  uint64_t out_index(uint64_t row, uint64_t col, uint64_t ch) const {
    return planar ? ch * plane + row * cols + col : (row * cols + col) * channels + ch;
  }
};

// Integer predictors on offset-binary values (so "mid" is silence / grey).
struct Predict {
  Predictor kind;
  uint32_t mask, mid;
  uint32_t operator()(const std::vector<uint32_t>& x, uint64_t r, uint64_t c, uint64_t ch, uint64_t cols,
                      uint64_t chans) const {
    const auto at = [&](uint64_t rr, uint64_t cc) { return static_cast<int64_t>(x[(rr * cols + cc) * chans + ch]); };
    int64_t p;
    if (kind == Predictor::delta2) {
      if (c == 0) p = mid;
      else if (c == 1) p = at(r, 0);
      else p = std::clamp<int64_t>(2 * at(r, c - 1) - at(r, c - 2), 0, mask);
    } else {  // med: the neighbours that exist (a border reads none it lacks)
      const int64_t w = c > 0 ? at(r, c - 1) : 0, n = r > 0 ? at(r - 1, c) : 0, nw = r > 0 && c > 0 ? at(r - 1, c - 1) : 0;
      p = med_predict<int64_t>(w, n, nw, r == 0, c == 0, mid);
    }
    return static_cast<uint32_t>(p);
  }
};

uint32_t load_sample(const uint8_t* p, int w, bool big_endian) {
  uint32_t v = 0;
  for (int k = 0; k < w; ++k) v |= static_cast<uint32_t>(p[big_endian ? w - 1 - k : k]) << (8 * k);
  return v;
}

void store_sample(uint8_t* p, uint32_t v, int w, bool big_endian) {
  for (int k = 0; k < w; ++k) p[big_endian ? w - 1 - k : k] = static_cast<uint8_t>(v >> (8 * k));
}

// Predictor none: moves every sample between its place in the file and its
// place in the coded order (to_coded: file -> coded), reversing its bytes
// when coded most significant first from a little-endian file.
void reorder_samples(const SampleGrid& g, const Layout& l, const uint8_t* from, uint8_t* to, bool to_coded) {
  const int w = g.width;
  const Order order{g.cols, g.channels, g.rows * g.cols, l.planar};
  const bool reverse = l.msb_first && !g.big_endian;
  for (uint64_t r = 0; r < g.rows; ++r)
    for (uint64_t c = 0; c < g.cols; ++c)
      for (uint64_t ch = 0; ch < g.channels; ++ch) {
        const uint64_t in_file = r * g.row_stride + (c * g.channels + ch) * w, coded = order.out_index(r, c, ch) * w;
        const uint8_t* s = from + (to_coded ? in_file : coded);
        uint8_t* d = to + (to_coded ? coded : in_file);
        if (reverse) std::reverse_copy(s, s + w, d);
        else std::copy(s, s + w, d);
      }
}

void check(const SampleGrid& g, const Layout& l) {
  g.validate();
  if (g.is_float && l.predictor != Predictor::none)
    throw Error(ErrorCode::invalid_argument, "float samples take no integer predictor");
}

}  // namespace

Layout parse_layout(const std::string& name) {
  for (bool planar : {false, true})
    for (Predictor p : {Predictor::none, Predictor::delta2, Predictor::med})
      for (bool msb : {false, true}) {
        const Layout l{planar, p, msb};
        if (layout_name(l) == name) return l;
      }
  throw Error(ErrorCode::invalid_argument,
              "unknown layout '" + name + "' (native, msb, planar, delta2, planar-delta2, med, planar-med)");
}

std::string layout_name(const Layout& l) {
  switch (l.predictor) {
    case Predictor::delta2: return order_prefix(l.planar) + "delta2";
    case Predictor::med: return order_prefix(l.planar) + "med";
    case Predictor::none: break;
  }
  if (l.planar) return l.msb_first ? "planar" : "planar-native";
  return l.msb_first ? "msb" : "native";
}

std::vector<uint8_t> flatten_samples(const SampleGrid& g, const Layout& l, const uint8_t* data) {
  check(g, l);
  const int w = g.width;
  const uint64_t row_bytes = g.cols * g.channels * w, n = g.rows * g.cols * g.channels;
  const Order order{g.cols, g.channels, g.rows * g.cols, l.planar};
  std::vector<uint8_t> out(g.total_bytes());
  uint8_t* pad_out = out.data() + g.sample_bytes();
  if (l.predictor == Predictor::none) {
    reorder_samples(g, l, data, out.data(), true);
  } else {
    const uint32_t mask = static_cast<uint32_t>((uint64_t{1} << (8 * w)) - 1), mid = (mask >> 1) + 1;
    const uint32_t flip = g.is_unsigned ? 0 : mid;  // two's complement -> offset binary
    std::vector<uint32_t> x(n);
    for (uint64_t r = 0, i = 0; r < g.rows; ++r)
      for (uint64_t k = 0; k < g.cols * g.channels; ++k, ++i)
        x[i] = load_sample(data + r * g.row_stride + k * w, w, g.big_endian) ^ flip;
    const Predict predict{l.predictor, mask, mid};
    for (uint64_t r = 0, i = 0; r < g.rows; ++r)
      for (uint64_t c = 0; c < g.cols; ++c)
        for (uint64_t ch = 0; ch < g.channels; ++ch, ++i) {
          const uint32_t e = (x[i] - predict(x, r, c, ch, g.cols, g.channels)) & mask;
          store_sample(out.data() + order.out_index(r, c, ch) * w, e, w, true);
        }
  }
  for (uint64_t r = 0; r < g.rows; ++r) {
    const uint8_t* pad = data + r * g.row_stride + row_bytes;
    pad_out = std::copy(pad, pad + (g.row_stride - row_bytes), pad_out);
  }
  return out;
}

std::vector<uint8_t> restore_samples(const SampleGrid& g, const Layout& l, const uint8_t* flat) {
  check(g, l);
  const int w = g.width;
  const uint64_t row_bytes = g.cols * g.channels * w, n = g.rows * g.cols * g.channels;
  const Order order{g.cols, g.channels, g.rows * g.cols, l.planar};
  std::vector<uint8_t> out(g.total_bytes());
  if (l.predictor == Predictor::none) {
    reorder_samples(g, l, flat, out.data(), false);
  } else {
    const uint32_t mask = static_cast<uint32_t>((uint64_t{1} << (8 * w)) - 1), mid = (mask >> 1) + 1;
    const uint32_t flip = g.is_unsigned ? 0 : mid;
    const Predict predict{l.predictor, mask, mid};
    std::vector<uint32_t> x(n);
    for (uint64_t r = 0, i = 0; r < g.rows; ++r)
      for (uint64_t c = 0; c < g.cols; ++c)
        for (uint64_t ch = 0; ch < g.channels; ++ch, ++i) {
          const uint32_t e = load_sample(flat + order.out_index(r, c, ch) * w, w, true);
          x[i] = (e + predict(x, r, c, ch, g.cols, g.channels)) & mask;
          store_sample(out.data() + r * g.row_stride + (c * g.channels + ch) * w, x[i] ^ flip, w, g.big_endian);
        }
  }
  const uint8_t* pad_in = flat + g.sample_bytes();
  for (uint64_t r = 0; r < g.rows; ++r) {
    const uint64_t pad = g.row_stride - row_bytes;
    std::copy(pad_in, pad_in + pad, out.data() + r * g.row_stride + row_bytes);
    pad_in += pad;
  }
  return out;
}

std::vector<float> per_sample(const SampleGrid& g, const Layout& l, const std::vector<float>& per_byte) {
  g.validate();
  if (per_byte.size() != g.total_bytes()) throw Error(ErrorCode::invalid_argument, "per-byte values do not match the grid");
  const Order order{g.cols, g.channels, g.rows * g.cols, l.planar};
  std::vector<float> out(g.rows * g.cols * g.channels);
  for (uint64_t r = 0, i = 0; r < g.rows; ++r)
    for (uint64_t c = 0; c < g.cols; ++c)
      for (uint64_t ch = 0; ch < g.channels; ++ch, ++i) {
        const float* b = per_byte.data() + order.out_index(r, c, ch) * g.width;
        for (int k = 0; k < g.width; ++k) out[i] += b[k];
      }
  return out;
}

}  // namespace mbz::codecs
