// The image adapter's formats. Binary PNM, uncompressed BMP and TGA headers
// are parsed here (they are a few fields each) to find the pixel bytes, and
// stb_image's decoding of the same file must agree with what we found before
// the pixels are modeled; PNG and GIF (--media) are decoded by stb_image and
// written back as PNG by stb_image_write.
#include <stb_image.h>
#include <stb_image_write.h>

#include <cctype>
#include <cstring>
#include <memory>

#include "codecs/formats.hpp"
#include "common/le_bytes.hpp"
#include "mbz/error.hpp"

namespace mbz::codecs {

namespace {

bool fail(std::string* why, const std::string& reason) {
  if (why) *why = reason;
  return false;
}

uint32_t le16(const uint8_t* p) { return p[0] | (p[1] << 8); }
uint32_t le32(const uint8_t* p) { return le16(p) | (le16(p + 2) << 16); }

struct StbFree {
  void operator()(void* p) const { stbi_image_free(p); }
};

// stb_image's decoding, as 8- or 16-bit samples, top row first, in the
// file's channel count (so BMP/TGA come back as RGB(A) where files hold BGR(A)).
struct StbImage {
  std::unique_ptr<void, StbFree> pixels;
  int w = 0, h = 0, comp = 0;
  bool wide = false;
  uint32_t at(uint64_t row, uint64_t col, uint32_t ch) const {
    const uint64_t i = (row * static_cast<uint64_t>(w) + col) * comp + ch;
    return wide ? static_cast<const uint16_t*>(pixels.get())[i] : static_cast<const uint8_t*>(pixels.get())[i];
  }
};

bool stb_decode(const uint8_t* data, size_t n, int channels, bool wide, StbImage& img) {
  if (n > static_cast<size_t>(INT32_MAX)) return false;
  const int len = static_cast<int>(n);
  int file_comp = 0;
  void* p = wide ? static_cast<void*>(stbi_load_16_from_memory(data, len, &img.w, &img.h, &file_comp, channels))
                 : static_cast<void*>(stbi_load_from_memory(data, len, &img.w, &img.h, &file_comp, channels));
  if (!p) return false;
  img.pixels.reset(p);
  img.comp = channels;
  img.wide = wide;
  return true;
}

// Pixels found at data (grid g, file row `file_row(r)` holds image row r,
// channel order reversed when bgr) equal stb_image's? Alpha of 32-bit BMPs is
// skipped: stb makes an all-zero alpha opaque.
bool pixels_agree(const SampleGrid& g, const uint8_t* data, const StbImage& img, bool bottom_up, bool bgr,
                  uint32_t compare_channels) {
  if (static_cast<uint64_t>(img.w) != g.cols || static_cast<uint64_t>(img.h) != g.rows) return false;
  for (uint64_t r = 0; r < g.rows; ++r) {
    const uint8_t* row = data + (bottom_up ? g.rows - 1 - r : r) * g.row_stride;
    for (uint64_t c = 0; c < g.cols; ++c)
      for (uint32_t ch = 0; ch < compare_channels; ++ch) {
        const uint32_t file_ch = bgr && ch < 3 ? 2 - ch : ch;
        const uint8_t* s = row + (c * g.channels + file_ch) * g.width;
        const uint32_t ref = img.at(r, c, ch);
        // stb_image 2.27 returns 16-bit PNM samples unswapped (big-endian in memory): accept both readings.
        if (g.width == 2 ? ref != static_cast<uint32_t>(s[0] << 8 | s[1]) && ref != static_cast<uint32_t>(s[1] << 8 | s[0])
                         : ref != s[0])
          return false;
      }
  }
  return true;
}

SampleGrid pixel_grid(uint64_t w, uint64_t h, uint32_t channels, int width, uint64_t stride) {
  SampleGrid g;
  g.width = static_cast<uint8_t>(width);
  g.big_endian = width == 2;  // PNM's 16-bit samples; raw images override
  g.is_unsigned = true;
  g.channels = channels;
  g.rows = h;
  g.cols = w;
  g.row_stride = stride;
  return g;
}

// --- PNM (P5 gray, P6 RGB; maxval < 256: 8-bit, else 16-bit big-endian) ---
bool parse_pnm(const uint8_t* d, size_t n, Parsed& out, std::string* why) {
  size_t i = 2;
  uint64_t field[3];
  for (uint64_t& v : field) {
    for (;;) {  // whitespace and comments
      while (i < n && std::isspace(d[i])) ++i;
      if (i < n && d[i] == '#') {
        while (i < n && d[i] != '\n' && d[i] != '\r') ++i;
      } else {
        break;
      }
    }
    if (i >= n || !std::isdigit(d[i])) return fail(why, "malformed PNM header");
    v = 0;
    for (; i < n && std::isdigit(d[i]); ++i) {
      v = v * 10 + (d[i] - '0');
      if (v > (1u << 24)) return fail(why, "PNM dimensions out of range");
    }
  }
  if (i >= n || !std::isspace(d[i])) return fail(why, "malformed PNM header");
  ++i;  // exactly one whitespace byte ends the header
  const uint64_t w = field[0], h = field[1], maxval = field[2];
  if (w == 0 || h == 0 || maxval == 0 || maxval > 65535) return fail(why, "PNM dimensions out of range");
  const uint32_t channels = d[1] == '5' ? 1 : 3;
  const int width = maxval < 256 ? 1 : 2;
  SampleGrid g = pixel_grid(w, h, channels, width, w * channels * width);
  if (i + g.total_bytes() > n) return fail(why, "PNM pixel data is truncated");
  StbImage img;
  if ((maxval == 255 || maxval == 65535) &&
      (!stb_decode(d, n, static_cast<int>(channels), width == 2, img) || !pixels_agree(g, d + i, img, false, false, channels)))
    return fail(why, "stb_image does not decode the PNM as its header says");
  out.info.container = Container::pnm;
  out.info.grid = g;
  out.data_offset = i;
  return true;
}

// --- BMP (BI_RGB 24/32-bit, or BI_BITFIELDS 32-bit; rows padded to 4 bytes) ---
bool parse_bmp(const uint8_t* d, size_t n, Parsed& out, std::string* why) {
  if (n < 54) return fail(why, "BMP header is truncated");
  const uint32_t offset = le32(d + 10), info_size = le32(d + 14);
  const int32_t sw = static_cast<int32_t>(le32(d + 18)), sh = static_cast<int32_t>(le32(d + 22));
  const uint32_t planes = le16(d + 26), bpp = le16(d + 28), compression = le32(d + 30);
  if (info_size < 40 || planes != 1) return fail(why, "unsupported BMP header");
  if (!(bpp == 24 || bpp == 32) || !(compression == 0 || (compression == 3 && bpp == 32)))
    return fail(why, "only uncompressed 24/32-bit BMP is adapted");
  if (sw <= 0 || sh == 0 || sh == INT32_MIN || sw > (1 << 24) || std::abs(sh) > (1 << 24))
    return fail(why, "BMP dimensions out of range");
  const uint64_t w = static_cast<uint64_t>(sw), h = static_cast<uint64_t>(std::abs(sh));
  const uint32_t channels = bpp / 8;
  SampleGrid g = pixel_grid(w, h, channels, 1, (w * bpp + 31) / 32 * 4);
  if (offset < 14 + info_size || offset + g.total_bytes() > n) return fail(why, "BMP pixel data is truncated");
  StbImage img;
  if (!stb_decode(d, n, static_cast<int>(channels), false, img) || !pixels_agree(g, d + offset, img, sh > 0, true, 3))
    return fail(why, "stb_image does not decode the BMP as its header says");
  out.info.container = Container::bmp;
  out.info.grid = g;
  out.data_offset = offset;
  return true;
}

// --- TGA (uncompressed: type 2 true colour 24/32-bit, type 3 gray 8-bit) ---
bool tga_header_ok(const uint8_t* d, size_t n) {
  if (n < 18 || d[1] != 0 || le16(d + 5) != 0) return false;  // no colour map
  const int type = d[2], bpp = d[16];
  return ((type == 2 && (bpp == 24 || bpp == 32)) || (type == 3 && bpp == 8)) && le16(d + 12) > 0 && le16(d + 14) > 0 &&
         (d[17] & 0xC0) == 0;
}

bool parse_tga(const uint8_t* d, size_t n, Parsed& out, std::string* why) {
  if (!tga_header_ok(d, n)) return fail(why, "only uncompressed 8/24/32-bit TGA is adapted");
  const uint64_t w = le16(d + 12), h = le16(d + 14), offset = 18u + d[0];
  const uint32_t channels = d[16] / 8;
  SampleGrid g = pixel_grid(w, h, channels, 1, w * channels);
  if (offset + g.total_bytes() > n) return fail(why, "TGA pixel data is truncated");
  const bool top_down = d[17] & 0x20, right_to_left = d[17] & 0x10;
  StbImage img;
  if (right_to_left || !stb_decode(d, n, static_cast<int>(channels), false, img) ||
      !pixels_agree(g, d + offset, img, !top_down, channels >= 3, channels))
    return fail(why, "stb_image does not decode the TGA as its header says");
  out.info.container = Container::tga;
  out.info.grid = g;
  out.data_offset = offset;
  return true;
}

// --- PNG / GIF (--media): the decoded 8-bit pixels ---

// stb_image trusts sizes a file claims: it allocates a PNG chunk's stated
// length before reading it, every frame of a GIF at once, and the pixels of
// any width x height. Checked here first, so that a few hostile bytes cannot
// make it allocate gigabytes (found by tests/fuzz/fuzz_media).
// Every PNG chunk lies inside the file.
bool png_chunks_fit(const uint8_t* d, size_t n) {
  for (size_t at = 8; at + 12 <= n;) {
    const uint64_t len = load_u32be(d + at);
    if (at + 12 + len > n) return false;
    if (std::memcmp(d + at + 4, "IEND", 4) == 0) return true;
    at += 12 + len;
  }
  return false;
}

// The number of images in a GIF (its 0x2C image descriptors), walking its
// blocks; -1 if the structure runs past the end of the file.
int gif_frames(const uint8_t* d, size_t n) {
  if (n < 13) return -1;
  size_t at = 13 + ((d[10] & 0x80) ? 3u * (2u << (d[10] & 7)) : 0u);  // header, logical screen, global colour table
  const auto skip_sub_blocks = [&]() {
    while (at < n && d[at] != 0) at += 1 + d[at];
    ++at;
    return at <= n;
  };
  int frames = 0;
  while (at < n) {
    const uint8_t kind = d[at];
    if (kind == 0x3B) return frames;  // trailer
    if (kind == 0x21) {               // extension: label, sub-blocks
      at += 2;
      if (!skip_sub_blocks()) return -1;
    } else if (kind == 0x2C) {  // image: descriptor, local colour table, LZW code size, sub-blocks
      if (at + 10 > n) return -1;
      const uint8_t packed = d[at + 9];
      at += 10 + ((packed & 0x80) ? 3u * (2u << (packed & 7)) : 0u) + 1;
      if (!skip_sub_blocks()) return -1;
      ++frames;
    } else {
      return -1;
    }
  }
  return frames;  // no trailer: stb_image stops at the end too
}

bool parse_media(const uint8_t* d, size_t n, Container c, Parsed& out, std::string* why) {
  if (n > static_cast<size_t>(INT32_MAX)) return fail(why, "image too large");
  const int len = static_cast<int>(n);
  if (c == Container::png && !png_chunks_fit(d, n)) return fail(why, "PNG chunks run past the end of the file");
  if (c == Container::gif && gif_frames(d, n) != 1)
    return fail(why, "not a single-image GIF (animated GIF: PNG cannot hold its frames, so it is coded as bytes)");
  {
    // Deflate expands at most 1032:1 and GIF's LZW about 2730:1: more pixels
    // than that cannot be in the file.
    int w = 0, h = 0, comp = 0;
    if (!stbi_info_from_memory(d, len, &w, &h, &comp)) return fail(why, std::string("stb_image: ") + stbi_failure_reason());
    if (static_cast<uint64_t>(w) * static_cast<uint64_t>(h) > 4096 * static_cast<uint64_t>(n) + 4096)
      return fail(why, "image dimensions larger than its data can hold");
  }
  if (c == Container::png && stbi_is_16_bit_from_memory(d, len))
    return fail(why, "16-bit PNG: mbz writes 8-bit PNG only, so it is coded as bytes");
  if (c == Container::gif) {
    int *delays = nullptr, w = 0, h = 0, frames = 0, comp = 0;
    stbi_uc* all = stbi_load_gif_from_memory(d, len, &delays, &w, &h, &frames, &comp, 4);
    stbi_image_free(all);
    stbi_image_free(delays);
    if (!all) return fail(why, std::string("stb_image cannot decode the GIF: ") + stbi_failure_reason());
    if (frames != 1) return fail(why, "animated GIF: PNG cannot hold its frames, so it is coded as bytes");
  }
  int w = 0, h = 0, comp = 0;
  if (!stbi_info_from_memory(d, len, &w, &h, &comp)) return fail(why, std::string("stb_image: ") + stbi_failure_reason());
  StbImage img;
  if (!stb_decode(d, n, comp, false, img)) return fail(why, std::string("stb_image: ") + stbi_failure_reason());
  const uint64_t bytes = static_cast<uint64_t>(w) * h * comp;
  out.info.container = c;
  out.info.grid = pixel_grid(static_cast<uint64_t>(w), static_cast<uint64_t>(h), static_cast<uint32_t>(comp), 1,
                             static_cast<uint64_t>(w) * comp);
  const auto* px = static_cast<const uint8_t*>(img.pixels.get());
  out.decoded.assign(px, px + bytes);
  return true;
}

struct RawImageSpec {
  uint64_t w = 0, h = 0;
  uint32_t channels = 0;
  int width = 1;
  bool big_endian = false;
};

RawImageSpec parse_raw_image_spec(const std::string& spec) {
  const auto bad = [&](const std::string& what) {
    return Error(ErrorCode::invalid_argument, "--raw-image '" + spec + "': " + what +
                                                  " (expected WIDTHxHEIGHTxCHANNELS[:16|:16be], e.g. 640x480x3)");
  };
  RawImageSpec r;
  std::string dims = spec, depth;
  if (const size_t colon = spec.find(':'); colon != std::string::npos) {
    dims = spec.substr(0, colon);
    depth = spec.substr(colon + 1);
  }
  if (depth == "16") r.width = 2;
  else if (depth == "16be") r = {0, 0, 0, 2, true};
  else if (!depth.empty() && depth != "8") throw bad("unknown depth '" + depth + "'");
  uint64_t v[3];
  size_t at = 0;
  for (int k = 0; k < 3; ++k) {
    const size_t end = k < 2 ? dims.find('x', at) : dims.size();
    if (end == std::string::npos || end == at) throw bad("three dimensions needed");
    v[k] = 0;
    for (size_t i = at; i < end; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(dims[i]))) throw bad("not a number");
      v[k] = v[k] * 10 + (dims[i] - '0');
      if (v[k] > (1u << 24)) throw bad("dimension too large");
    }
    at = end + 1;
  }
  if (v[0] == 0 || v[1] == 0 || v[2] == 0 || v[2] > 16) throw bad("dimensions must be positive, channels at most 16");
  r.w = v[0];
  r.h = v[1];
  r.channels = static_cast<uint32_t>(v[2]);
  return r;
}

}  // namespace

