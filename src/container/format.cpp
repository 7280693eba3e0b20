// Serialization of .mbz frame structures; see format.hpp and docs/FORMAT.md.
#include "container/format.hpp"

#include "common/le_bytes.hpp"
#include "mbz/error.hpp"

namespace mbz {

namespace {

std::string prefix(const std::string& what) { return what.empty() ? "" : what + ": "; }

uint32_t check32(const uint8_t* p, size_t n) { return static_cast<uint32_t>(xxh64(p, n)); }

void append_check(ByteWriter& w) { w.u32(check32(w.data().data(), w.size())); }

void verify_check(const std::vector<uint8_t>& bytes, const std::string& what, const char* part) {
  const size_t n = bytes.size() - 4;
  if (load_u32le(bytes.data() + n) != check32(bytes.data(), n))
    throw Error(ErrorCode::corrupt, prefix(what) + "" + part + " is corrupted (check mismatch)");
}

}  // namespace

const char* method_name(Method m) {
  switch (m) {
    case Method::stored: return "stored";
    case Method::zstd: return "zstd";
    case Method::model: return "model";
  }
  return "unknown";
}

const char* adapter_name(uint8_t adapter) { return adapter == 0 ? "bytes" : "unknown"; }

void read_exact(std::istream& in, uint8_t* dst, size_t n, const std::string& what) {
  in.read(reinterpret_cast<char*>(dst), static_cast<std::streamsize>(n));
  const auto got = static_cast<size_t>(in.gcount());
  if (got != n) {
    if (in.bad()) throw Error(ErrorCode::io, prefix(what) + "read error");
    throw Error(ErrorCode::truncated, prefix(what) + "file is truncated");
  }
}

std::vector<uint8_t> encode_header(const FrameHeader& h) {
  ByteWriter w;
  w.bytes(kFrameMagic.data(), kFrameMagic.size());
  w.u16(h.version);
  w.u16(0);  // flags: reserved
  w.str8(h.model_name);
  w.bytes(h.model_sha.data(), h.model_sha.size());
  w.u8(h.adapter);
  w.u32(static_cast<uint32_t>(h.side_info.size()));
  w.bytes(h.side_info.data(), h.side_info.size());
  w.u32(h.segment_size);
  append_check(w);
  return std::move(w.data());
}

FrameHeader read_header(std::istream& in, const std::string& what) {
  std::vector<uint8_t> buf(kFrameMagic.size());
  in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
  if (static_cast<size_t>(in.gcount()) != buf.size() || !std::equal(buf.begin(), buf.end(), kFrameMagic.begin())) {
    if (in.bad()) throw Error(ErrorCode::io, prefix(what) + "read error");
    throw Error(ErrorCode::not_mbz, prefix(what) + "not an .mbz file (bad magic)");
  }
  auto more = [&](size_t n) {
    const size_t at = buf.size();
    buf.resize(at + n);
    read_exact(in, buf.data() + at, n, what);
    return buf.data() + at;
  };
  FrameHeader h;
  const uint8_t* p = more(4);
  h.version = static_cast<uint16_t>(p[0] | p[1] << 8);
  const uint16_t flags = static_cast<uint16_t>(p[2] | p[3] << 8);
  if (h.version == 0 || h.version > kFrameVersion)
    throw Error(ErrorCode::unsupported_version,
                prefix(what) + ".mbz format version " + std::to_string(h.version) + " is newer than this mbz supports (" +
                    std::to_string(kFrameVersion) + "); upgrade mbz");
  if (flags != 0) throw Error(ErrorCode::corrupt, prefix(what) + "reserved header flags are set");
  const size_t name_len = *more(1);
  p = more(name_len);
  h.model_name.assign(reinterpret_cast<const char*>(p), name_len);
  p = more(32);
  std::copy(p, p + 32, h.model_sha.begin());
  h.adapter = *more(1);
  const uint32_t side_len = load_u32le(more(4));
  if (side_len > (1u << 20)) throw Error(ErrorCode::corrupt, prefix(what) + "side information too large");
  p = more(side_len);
  h.side_info.assign(p, p + side_len);
  h.segment_size = load_u32le(more(4));
  more(4);
  verify_check(buf, what, "header");
  if (h.segment_size == 0 || h.segment_size > kMaxSegmentSize)
    throw Error(ErrorCode::corrupt, prefix(what) + "invalid segment size");
  if (h.adapter != static_cast<uint8_t>(Adapter::bytes))
    throw Error(ErrorCode::unsupported_version, prefix(what) + "adapter " + std::to_string(h.adapter) + " is not supported by this mbz");
  return h;
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

bool read_block_header(std::istream& in, BlockHeader& b, uint32_t segment_size, const std::string& what) {
  std::vector<uint8_t> buf(kBlockHeaderSize);
  read_exact(in, buf.data(), 1, what);
  if (buf[0] == kEndMarker) return false;
  read_exact(in, buf.data() + 1, kBlockHeaderSize - 1, what);
  verify_check(buf, what, "segment header");
  ByteReader r(buf.data(), buf.size(), what);
  const uint8_t method = r.u8();
  b.raw_len = r.u32();
  b.coded_len = r.u32();
  b.checksum = r.u64();
  if (method > static_cast<uint8_t>(Method::model))
    throw Error(ErrorCode::unsupported_version, prefix(what) + "unknown segment method " + std::to_string(method));
  b.method = static_cast<Method>(method);
  if (b.raw_len == 0 || b.raw_len > segment_size) throw Error(ErrorCode::corrupt, prefix(what) + "invalid segment length");
  if (b.method == Method::stored && b.coded_len != b.raw_len)
    throw Error(ErrorCode::corrupt, prefix(what) + "stored segment with mismatched length");
  // No symbol costs more than 16 bits, so no coded form exceeds 2 bytes per byte.
  if (b.coded_len > 2 * uint64_t{b.raw_len} + 16) throw Error(ErrorCode::corrupt, prefix(what) + "invalid coded segment length");
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

Footer read_footer(std::istream& in, const std::string& what) {
  std::vector<uint8_t> buf(kFooterSize);
  read_exact(in, buf.data(), buf.size(), what);
  verify_check(buf, what, "footer");
  ByteReader r(buf.data(), buf.size(), what);
  Footer f;
  f.original_size = r.u64();
  f.segment_count = r.u32();
  f.checksum = r.u64();
  return f;
}

}  // namespace mbz
