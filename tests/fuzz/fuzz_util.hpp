// fuzz_util.hpp — what the libFuzzer targets share: the small committed model
// (tests/golden/tiny-golden-v1.mbzm) and its resolver, a bound on the work a
// frame may ask for, and abort-on-bug helpers.
//
// Decoding a model-coded segment runs the neural model once per byte, so an
// input that claims megabytes of model-coded content would spend minutes in
// one execution: a timeout, not a finding. work_is_bounded() walks the
// frames' block headers (cheap) and lets a target skip such inputs.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "container/format.hpp"
#include "mbz/error.hpp"
#include "mbz/mbz.hpp"

namespace mbz::fuzz {

// A bug, not bad input: print and abort so libFuzzer records the input.
[[noreturn]] inline void bug(const std::string& what) {
  std::fprintf(stderr, "FUZZ BUG: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// Bad input may only ever fail with a named error; `internal` is a bug.
inline void expect_input_error(const Error& e) {
  if (e.code() == ErrorCode::internal || e.code() == ErrorCode::invalid_argument)
    bug(std::string("unexpected error code ") + error_code_name(e.code()) + ": " + e.what());
}

// The small model: $MBZ_MODEL_PATH's first entry if it holds it, else the
// source tree's copy (the build bakes in MBZ_SOURCE_DIR).
inline std::shared_ptr<const Model> tiny_model() {
  static const std::shared_ptr<const Model> m = Model::load(std::string(MBZ_SOURCE_DIR) + "/tests/golden/tiny-golden-v1.mbzm");
  return m;
}

// Resolves only the small model; any other model is unknown_model, as for a user.
inline ModelResolver tiny_resolver() {
  auto m = tiny_model();
  return [m](const std::string&, const std::string& sha) -> std::shared_ptr<const Model> {
    if (m->sha256_hex() != sha) throw Error(ErrorCode::unknown_model, "unknown model (sha256 " + sha + ")");
    return m;
  };
}

// Bytes of model-coded content one execution may decode, and bytes of any content.
constexpr uint64_t kMaxModelBytes = 512;
constexpr uint64_t kMaxContentBytes = 64 << 20;

// False when the frames in data[0, n) claim more model-coded or total content
// than the bounds above. Stops at the first malformed structure (the decoder
// reports it).
inline bool work_is_bounded(const uint8_t* data, size_t n) {
  uint64_t model_bytes = 0, content = 0;
  size_t pos = 0;
  try {
    while (pos < n) {
      FrameHeader h;
      const size_t hn = parse_header(data + pos, n - pos, h, "");
      if (hn == 0) return true;
      pos += hn;
      for (;;) {
        BlockHeader b;
        const size_t bn = parse_block_header(data + pos, n - pos, b, h.segment_size, "");
        if (bn == 0) return true;
        pos += bn;
        if (bn == 1) break;
        content += b.raw_len;
        if (b.method == Method::model || b.method == Method::mixed) model_bytes += b.raw_len;
        if (model_bytes > kMaxModelBytes || content > kMaxContentBytes) return false;
        if (n - pos < b.coded_len) return true;
        pos += b.coded_len;
      }
      if (n - pos < kFooterSize) return true;
      pos += kFooterSize;
    }
  } catch (const Error&) {
  }
  return true;
}

// Rewrites every structural check (header, block and footer checks, the low
// 32 bits of XXH64 over the fields before them) in place so that they match,
// walking the frames leniently. Mutations of a field then reach the code that
// interprets it instead of dying at its check. Segment and content checksums
// are left alone: they are verified after decoding, which runs either way.
inline void fix_checks(std::vector<uint8_t>& v) {
  const auto put_check = [&](size_t from, size_t at) {
    const auto c = static_cast<uint32_t>(xxh64(v.data() + from, at - from));
    for (int k = 0; k < 4; ++k) v[at + k] = static_cast<uint8_t>(c >> (8 * k));
  };
  const auto u32 = [&](size_t at) {
    return uint32_t(v[at]) | uint32_t(v[at + 1]) << 8 | uint32_t(v[at + 2]) << 16 | uint32_t(v[at + 3]) << 24;
  };
  size_t pos = 0;
  while (pos + 13 <= v.size()) {
    const size_t side_at = pos + 13 + v[pos + 12] + 33;
    if (side_at + 4 > v.size()) return;
    const size_t total = side_at + 4 + size_t{u32(side_at)} + 8;
    if (total > v.size()) return;
    put_check(pos, total - 4);
    pos = total;
    for (;;) {
      if (pos >= v.size()) return;
      if (v[pos] == kEndMarker) {
        ++pos;
        if (pos + kFooterSize > v.size()) return;
        put_check(pos, pos + kFooterSize - 4);
        pos += kFooterSize;
        break;
      }
      if (pos + kBlockHeaderSize > v.size()) return;
      put_check(pos, pos + kBlockHeaderSize - 4);
      pos += kBlockHeaderSize + size_t{u32(pos + 5)};
    }
  }
}

// The .mbz targets' input: a control byte, then .mbz bytes. Bit 7 of the
// control byte: fix the structural checks first (fix_checks); bits 0-6 seed
// how a streaming target cuts the input into pieces.
struct MbzInput {
  std::vector<uint8_t> bytes;
  uint8_t piece_seed = 0;
  bool split(const uint8_t* data, size_t size) {
    if (size < 1) return false;
    bytes.assign(data + 1, data + size);
    piece_seed = data[0] & 0x7F;
    if (data[0] & 0x80) fix_checks(bytes);
    return true;
  }
};

// Deterministic piece sizes for feeding a stream: 1..limit bytes each.
struct Pieces {
  uint64_t s;
  size_t limit;
  size_t next() {
    s += 0x9E3779B97F4A7C15ull;
    uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    // Mostly small pieces (header fields split), sometimes large ones.
    return 1 + static_cast<size_t>((z & 3) == 0 ? (z >> 8) % limit : (z >> 8) % 32);
  }
};

}  // namespace mbz::fuzz
