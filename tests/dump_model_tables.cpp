// dump_model_tables — the model's cumulative tables of every mixed segment
// of a .mbz file, for the spec decoder (tests/spec/decode_mixed.py --tables),
// which implements the mixer from docs/FORMAT.md but not the model.
//
//   dump_model_tables -m MODEL.mbzm FILE.mbz OUT.tables
//
// OUT.tables: for every mixed segment of FILE.mbz (method 3, or 4: mixed
// with a model prefix), in file order (frame after frame, segment after
// segment), and for every byte of the segment the model drives, in order,
// the table the decoder hands the mixer before that byte: 257 u32le,
// cum[0] = 0 .. cum[256] = total (docs/EXACTNESS.md §4). The bytes the
// model drives: every byte of a method-3 segment; the first `prefix` bytes
// of a method-4 segment (prefix: the u32le that opens its coded data), none
// after them, which have even odds as the mixer's input (docs/FORMAT.md
// "Mixed segments with a model prefix"). Nothing else: no header, no
// separators; segment k's tables start after those of the mixed segments
// before it (raw length, or prefix, × 257 × 4 bytes each), and the file ends
// with the last mixed segment's. Model-coded (method 2), stored and zstd
// segments add nothing. Every frame must name the model given (its
// SHA-256).
//
// How the tables are made — what model_decode (container/segment_codec.cpp)
// computes, along the segment's true bytes:
//   1. every frame's model-coded and mixed segments are decoded by the
//      library (model_decode, one worker), each checked against its block's
//      XXH64: these are the bytes the decoder's engine is teacher-forced on;
//   2. each mixed segment's bytes (a method-4 segment's first prefix bytes)
//      are stepped through a StepDecoder of batch 1 on the CPU, taking
//      tables() before push()ing each byte — as model_decode does for its
//      lockstep batch. A segment's tables do not
//      depend on the other segments of model_decode's batch (nor on the
//      padding that follows a shorter segment): every step of the CPU
//      backend is row by row (per-row RMSNorm, int8 GEMM rows, per-column
//      requantization, attention over each sequence's own KV ring, per-row
//      byte tables), as docs/EXACTNESS.md guarantees (a byte's table "does
//      not depend on the batch it was computed in, its size, ..."; padding
//      sits at later positions, which causal attention never reads). The
//      golden files' pinned traces (tests/test_golden_variants.cpp, decoding
//      with model_decode itself) check this end to end when the spec
//      decoder reproduces them from these tables.
// Exit status: 0 written; 1 an error (printed).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "common/hashes.hpp"
#include "container/format.hpp"
#include "container/segment_decoder.hpp"
#include "engine/engine.hpp"
#include "mbz/error.hpp"
#include "model/model_file.hpp"

namespace {

using namespace mbz;

[[noreturn]] void fail(const std::string& why) { throw Error(ErrorCode::corrupt, why); }

std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io, "cannot open " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

struct Block {
  BlockHeader header;
  const uint8_t* coded;
};

// One frame from p[0, n): its header and blocks; returns the bytes it takes.
size_t read_frame(const uint8_t* p, size_t n, FrameHeader& h, std::vector<Block>& blocks) {
  size_t pos = parse_header(p, n, h, "frame");
  if (pos == 0) fail("the file ends inside a frame header");
  for (;;) {
    BlockHeader b;
    const size_t k = parse_block_header(p + pos, n - pos, b, h.segment_size, "frame");
    if (k == 0) fail("the file ends inside a block header");
    pos += k;
    if (k == 1) break;  // the end marker
    if (n - pos < b.coded_len) fail("the file ends inside a segment");
    blocks.push_back({b, p + pos});
    pos += b.coded_len;
  }
  Footer f;
  const size_t k = parse_footer(p + pos, n - pos, f, "frame");
  if (k == 0) fail("the file ends inside a footer");
  return pos + k;
}

void put_u32le(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 || std::strcmp(argv[1], "-m") != 0) {
    std::fprintf(stderr, "usage: dump_model_tables -m MODEL.mbzm FILE.mbz OUT.tables\n");
    return 2;
  }
  try {
    const auto model = ModelFile::load(argv[2]);
    const Engine engine(model, DeviceKind::cpu, 1);
    const std::vector<uint8_t> file = read_all(argv[3]);
    std::vector<uint8_t> out;
    size_t pos = 0, frames = 0, mixed = 0, prefixed = 0, bytes = 0;
    while (pos < file.size() || frames == 0) {
      FrameHeader h;
      std::vector<Block> blocks;
      pos += read_frame(file.data() + pos, file.size() - pos, h, blocks);
      ++frames;
      if (h.model_sha != model->sha256())
        fail("frame " + std::to_string(frames) + " names model '" + h.model_name + "' (SHA-256 " + to_hex(h.model_sha) +
             "), not " + argv[2] + " (" + to_hex(model->sha256()) + ")");
      // 1. The segments' bytes, as the library decodes them.
      std::vector<CodedSegment> segs;
      std::vector<uint64_t> checksums;
      for (const Block& b : blocks)
        if (b.header.method == Method::model || is_mixed(b.header.method)) {
          segs.push_back({b.header.method, b.coded, b.header.coded_len, b.header.raw_len});
          checksums.push_back(b.header.checksum);
        }
      std::vector<std::vector<uint8_t>> raw;
      model_decode(engine, segs, raw, 1);
      for (size_t i = 0; i < segs.size(); ++i)
        if (xxh64(raw[i].data(), raw[i].size()) != checksums[i])
          throw Error(ErrorCode::checksum_mismatch, "a segment of frame " + std::to_string(frames) + " fails its XXH64");
      // 2. Each mixed segment's tables along its bytes (a method-4 segment's
      //    prefix only), batch 1.
      for (size_t i = 0; i < segs.size(); ++i) {
        if (!is_mixed(segs[i].method)) continue;
        size_t n = raw[i].size();
        if (segs[i].method == Method::mixed_prefix) {
          n = read_model_prefix(segs[i].coded, segs[i].coded_len, segs[i].raw_len,
                                "frame " + std::to_string(frames));
          ++prefixed;
        }
        StepDecoder step(engine, 1);
        for (size_t k = 0; k < n; ++k) {
          const std::vector<uint32_t>& cum = step.tables();
          for (size_t j = 0; j < 257; ++j) put_u32le(out, cum[j]);
          step.push(&raw[i][k]);
        }
        ++mixed;
        bytes += n;
      }
    }
    std::FILE* f = std::fopen(argv[4], "wb");
    if (!f || std::fwrite(out.data(), 1, out.size(), f) != out.size() || std::fclose(f) != 0) {
      std::perror(argv[4]);
      return 1;
    }
    std::printf("%s: %zu frame%s, %zu mixed segments (%zu with a model prefix), %zu bytes: %zu bytes of tables\n",
                argv[3], frames, frames == 1 ? "" : "s", mixed, prefixed, bytes, out.size());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dump_model_tables: %s: %s\n", argv[3], e.what());
    return 1;
  }
}
