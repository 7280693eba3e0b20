// Surprisal pictures (surprisal.hpp). Costs are bits per payload byte; the
// adapter's grid and layout map them back to samples and pixels.
#include "eval/surprisal.hpp"

#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "codecs/sample_layout.hpp"
#include "codecs/side_info.hpp"
#include "mbz/error.hpp"

namespace mbz::eval {

namespace {

struct Rgb {
  uint8_t r, g, b;
};

// A perceptual-ish ramp for 0 <= t <= 1: black, purple, red, orange, pale yellow.
Rgb heat(double t) {
  static const Rgb stops[] = {{0, 0, 4}, {87, 16, 110}, {188, 55, 84}, {249, 142, 9}, {252, 255, 164}};
  t = std::clamp(t, 0.0, 1.0) * 4;
  const int k = std::min(3, static_cast<int>(t));
  const double f = t - k;
  const auto mix = [&](uint8_t a, uint8_t b) { return static_cast<uint8_t>(a + (b - a) * f + 0.5); };
  return {mix(stops[k].r, stops[k + 1].r), mix(stops[k].g, stops[k + 1].g), mix(stops[k].b, stops[k + 1].b)};
}

struct Canvas {
  int w, h;
  std::vector<uint8_t> px;
  Canvas(int w_, int h_, Rgb bg) : w(w_), h(h_), px(static_cast<size_t>(w_) * h_ * 3) {
    for (size_t i = 0; i < px.size(); i += 3) px[i] = bg.r, px[i + 1] = bg.g, px[i + 2] = bg.b;
  }
  void set(int x, int y, Rgb c) {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    uint8_t* p = px.data() + (static_cast<size_t>(y) * w + x) * 3;
    p[0] = c.r, p[1] = c.g, p[2] = c.b;
  }
  void save(const std::string& path) const {
    if (!stbi_write_png(path.c_str(), w, h, 3, px.data(), w * 3)) throw Error(ErrorCode::io, path + ": cannot write");
  }
};

// Sample k of a file-order sample buffer as a value in [-1, 1] (audio) or [0, 1] (pixels).
double sample_value(const codecs::SampleGrid& g, const uint8_t* p, bool centered) {
  if (g.is_float) {
    if (g.width == 4) {
      float f;
      uint8_t b[4];
      for (int k = 0; k < 4; ++k) b[k] = p[g.big_endian ? 3 - k : k];
      std::memcpy(&f, b, 4);
      return std::isfinite(f) ? f : 0.0;
    }
    double d;
    uint8_t b[8];
    for (int k = 0; k < 8; ++k) b[k] = p[g.big_endian ? 7 - k : k];
    std::memcpy(&d, b, 8);
    return std::isfinite(d) ? d : 0.0;
  }
  uint32_t v = 0;
  for (int k = 0; k < g.width; ++k) v |= static_cast<uint32_t>(p[g.big_endian ? g.width - 1 - k : k]) << (8 * k);
  const double full = std::ldexp(1.0, 8 * g.width);
  if (g.is_unsigned) return centered ? (v / full) * 2 - 1 : v / (full - 1);
  const double s = v >= full / 2 ? v - full : v;  // two's complement
  return centered ? s / (full / 2) : s / full + 0.5;
}

void write_text_html(const std::string& path, const std::string& title, const std::vector<uint8_t>& bytes,
                     const std::vector<float>& costs) {
  std::ofstream out(path);
  if (!out) throw Error(ErrorCode::io, path + ": cannot write");
  const size_t shown = std::min<size_t>(bytes.size(), size_t{1} << 20);
  double total = 0;
  for (float c : costs) total += c;
  out << "<!doctype html>\n<meta charset=\"utf-8\">\n<title>mbz surprisal: " << title << "</title>\n"
      << "<style>body{font-family:sans-serif;margin:1em} pre{font:13px/1.35 monospace;white-space:pre-wrap;"
         "word-break:break-all} .k span{display:inline-block;width:2.2em;text-align:center}</style>\n"
      << "<h2>" << title << "</h2>\n<p>" << bytes.size() << " bytes, "
      << (bytes.empty() ? 0.0 : total / static_cast<double>(bytes.size()))
      << " bits per byte. Each byte is shaded by its code length (hover for bits):</p>\n<p class=\"k\">";
  for (int b = 0; b <= 8; b += 2) {
    const Rgb c = heat(b / 10.0);
    char buf[160];
    std::snprintf(buf, sizeof buf, "<span style=\"background:#%02x%02x%02x;color:%s\">%d</span>", c.r, c.g, c.b,
                  b < 6 ? "#fff" : "#000", b);
    out << buf;
  }
  out << " bits (10+ brightest)</p>\n<pre>";
  if (shown < bytes.size()) out << "(the first " << shown << " bytes)\n";
  for (size_t i = 0; i < shown; ++i) {
    const Rgb c = heat(costs[i] / 10.0);
    const uint8_t ch = bytes[i];
    std::string glyph;
    if (ch == '<') glyph = "&lt;";
    else if (ch == '>') glyph = "&gt;";
    else if (ch == '&') glyph = "&amp;";
    else if (ch == '\n') glyph = "\u21b5\n";
    else if (ch == '\t' || (ch >= 0x20 && ch < 0x7f)) glyph = std::string(1, static_cast<char>(ch));
    else glyph = "\u00b7";
    char buf[128];
    std::snprintf(buf, sizeof buf, "<span style=\"background:#%02x%02x%02x;color:%s\" title=\"%.2f\">", c.r, c.g, c.b,
                  costs[i] < 6 ? "#ddd" : "#000", costs[i]);
    out << buf << glyph << "</span>";
  }
  out << "</pre>\n";
}

// The image (left) and a heat map of bits per pixel (right, 0 .. 8 bits per
// byte of the pixel), with a colour scale underneath.
void write_image_png(const std::string& path, const codecs::SideInfo& s, const std::vector<uint8_t>& samples,
                     const std::vector<float>& sample_bits) {
  const codecs::SampleGrid& g = s.grid;
  const int w = static_cast<int>(g.cols), h = static_cast<int>(g.rows), gap = 8, bar = 14;
  Canvas c(2 * w + gap, h + gap + bar, {255, 255, 255});
  bool bottom_up = false;
  if (s.container == codecs::Container::bmp && s.prefix.size() >= 26) {
    int32_t height;
    std::memcpy(&height, s.prefix.data() + 22, 4);
    bottom_up = height > 0;
  }
  if (s.container == codecs::Container::tga && s.prefix.size() >= 18) bottom_up = !(s.prefix[17] & 0x20);
  const bool bgr = (s.container == codecs::Container::bmp || s.container == codecs::Container::tga) && g.channels >= 3;
  const double full = 8.0 * g.width * g.channels;
  for (int r = 0; r < h; ++r) {
    const int y = bottom_up ? h - 1 - r : r;
    for (int col = 0; col < w; ++col) {
      const uint64_t first = (static_cast<uint64_t>(r) * g.cols + col) * g.channels;
      const uint8_t* p = samples.data() + r * g.row_stride + static_cast<uint64_t>(col) * g.channels * g.width;
      const auto channel = [&](uint32_t ch) {
        return static_cast<uint8_t>(255 * sample_value(g, p + ch * g.width, false) + 0.5);
      };
      Rgb px;
      if (g.channels >= 3) px = bgr ? Rgb{channel(2), channel(1), channel(0)} : Rgb{channel(0), channel(1), channel(2)};
      else px = {channel(0), channel(0), channel(0)};
      c.set(col, y, px);
      double bits = 0;
      for (uint32_t ch = 0; ch < g.channels; ++ch) bits += sample_bits[first + ch];
      c.set(w + gap + col, y, heat(bits / full));
    }
  }
  for (int x = 0; x < w; ++x)
    for (int y = h + gap; y < h + gap + bar; ++y) c.set(w + gap + x, y, heat(static_cast<double>(x) / std::max(1, w - 1)));
  c.save(path);
}

// The waveform (top, all channels overlaid) above the bits per sample
// (bottom, 0 .. 8 bits per byte of a sample), over time.
void write_audio_png(const std::string& path, const codecs::SideInfo& s, const std::vector<uint8_t>& samples,
                     const std::vector<float>& sample_bits) {
  const codecs::SampleGrid& g = s.grid;
  const int W = 1200, H = 360, half = H / 2;
  Canvas c(W, H, {255, 255, 255});
  for (int x = 0; x < W; ++x) c.set(x, half, {200, 200, 200});
  const uint64_t frames = g.cols;
  const double full = 8.0 * g.width;
  for (int x = 0; x < W && frames > 0; ++x) {
    const uint64_t a = frames * x / W, b = std::max(a + 1, frames * (x + 1) / W);
    double lo = 1, hi = -1, bits = 0, peak = 0;
    uint64_t n = 0;
    for (uint64_t t = a; t < b && t < frames; ++t)
      for (uint32_t ch = 0; ch < g.channels; ++ch, ++n) {
        const double v = sample_value(g, samples.data() + (t * g.channels + ch) * g.width, true);
        lo = std::min(lo, v), hi = std::max(hi, v);
        const double sb = sample_bits[t * g.channels + ch];
        bits += sb, peak = std::max(peak, sb);
      }
    if (n == 0) continue;
    const auto wave_y = [&](double v) { return static_cast<int>((1 - std::clamp(v, -1.0, 1.0)) / 2 * (half - 8)) + 4; };
    for (int y = wave_y(hi); y <= wave_y(lo); ++y) c.set(x, y, {40, 90, 160});
    const auto bits_y = [&](double v) { return H - 4 - static_cast<int>(std::clamp(v / full, 0.0, 1.0) * (half - 12)); };
    for (int y = bits_y(peak); y <= H - 4; ++y) c.set(x, y, {250, 205, 160});      // the costliest sample
    for (int y = bits_y(bits / n); y <= H - 4; ++y) c.set(x, y, heat(bits / n / full));  // the mean
  }
  c.save(path);
}

std::string html_escape(const std::string& s) {
  std::string o;
  for (char ch : s) o += ch == '<' ? "&lt;" : ch == '>' ? "&gt;" : ch == '&' ? "&amp;" : ch == '"' ? "&quot;" : std::string(1, ch);
  return o;
}

}  // namespace

std::string write_surprisal(const std::string& dir, const std::string& stem, const SurprisalInput& in) {
  const std::vector<float>& costs = *in.costs;
  if (in.adapter == 0) {
    const std::string name = stem + ".html";
    write_text_html(dir + "/" + name, html_escape(in.path), *in.payload, costs);
    return name;
  }
  const codecs::SideInfo s = codecs::decode_side_info(static_cast<codecs::AdapterId>(in.adapter), in.side_info);
  const std::vector<uint8_t> samples = codecs::restore_samples(s.grid, s.layout, in.payload->data());
  const std::vector<float> bits = codecs::per_sample(s.grid, s.layout, costs);
  const std::string name = stem + ".png";
  if (in.adapter == 1) write_audio_png(dir + "/" + name, s, samples, bits);
  else write_image_png(dir + "/" + name, s, samples, bits);
  return name;
}

void write_surprisal_index(const std::string& dir, const std::vector<FileRecord>& records,
                           const std::vector<std::string>& pictures) {
  std::ofstream out(dir + "/index.html");
  if (!out) throw Error(ErrorCode::io, dir + "/index.html: cannot write");
  out << "<!doctype html>\n<meta charset=\"utf-8\">\n<title>mbz eval: where the model spends its bits</title>\n"
      << "<style>body{font-family:sans-serif;margin:1em} img{max-width:100%;border:1px solid #ccc}</style>\n"
      << "<h1>Where the model spends its bits</h1>\n"
      << "<p>Images: the image, then bits per pixel from 0 (black) to 8 per byte of the pixel (pale yellow), "
         "with the scale below. Audio: the waveform (top) over bits per sample (bottom; shaded: the mean over "
         "the samples of a column, pale: the costliest), 0 to 8 per byte of a sample, over time. Text: each byte "
         "shaded by its cost.</p>\n";
  for (size_t i = 0; i < records.size(); ++i) {
    const FileRecord& r = records[i];
    if (!r.error.empty() || pictures[i].empty()) continue;
    char fig[200];
    std::snprintf(fig, sizeof fig, "%s, %s, %llu bytes, %.3f bits per byte (model %s)", r.modality.c_str(),
                  r.adapter.c_str(), static_cast<unsigned long long>(r.bytes),
                  r.bytes ? r.bits / static_cast<double>(r.bytes) : 0.0, r.model.c_str());
    out << "<h3>" << html_escape(r.path) << "</h3>\n<p>" << html_escape(fig) << "</p>\n";
    if (pictures[i].size() > 4 && pictures[i].compare(pictures[i].size() - 4, 4, ".png") == 0)
      out << "<img src=\"" << html_escape(pictures[i]) << "\">\n";
    else
      out << "<p><a href=\"" << html_escape(pictures[i]) << "\">bytes shaded by their cost</a></p>\n";
  }
}

}  // namespace mbz::eval
