// fuzz_frame — the frame and segment-table parser (src/container/format.cpp):
// the buffer parsers the decoder uses and the stream readers `mbz -l` uses,
// on the same bytes. Checks: both readers agree, and whatever parses
// re-encodes to exactly the bytes it was parsed from.
#include <algorithm>
#include <sstream>

#include "fuzz_util.hpp"

using namespace mbz;

namespace {

void same_bytes(const std::vector<uint8_t>& encoded, const uint8_t* p, size_t n, const char* what) {
  if (encoded.size() != n || !std::equal(encoded.begin(), encoded.end(), p))
    fuzz::bug(std::string(what) + " does not re-encode to the bytes it was parsed from");
}

// The buffer parsers over the whole input; returns where they stopped.
size_t walk_buffers(const uint8_t* data, size_t n, std::vector<BlockHeader>& blocks) {
  size_t pos = 0;
  FrameHeader h;
  const size_t hn = parse_header(data, n, h, "");
  if (hn == 0) return pos;
  same_bytes(encode_header(h), data, hn, "header");
  if (h.segment_size == 0 || h.segment_size > kMaxSegmentSize) fuzz::bug("segment size out of bounds accepted");
  pos = hn;
  for (;;) {
    BlockHeader b;
    const size_t bn = parse_block_header(data + pos, n - pos, b, h.segment_size, "");
    if (bn == 0) return pos;
    if (bn == 1) {
      pos += 1;
      break;
    }
    same_bytes(encode_block_header(b), data + pos, bn, "block header");
    if (b.raw_len == 0 || b.raw_len > h.segment_size) fuzz::bug("segment length out of bounds accepted");
    blocks.push_back(b);
    pos += bn;
    if (n - pos < b.coded_len) return pos;
    pos += b.coded_len;
  }
  Footer f;
  const size_t fn = parse_footer(data + pos, n - pos, f, "");
  if (fn == 0) return pos;
  same_bytes(encode_footer(f), data + pos, fn, "footer");
  return pos + fn;
}

// The stream readers over the same bytes.
void walk_stream(const uint8_t* data, size_t n, std::vector<BlockHeader>& blocks) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), n));
  const FrameHeader h = read_header(in, "");
  BlockHeader b;
  std::vector<uint8_t> skip(4096);
  while (read_block_header(in, b, h.segment_size, "")) {
    blocks.push_back(b);
    for (size_t left = b.coded_len; left > 0;) {
      const size_t k = std::min(left, skip.size());
      read_exact(in, skip.data(), k, "");
      left -= k;
    }
  }
  read_footer(in, "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* raw, size_t raw_size) {
  fuzz::MbzInput input;  // a control byte, then .mbz bytes (fuzz_util.hpp)
  if (!input.split(raw, raw_size)) return 0;
  const uint8_t* data = input.bytes.data();
  const size_t size = input.bytes.size();
  std::vector<BlockHeader> from_buffers, from_stream;
  bool buffers_ok = true, stream_ok = true;
  ErrorCode buffer_code = ErrorCode::ok, stream_code = ErrorCode::ok;
  try {
    walk_buffers(data, size, from_buffers);
  } catch (const Error& e) {
    fuzz::expect_input_error(e);
    buffers_ok = false;
    buffer_code = e.code();
  }
  try {
    walk_stream(data, size, from_stream);
  } catch (const Error& e) {
    fuzz::expect_input_error(e);
    stream_ok = false;
    stream_code = e.code();
  }
  // The stream reader also fails where the buffer parser only wants more
  // bytes (truncated); where the buffer parser rejects, the stream reader
  // must reject the same way, having read the same blocks.
  if (!buffers_ok && (stream_ok || stream_code != buffer_code))
    fuzz::bug(std::string("buffer parser says ") + error_code_name(buffer_code) + ", stream reader " +
              (stream_ok ? "ok" : error_code_name(stream_code)));
  if (stream_ok && !buffers_ok) fuzz::bug("stream reader accepts what the buffer parser rejects");
  const size_t common = std::min(from_buffers.size(), from_stream.size());
  for (size_t i = 0; i < common; ++i)
    if (from_buffers[i].raw_len != from_stream[i].raw_len || from_buffers[i].coded_len != from_stream[i].coded_len ||
        from_buffers[i].method != from_stream[i].method || from_buffers[i].checksum != from_stream[i].checksum)
      fuzz::bug("the two readers disagree on block " + std::to_string(i));
  return 0;
}