bool sniff_image(const uint8_t* d, size_t n, bool media) {
  if (n >= 2 && d[0] == 'P' && (d[1] == '5' || d[1] == '6')) return true;
  if (n >= 2 && d[0] == 'B' && d[1] == 'M') return true;
  if (tga_header_ok(d, n)) return true;
  if (!media) return false;
  static const uint8_t png[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  return (n >= 8 && std::memcmp(d, png, 8) == 0) || (n >= 4 && std::memcmp(d, "GIF8", 4) == 0);
}

bool parse_image(const uint8_t* d, size_t n, bool media, Parsed& out, std::string* why) {
  if (n >= 2 && d[0] == 'P' && (d[1] == '5' || d[1] == '6')) return parse_pnm(d, n, out, why);
  if (n >= 2 && d[0] == 'B' && d[1] == 'M') return parse_bmp(d, n, out, why);
  if (tga_header_ok(d, n)) return parse_tga(d, n, out, why);
  if (media && sniff_image(d, n, true))
    return parse_media(d, n, d[0] == 0x89 ? Container::png : Container::gif, out, why);
  return fail(why, "not an image format mbz adapts");
}

void check_raw_image_spec(const std::string& spec) { parse_raw_image_spec(spec); }

bool parse_raw_image(const std::string& spec, size_t n, Parsed& out, std::string* why) {
  const RawImageSpec r = parse_raw_image_spec(spec);
  SampleGrid g = pixel_grid(r.w, r.h, r.channels, r.width, r.w * r.channels * r.width);
  g.big_endian = r.big_endian;
  if (g.total_bytes() > n)
    return fail(why, "--raw-image " + spec + " needs " + std::to_string(g.total_bytes()) + " bytes, the input has " +
                         std::to_string(n));
  out.info.container = Container::raw_image;
  out.info.grid = g;
  out.data_offset = 0;
  return true;
}

std::vector<uint8_t> write_png(const SideInfo& s, const std::vector<uint8_t>& pixels) {
  const SampleGrid& g = s.grid;
  if (g.width != 1 || g.channels > 4 || g.cols > INT32_MAX / 4 || g.rows > INT32_MAX)
    throw Error(ErrorCode::corrupt, "image side information does not describe an 8-bit PNG");
  std::vector<uint8_t> file;
  const auto sink = [](void* ctx, void* data, int size) {
    auto* f = static_cast<std::vector<uint8_t>*>(ctx);
    f->insert(f->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
  };
  if (!stbi_write_png_to_func(sink, &file, static_cast<int>(g.cols), static_cast<int>(g.rows),
                              static_cast<int>(g.channels), pixels.data(), static_cast<int>(g.row_stride)))
    throw Error(ErrorCode::io, "PNG encoding failed");
  return file;
}

}  // namespace mbz::codecs
