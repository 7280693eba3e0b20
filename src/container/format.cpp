// Serialization of .mbz frame structures; see format.hpp and docs/FORMAT.md.
#include "container/format.hpp"

#include <algorithm>

#include "codecs/adapter.hpp"
#include "common/le_bytes.hpp"
#include "mbz/error.hpp"

namespace mbz {

namespace {

std::string prefix(const std::string& what) { return what.empty() ? "" : what + ": "; }

uint32_t check32(const uint8_t* p, size_t n) { return static_cast<uint32_t>(xxh64(p, n)); }

void append_check(ByteWriter& w) { w.u32(check32(w.data().data(), w.size())); }

}  // namespace

const char* method_name(Method m) {
  switch (m) {
    case Method::stored: return "stored";
    case Method::zstd: return "zstd";
    case Method::model: return "model";
    case Method::mixed: return "mixed";
    case Method::mixed_prefix: return "mixed with a model prefix";
  }
  return "unknown";
}


void read_exact(std::istream& in, uint8_t* dst, size_t n, const std::string& what) {
  in.read(reinterpret_cast<char*>(dst), static_cast<std::streamsize>(n));
  const auto got = static_cast<size_t>(in.gcount());
  if (got != n) {
    if (in.bad()) throw Error(ErrorCode::io, prefix(what) + "read error");
    throw Error(ErrorCode::truncated, prefix(what) + "file is truncated");
  }
}

std::string describe_features(uint16_t features) {
  std::string profiles, others;
  uint16_t rest = features;  // the bits no profile declares
  for (int p = 1; p <= kMaxFeatureProfile; ++p)
    if (features & profile_feature(p)) {
      profiles += (profiles.empty() ? "" : ", ") + std::to_string(p);
      rest = static_cast<uint16_t>(rest & ~profile_feature(p));
    }
  for (int bit = 0; bit < 16; ++bit) {
    if (!(rest & (1u << bit))) continue;
    others += (others.empty() ? "" : ", ") + ((1u << bit) == kFeatureModelPrefix ? std::string("the model prefix")
                                                                                 : "feature bit " + std::to_string(bit));
  }
  std::string s;
  if (!profiles.empty()) s = (profiles.find(',') == std::string::npos ? "mixer profile " : "mixer profiles ") + profiles;
  if (!others.empty()) s += (s.empty() ? "" : " and ") + others;
  return s.empty() ? "nothing" : s;
}

std::vector<uint8_t> encode_header(const FrameHeader& h) {
  ByteWriter w;
  w.bytes(kFrameMagic.data(), kFrameMagic.size());
  w.u16(h.version);
  w.u16(h.features);
  w.str8(h.model_name);
  w.bytes(h.model_sha.data(), h.model_sha.size());
  w.u8(h.adapter);
  w.u32(static_cast<uint32_t>(h.side_info.size()));
  w.bytes(h.side_info.data(), h.side_info.size());
  w.u32(h.segment_size);
  append_check(w);
  return std::move(w.data());
}

size_t parse_header(const uint8_t* data, size_t n, FrameHeader& h, const std::string& what) {
  const size_t magic = kFrameMagic.size();
  if (!std::equal(data, data + std::min(n, magic), kFrameMagic.begin()))
    throw Error(ErrorCode::not_mbz, prefix(what) + "not an .mbz file (bad magic)");
  if (n < magic + 5) return 0;
  const size_t name_len = data[magic + 4];
  const size_t side_at = magic + 5 + name_len + 32 + 1;
  if (n < side_at + 4) return 0;
  const uint32_t side_len = load_u32le(data + side_at);
  if (side_len > (1u << 20)) throw Error(ErrorCode::corrupt, prefix(what) + "side information too large");
  const size_t total = side_at + 4 + side_len + 4 + 4;
  if (n < total) return 0;
  ByteReader r(data + magic, total - magic, what);
  h = FrameHeader{};
  h.version = r.u16();
  h.features = r.u16();
  if (h.version == 0 || h.version > kFrameVersion)
    throw Error(ErrorCode::unsupported_version,
                prefix(what) + ".mbz format version " + std::to_string(h.version) + " is newer than this mbz supports (" +
                    std::to_string(kFrameVersion) + "); upgrade mbz");
  if (load_u32le(data + total - 4) != check32(data, total - 4))
    throw Error(ErrorCode::corrupt, prefix(what) + "header is corrupted (check mismatch)");
  if (h.version == 1 && h.features != 0) throw Error(ErrorCode::corrupt, prefix(what) + "reserved header flags are set");
  if (const uint16_t unknown = h.features & static_cast<uint16_t>(~kKnownFeatures))
    throw Error(ErrorCode::unsupported_version, prefix(what) + "the frame needs " + describe_features(unknown) +
                                                    ", which this mbz does not support; upgrade mbz");
  h.model_name = r.str8();
  std::copy_n(r.bytes(32), 32, h.model_sha.begin());
  h.adapter = r.u8();
  const uint32_t m = r.u32();
  const uint8_t* side = r.bytes(m);
  h.side_info.assign(side, side + m);
  h.segment_size = r.u32();
  if (h.segment_size == 0 || h.segment_size > kMaxSegmentSize)
    throw Error(ErrorCode::corrupt, prefix(what) + "invalid segment size");
  try {
    codecs::check_side_info(h.adapter, h.side_info);
  } catch (const Error& e) {
    throw Error(e.code(), prefix(what) + e.what());
  }
  return total;
}

FrameHeader read_header(std::istream& in, const std::string& what) {
  std::vector<uint8_t> buf;
  FrameHeader h;
  for (size_t want = kFrameMagic.size();;) {  // grow until the parser has what it needs
    const size_t at = buf.size();
    buf.resize(want);
    in.read(reinterpret_cast<char*>(buf.data() + at), static_cast<std::streamsize>(want - at));
    const size_t got = at + static_cast<size_t>(in.gcount());
    if (got < want) {
      if (in.bad()) throw Error(ErrorCode::io, prefix(what) + "read error");
      buf.resize(got);
      parse_header(buf.data(), got, h, what);  // bad magic is reported as such
      throw Error(got < kFrameMagic.size() ? ErrorCode::not_mbz : ErrorCode::truncated,
                  prefix(what) + (got < kFrameMagic.size() ? "not an .mbz file (too short)" : "file is truncated"));
    }
    if (parse_header(buf.data(), buf.size(), h, what)) return h;
    want += 1;
  }
}

std::vector<uint8_t> encode_block_header(const BlockHeader& b) {
  ByteWriter w;
  w.u8(static_cast<uint8_t>(b.method));
  w.u32(b.raw_len);
  w.u32(b.coded_len);
  w.u64(b.checksum);
  append_check(w);
  return std::move(w.data());
}

size_t parse_block_header(const uint8_t* p, size_t n, BlockHeader& b, uint32_t segment_size, const std::string& what) {
  if (n < 1) return 0;
  if (p[0] == kEndMarker) return 1;
  if (n < kBlockHeaderSize) return 0;
  if (load_u32le(p + kBlockHeaderSize - 4) != check32(p, kBlockHeaderSize - 4))
    throw Error(ErrorCode::corrupt, prefix(what) + "segment header is corrupted (check mismatch)");
  ByteReader r(p, kBlockHeaderSize, what);
  const uint8_t method = r.u8();
  b.raw_len = r.u32();
  b.coded_len = r.u32();
  b.checksum = r.u64();
  if (method > static_cast<uint8_t>(Method::mixed_prefix))
    throw Error(ErrorCode::unsupported_version, prefix(what) + "unknown segment method " + std::to_string(method));
  b.method = static_cast<Method>(method);
  if (b.raw_len == 0 || b.raw_len > segment_size) throw Error(ErrorCode::corrupt, prefix(what) + "invalid segment length");
  if (b.method == Method::stored && b.coded_len != b.raw_len)
    throw Error(ErrorCode::corrupt, prefix(what) + "stored segment with mismatched length");
  // No symbol costs more than 16 bits, nor a mixed byte more than 8 x 12 bits
  // (a model prefix adds its 4 bytes).
  const uint64_t bytes_per_byte = is_mixed(b.method) ? 12 : 2;
  const uint64_t extra = b.method == Method::mixed_prefix ? kModelPrefixBytes : 0;
  if (b.coded_len > bytes_per_byte * b.raw_len + 16 + extra) throw Error(ErrorCode::corrupt, prefix(what) + "invalid coded segment length");
  return kBlockHeaderSize;
}

uint32_t read_model_prefix(const uint8_t* coded, size_t coded_len, size_t raw_len, const std::string& what) {
  if (coded_len < kModelPrefixBytes) throw Error(ErrorCode::corrupt, prefix(what) + "segment's model prefix is truncated");
  const uint32_t n = load_u32le(coded);
  if (n == 0 || n >= raw_len) throw Error(ErrorCode::corrupt, prefix(what) + "invalid model prefix " + std::to_string(n));
  return n;
}

bool read_block_header(std::istream& in, BlockHeader& b, uint32_t segment_size, const std::string& what) {
  uint8_t buf[kBlockHeaderSize];
  read_exact(in, buf, 1, what);
  if (buf[0] == kEndMarker) return false;
  read_exact(in, buf + 1, kBlockHeaderSize - 1, what);
  parse_block_header(buf, kBlockHeaderSize, b, segment_size, what);
  return true;
}

std::vector<uint8_t> encode_footer(const Footer& f) {
  ByteWriter w;
  w.u64(f.original_size);
  w.u32(f.segment_count);
  w.u64(f.checksum);
  append_check(w);
  return std::move(w.data());
}

size_t parse_footer(const uint8_t* p, size_t n, Footer& f, const std::string& what) {
  if (n < kFooterSize) return 0;
  if (load_u32le(p + kFooterSize - 4) != check32(p, kFooterSize - 4))
    throw Error(ErrorCode::corrupt, prefix(what) + "footer is corrupted (check mismatch)");
  ByteReader r(p, kFooterSize, what);
  f.original_size = r.u64();
  f.segment_count = r.u32();
  f.checksum = r.u64();
  return kFooterSize;
}

Footer read_footer(std::istream& in, const std::string& what) {
  uint8_t buf[kFooterSize];
  read_exact(in, buf, kFooterSize, what);
  Footer f;
  parse_footer(buf, kFooterSize, f, what);
  return f;
}

}  // namespace mbz
