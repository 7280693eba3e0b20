// Adapter dispatch: choose the adapter, lay the samples out, build and check
// the side information, and invert it all on decompression.
#include "codecs/adapter.hpp"

#include <cstdio>

#include "codecs/formats.hpp"
#include "common/hashes.hpp"
#include "mbz/error.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::codecs {

namespace {

// Chosen by measurement (docs/ADAPTERS.md): the layout whose model coded the
// held-out data in the fewest bits.
Layout default_layout(AdapterId id, const SampleGrid& g) {
  if (g.is_float) return Layout{};
  if (id == AdapterId::pcm) return Layout{false, Predictor::delta2, true};
  return Layout{false, Predictor::med, true};
}

std::string channel_names(const SideInfo& s) {
  const bool bgr = s.container == Container::bmp || s.container == Container::tga;
  switch (s.grid.channels) {
    case 1: return "gray";
    case 2: return "gray+alpha";
    case 3: return bgr ? "BGR" : "RGB";
    case 4: return bgr ? "BGRA" : "RGBA";
  }
  return std::to_string(s.grid.channels) + " channels";
}

std::string sample_kind(const SampleGrid& g) {
  return std::to_string(8 * g.width) + "-bit" + (g.is_float ? " float" : "");
}

std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

const char* adapter_name(uint8_t adapter) {
  switch (adapter) {
    case 0: return "bytes";
    case 1: return "pcm";
    case 2: return "image";
  }
  return "unknown";
}

const char* modality_of(uint8_t adapter) { return adapter == 1 ? "audio" : adapter == 2 ? "image" : "text"; }

void check_adapter_options(const AdapterOptions& o) {
  if (o.adapter != "auto" && o.adapter != "bytes" && o.adapter != "pcm" && o.adapter != "image")
    throw Error(ErrorCode::invalid_argument, "unknown adapter '" + o.adapter + "' (auto, bytes, pcm, image)");
  if (!o.layout.empty()) parse_layout(o.layout);
  if (!o.raw_pcm.empty() && !o.raw_image.empty())
    throw Error(ErrorCode::invalid_argument, "--raw-pcm and --raw-image exclude each other");
  if (!o.raw_pcm.empty()) check_raw_pcm_spec(o.raw_pcm);
  if (!o.raw_image.empty()) check_raw_image_spec(o.raw_image);
  if ((!o.raw_pcm.empty() && o.adapter != "auto" && o.adapter != "pcm") ||
      (!o.raw_image.empty() && o.adapter != "auto" && o.adapter != "image"))
    throw Error(ErrorCode::invalid_argument, "--adapter " + o.adapter + " contradicts the raw layout given");
}

namespace {
// Integers most significant byte first: a predictor's residuals (two's
// complement modulo 2^bits), or the samples themselves when the layout keeps
// them whole in that order. MED residuals of interleaved pixels can be turned
// back into pixels by the mixer (planar planes restart their borders, which
// a segment cannot see); delta2 residuals of a sequence (audio) into the
// signal, high-passed (mixer profile 4).
uint8_t value_format(const SampleGrid& g, const Layout& l) {
  if (g.is_float || g.width > 3) return 0;
  if (l.predictor != Predictor::none) {
    const bool med = l.predictor == Predictor::med && !l.planar && g.rows > 1;
    const bool delta2 = l.predictor == Predictor::delta2 && g.rows <= 1;
    return static_cast<uint8_t>(g.width | mix::kValueSigned | (med ? mix::kValueMed : 0) |
                                (delta2 ? mix::kValueDelta2 : 0));
  }
  if (g.width > 1 && !l.msb_first && !g.big_endian) return 0;
  return static_cast<uint8_t>(g.width | (g.is_unsigned ? 0 : mix::kValueSigned));
}
}  // namespace

bool adapter_requested(const AdapterOptions& o) {
  return o.adapter != "auto" || !o.raw_pcm.empty() || !o.raw_image.empty() || o.media;
}

bool may_adapt(const uint8_t* head, size_t n, const AdapterOptions& o) {
  if (o.adapter == "bytes") return false;
  if (!o.raw_pcm.empty() || !o.raw_image.empty() || o.adapter != "auto") return true;
  return sniff_pcm(head, n, o.media) || sniff_image(head, n, o.media);
}

bool flatten(const uint8_t* data, size_t n, const AdapterOptions& o, Flattened& out, std::string* why) {
  check_adapter_options(o);
  std::string reason = "no adapter recognizes it";
  Parsed p;
  AdapterId id = AdapterId::bytes;
  if (o.adapter == "bytes") {
    reason = "--adapter bytes";
  } else if (!o.raw_pcm.empty()) {
    if (parse_raw_pcm(o.raw_pcm, n, p, &reason)) id = AdapterId::pcm;
  } else if (!o.raw_image.empty()) {
    if (parse_raw_image(o.raw_image, n, p, &reason)) id = AdapterId::image;
  } else {
    std::string pcm_why, image_why;
    if (o.adapter != "image" && parse_pcm(data, n, o.media, p, &pcm_why)) id = AdapterId::pcm;
    else if (o.adapter != "pcm" && parse_image(data, n, o.media, p, &image_why)) id = AdapterId::image;
    else if (o.adapter == "pcm") reason = pcm_why;
    else if (o.adapter == "image") reason = image_why;
    else if (sniff_pcm(data, n, o.media)) reason = pcm_why;
    else if (sniff_image(data, n, o.media)) reason = image_why;
  }
  if (id == AdapterId::bytes) {
    if (why) *why = reason;
    return false;
  }
  SideInfo& s = p.info;
  s.layout = o.layout.empty() ? default_layout(id, s.grid) : parse_layout(o.layout);
  if (s.grid.is_float && s.layout.predictor != Predictor::none) s.layout = Layout{s.layout.planar, Predictor::none, false};
  const uint8_t* samples;
  if (is_media(s.container)) {
    samples = p.decoded.data();
    s.original_size = p.decoded.size();
    s.original_xxh64 = xxh64(p.decoded.data(), p.decoded.size());
  } else {
    const uint64_t end = p.data_offset + s.grid.total_bytes();
    samples = data + p.data_offset;
    s.prefix.assign(data, data + p.data_offset);
    s.suffix.assign(data + end, data + n);
    s.original_size = n;
    s.original_xxh64 = xxh64(data, n);
  }
  if (s.prefix.size() + s.suffix.size() > kMaxSideInfo - 256) {
    if (why) *why = "the bytes around the samples are too large for the side information";
    return false;
  }
  out.adapter = static_cast<uint8_t>(id);
  out.side_info = encode_side_info(s);
  out.payload = flatten_samples(s.grid, s.layout, samples);
  out.description = describe(out.adapter, out.side_info);
  const uint64_t stride = uint64_t{s.grid.width} * (s.layout.planar ? 1 : s.grid.channels);
  const uint64_t row = s.grid.rows > 1 ? stride * s.grid.cols : 0;
  // A frame wider than the mixer reads (1024 bytes) is mixed as bytes.
  if (stride <= 1024 && row <= UINT32_MAX)
    out.shape = mix::SampleShape{static_cast<uint32_t>(stride), static_cast<uint32_t>(row), 0, value_format(s.grid, s.layout)};
  // Cheap insurance: never write a frame whose inverse we have not seen work.
  const std::vector<uint8_t> back = restore_samples(s.grid, s.layout, out.payload.data());
  if (!std::equal(back.begin(), back.end(), samples))
    throw Error(ErrorCode::internal, "sample layout does not invert (please report this)");
  if (is_media(s.container)) {
    // The decoder writes a new FLAC or PNG file; a stream whose samples the
    // writer refuses (a rate or channel count FLAC cannot store) would make
    // a frame that never decompresses (found by tests/fuzz/fuzz_media).
    try {
      restore(out.adapter, out.side_info, out.payload);
    } catch (const Error& e) {
      if (why) *why = std::string("its samples cannot be written back: ") + e.what();
      out = Flattened{};
      return false;
    }
  }
  return true;
}

void check_side_info(uint8_t adapter, const std::vector<uint8_t>& side_info) {
  if (adapter == 0) {
    if (!side_info.empty()) throw Error(ErrorCode::corrupt, "side information on a bytes frame");
    return;
  }
  if (adapter > 2) throw Error(ErrorCode::unsupported_version, "adapter " + std::to_string(adapter) + " is not supported by this mbz");
  decode_side_info(static_cast<AdapterId>(adapter), side_info);
}

bool restores_samples_only(uint8_t adapter, const std::vector<uint8_t>& side_info) {
  return adapter != 0 && is_media(decode_side_info(static_cast<AdapterId>(adapter), side_info).container);
}

std::string describe(uint8_t adapter, const std::vector<uint8_t>& side_info) {
  if (adapter == 0) return "bytes";
  const SideInfo s = decode_side_info(static_cast<AdapterId>(adapter), side_info);
  std::string d = std::string(adapter_name(adapter)) + ": " + container_name(s.container) + ", ";
  if (adapter == 1) {
    d += sample_kind(s.grid) + ", " + std::to_string(s.grid.channels) + " ch, " + std::to_string(s.sample_rate) + " Hz";
    if (s.sample_rate > 0) d += ", " + fixed1(static_cast<double>(s.grid.cols) / s.sample_rate) + " s";
  } else {
    d += std::to_string(s.grid.cols) + "x" + std::to_string(s.grid.rows) + ", " + channel_names(s) + ", " +
         sample_kind(s.grid);
  }
  d += ", layout " + layout_name(s.layout);
  if (is_media(s.container)) d += ", restores " + std::string(adapter == 1 ? "samples" : "pixels") + " (not bytes)";
  return d;
}

std::vector<uint8_t> restore(uint8_t adapter, const std::vector<uint8_t>& side_info, const std::vector<uint8_t>& payload) {
  const SideInfo s = decode_side_info(static_cast<AdapterId>(adapter), side_info);
  if (payload.size() != s.grid.total_bytes())
    throw Error(ErrorCode::corrupt, "decoded samples do not fill the adapter's grid (file damaged)");
  std::vector<uint8_t> samples = restore_samples(s.grid, s.layout, payload.data());
  if (is_media(s.container)) {
    if (xxh64(samples.data(), samples.size()) != s.original_xxh64)
      throw Error(ErrorCode::checksum_mismatch, "checksum mismatch of the decoded samples");
    return s.container == Container::flac ? write_flac(s, samples) : write_png(s, samples);
  }
  std::vector<uint8_t> out;
  out.reserve(s.original_size);
  out.insert(out.end(), s.prefix.begin(), s.prefix.end());
  out.insert(out.end(), samples.begin(), samples.end());
  out.insert(out.end(), s.suffix.begin(), s.suffix.end());
  if (out.size() != s.original_size || xxh64(out.data(), out.size()) != s.original_xxh64)
    throw Error(ErrorCode::checksum_mismatch, "checksum mismatch of the restored file");
  return out;
}

}  // namespace mbz::codecs
