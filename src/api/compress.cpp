// compress_stream(): input -> one .mbz frame, a group of segments at a time.
#include <algorithm>
#include <istream>
#include <ostream>
#include <sstream>

#include "api/model_impl.hpp"
#include "api/stream_io.hpp"
#include "container/format.hpp"
#include "container/segment_codec.hpp"

namespace mbz {

void check_options(const Options& o) {
  if (o.threads < 1 || o.threads > 1024) throw Error(ErrorCode::invalid_argument, "threads must be in [1, 1024]");
  if (o.segment_size < 1024 || o.segment_size > kMaxSegmentSize)
    throw Error(ErrorCode::invalid_argument, "segment size must be in [1 KiB, 16 MiB]");
  parse_device(o.device);
}

Stats compress_stream(std::istream& in, std::ostream& out, const Model& model, const Options& opts) {
  check_options(opts);
  const Engine& engine = model.impl().engine(opts.device);
  set_compute_threads(opts.threads);

  FrameHeader h;
  h.model_name = model.name();
  h.model_sha = model.impl().file->sha256();
  h.adapter = static_cast<uint8_t>(Adapter::bytes);
  h.segment_size = opts.segment_size;
  Stats st;
  std::vector<uint8_t> header = encode_header(h);
  write_all(out, header);
  st.out_bytes += header.size();

  Xxh64Stream whole;
  uint32_t segment_count = 0;
  const size_t group = group_segments(opts.segment_size, opts.threads);
  std::vector<uint8_t> buf(group * opts.segment_size);
  for (;;) {
    const size_t n = read_some(in, buf.data(), buf.size());
    if (n == 0) break;
    whole.update(buf.data(), n);
    std::vector<ByteSpan> segs;
    for (size_t off = 0; off < n; off += opts.segment_size)
      segs.push_back({buf.data() + off, std::min<size_t>(opts.segment_size, n - off)});
    std::function<void(double)> partial;
    if (opts.progress)
      partial = [&](double f) { opts.progress(st.in_bytes + static_cast<uint64_t>(f * static_cast<double>(n)), st.out_bytes); };
    std::vector<EncodedSegment> enc = encode_segments(&engine, segs, opts.threads, opts.force_model, partial);
    for (size_t i = 0; i < segs.size(); ++i) {
      const EncodedSegment& e = enc[i];
      BlockHeader b{e.method, static_cast<uint32_t>(segs[i].size), 0, e.checksum};
      b.coded_len = e.method == Method::stored ? b.raw_len : static_cast<uint32_t>(e.coded.size());
      write_all(out, encode_block_header(b));
      if (e.method == Method::stored) write_all(out, segs[i].data, segs[i].size);
      else write_all(out, e.coded);
      st.out_bytes += kBlockHeaderSize + b.coded_len;
      if (e.method == Method::model) {
        ++st.segments_model;
        st.model_ideal_bits += e.ideal_bits;
        st.model_coded_bytes += b.coded_len;
      }
      else if (e.method == Method::zstd) ++st.segments_zstd;
      else ++st.segments_stored;
    }
    segment_count += static_cast<uint32_t>(segs.size());
    st.in_bytes += n;
    if (opts.progress) opts.progress(st.in_bytes, st.out_bytes);
    if (n < buf.size()) break;
  }
  const uint8_t end = kEndMarker;
  write_all(out, &end, 1);
  write_all(out, encode_footer(Footer{st.in_bytes, segment_count, whole.digest()}));
  st.out_bytes += 1 + kFooterSize;
  out.flush();
  if (!out) throw Error(ErrorCode::io, "write error");
  return st;
}

std::vector<uint8_t> compress(const uint8_t* data, size_t size, const Model& model, const Options& opts) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::ostringstream out;
  compress_stream(in, out, model, opts);
  const std::string s = out.str();
  return std::vector<uint8_t>(s.begin(), s.end());
}

}  // namespace mbz
