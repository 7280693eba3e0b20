// Serialization of the adapters' side information (docs/FORMAT.md).
#include "codecs/side_info.hpp"

#include "common/le_bytes.hpp"

namespace mbz::codecs {

const char* container_name(Container c) {
  switch (c) {
    case Container::wav: return "WAV";
    case Container::aiff: return "AIFF";
    case Container::au: return "AU";
    case Container::w64: return "W64";
    case Container::caf: return "CAF";
    case Container::rf64: return "RF64";
    case Container::raw_pcm: return "raw PCM";
    case Container::flac: return "FLAC";
    case Container::pnm: return "PNM";
    case Container::bmp: return "BMP";
    case Container::tga: return "TGA";
    case Container::raw_image: return "raw pixels";
    case Container::png: return "PNG";
    case Container::gif: return "GIF";
  }
  return "unknown";
}

bool is_media(Container c) { return c == Container::flac || c == Container::png || c == Container::gif; }

namespace {
bool valid_container(AdapterId a, uint8_t c) {
  if (a == AdapterId::pcm) return c >= 1 && c <= 8;
  return c >= 16 && c <= 21;
}
}  // namespace

std::vector<uint8_t> encode_side_info(const SideInfo& s) {
  ByteWriter w;
  w.u8(kSideInfoVersion);
  w.u8(static_cast<uint8_t>(s.container));
  w.u8(s.grid.width);
  w.u8(static_cast<uint8_t>((s.grid.big_endian ? 1 : 0) | (s.grid.is_unsigned ? 2 : 0) | (s.grid.is_float ? 4 : 0)));
  w.u32(s.grid.channels);
  w.u64(s.grid.rows);
  w.u64(s.grid.cols);
  w.u64(s.grid.row_stride);
  w.u8(s.layout.planar ? 1 : 0);
  w.u8(static_cast<uint8_t>(s.layout.predictor));
  w.u8(s.layout.msb_first ? 1 : 0);
  w.u32(s.sample_rate);
  w.u64(s.original_size);
  w.u64(s.original_xxh64);
  w.u32(static_cast<uint32_t>(s.prefix.size()));
  w.bytes(s.prefix.data(), s.prefix.size());
  w.u32(static_cast<uint32_t>(s.suffix.size()));
  w.bytes(s.suffix.data(), s.suffix.size());
  return std::move(w.data());
}

namespace {
SideInfo decode_fields(AdapterId adapter, const std::vector<uint8_t>& bytes) {
  ByteReader r(bytes.data(), bytes.size(), "adapter side information");
  const uint8_t version = r.u8();
  if (version != kSideInfoVersion)
    throw Error(ErrorCode::unsupported_version,
                "adapter side information version " + std::to_string(version) + " is not supported by this mbz");
  SideInfo s;
  const uint8_t container = r.u8();
  if (!valid_container(adapter, container)) throw Error(ErrorCode::corrupt, "adapter side information: unknown container");
  s.container = static_cast<Container>(container);
  s.grid.width = r.u8();
  const uint8_t flags = r.u8();
  if (flags > 7) throw Error(ErrorCode::corrupt, "adapter side information: reserved flags set");
  s.grid.big_endian = flags & 1;
  s.grid.is_unsigned = flags & 2;
  s.grid.is_float = flags & 4;
  s.grid.channels = r.u32();
  s.grid.rows = r.u64();
  s.grid.cols = r.u64();
  s.grid.row_stride = r.u64();
  const uint8_t planar = r.u8(), predictor = r.u8(), msb = r.u8();
  if (planar > 1 || predictor > 2 || msb > 1) throw Error(ErrorCode::corrupt, "adapter side information: bad layout");
  s.layout = Layout{planar == 1, static_cast<Predictor>(predictor), msb == 1};
  s.sample_rate = r.u32();
  s.original_size = r.u64();
  s.original_xxh64 = r.u64();
  for (std::vector<uint8_t>* part : {&s.prefix, &s.suffix}) {
    const uint32_t len = r.u32();
    const uint8_t* p = r.bytes(len);
    part->assign(p, p + len);
  }
  if (r.left() != 0) throw Error(ErrorCode::corrupt, "adapter side information: trailing bytes");
  try {
    s.grid.validate();
    if (s.grid.is_float && s.layout.predictor != Predictor::none) throw Error(ErrorCode::corrupt, "float with predictor");
  } catch (const Error& e) {
    throw Error(ErrorCode::corrupt, std::string("adapter side information: ") + e.what());
  }
  if (!is_media(s.container) && s.original_size != s.prefix.size() + s.grid.total_bytes() + s.suffix.size())
    throw Error(ErrorCode::corrupt, "adapter side information: sizes do not add up");
  return s;
}

}  // namespace

SideInfo decode_side_info(AdapterId adapter, const std::vector<uint8_t>& bytes) {
  try {
    return decode_fields(adapter, bytes);
  } catch (const Error& e) {  // a short record sits inside a complete, checked header: it is malformed
    if (e.code() == ErrorCode::truncated) throw Error(ErrorCode::corrupt, e.what());
    throw;
  }
}

}  // namespace mbz::codecs
