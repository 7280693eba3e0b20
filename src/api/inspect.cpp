// inspect_stream(): a frame's header, segment table and footer, without decoding.
#include <istream>

#include "api/stream_io.hpp"
#include "codecs/adapter.hpp"
#include "container/format.hpp"
#include "mbz/mbz.hpp"

namespace mbz {

FrameInfo inspect_stream(std::istream& in) {
  const FrameHeader h = read_header(in, "");
  FrameInfo info;
  info.format_version = h.version;
  if (h.features != 0) info.required_features = describe_features(h.features);
  info.model_name = h.model_name;
  info.model_sha256_hex = to_hex(h.model_sha);
  info.adapter = h.adapter;
  info.adapter_name = codecs::adapter_name(h.adapter);
  info.adapter_description = codecs::describe(h.adapter, h.side_info);
  info.segment_size = h.segment_size;
  info.compressed_size = encode_header(h).size();
  BlockHeader b;
  uint64_t count = 0, total = 0;
  std::vector<uint8_t> skip(1 << 16);
  while (read_block_header(in, b, h.segment_size, "segment " + std::to_string(count))) {
    for (size_t left = b.coded_len; left > 0;) {  // skip the coded bytes (works on pipes too)
      const size_t n = std::min(left, skip.size());
      read_exact(in, skip.data(), n, "segment " + std::to_string(count));
      left -= n;
    }
    info.compressed_size += kBlockHeaderSize + b.coded_len;
    total += b.raw_len;
    ++count;
    count_segment(info, b.method);
  }
  const Footer f = read_footer(in, "");
  info.compressed_size += 1 + kFooterSize;
  if (f.segment_count != count || f.original_size != total)
    throw Error(ErrorCode::corrupt, "footer does not match the segments (file damaged)");
  info.original_size = f.original_size;
  info.checksum = f.checksum;
  return info;
}

}  // namespace mbz
