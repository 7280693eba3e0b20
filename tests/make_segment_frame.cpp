// make_segment_frame — writes standard input to standard output as one .mbz
// frame of zstd or stored segments, coded without a model: the segment coder
// with no engine (encode_segments(nullptr, ...): zstd -19 or stored, the
// smaller), framed as the Compressor frames bytes. The header names the
// model "none" (SHA-256 all zero); decoding never asks for it, as no segment
// is model-coded. For tests that need a stream of very many segments
// quickly (many_segments_test.sh), which coding through the model cannot
// give: the command runs the model on every segment.
//
//   make_segment_frame SEGMENT_SIZE < IN > OUT.mbz
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/hashes.hpp"
#include "container/format.hpp"
#include "container/segment_encoder.hpp"
#include "container/segmenter.hpp"

namespace {

void put(const std::vector<uint8_t>& v) {
  if (!v.empty() && std::fwrite(v.data(), 1, v.size(), stdout) != v.size()) {
    std::perror("make_segment_frame: write");
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mbz;
  const unsigned long size = argc == 2 ? std::strtoul(argv[1], nullptr, 10) : 0;
  if (size < 1024 || size > kMaxSegmentSize) {
    std::fprintf(stderr, "usage: make_segment_frame SEGMENT_SIZE (1024..%u) < IN > OUT.mbz\n", kMaxSegmentSize);
    return 2;
  }
  const auto segment_size = static_cast<uint32_t>(size);
  FrameHeader h;
  h.model_name = "none";
  h.segment_size = segment_size;
  put(encode_header(h));
  // Groups of segments of at most 16 MiB, coded on two threads.
  const size_t group = std::max<size_t>(1, (size_t{16} << 20) / segment_size) * segment_size;
  std::vector<uint8_t> buf(group);
  Xxh64Stream whole;
  uint64_t total = 0;
  uint32_t count = 0;
  for (;;) {
    const size_t n = std::fread(buf.data(), 1, group, stdin);
    if (n == 0) break;
    const std::vector<ByteSpan> segs = split_segments(buf.data(), n, segment_size);
    const std::vector<EncodedSegment> enc = encode_segments(nullptr, segs, 2, nullptr);
    for (size_t i = 0; i < segs.size(); ++i) {
      BlockHeader b{enc[i].method, static_cast<uint32_t>(segs[i].size), 0, enc[i].checksum};
      b.coded_len = b.method == Method::stored ? b.raw_len : static_cast<uint32_t>(enc[i].coded.size());
      put(encode_block_header(b));
      put(b.method == Method::stored ? std::vector<uint8_t>(segs[i].data, segs[i].data + segs[i].size) : enc[i].coded);
    }
    whole.update(buf.data(), n);
    total += n;
    count += static_cast<uint32_t>(segs.size());
    if (n < group) break;
  }
  put({kEndMarker});
  put(encode_footer(Footer{total, count, whole.digest()}));
  return std::fflush(stdout) == 0 ? 0 : 1;
}
