// Compressor: input in pieces -> one .mbz frame, a group of segments at a time.
#include <algorithm>

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

struct Compressor::Impl {
  const Model& model;
  Options opts;
  const Engine* engine = nullptr;
  std::vector<uint8_t> pending;  // input not yet coded: less than one group
  size_t group_bytes = 0;
  Xxh64Stream whole;
  uint32_t segment_count = 0;
  Stats st;
  bool started = false, finished = false;

  Impl(const Model& m, const Options& o) : model(m), opts(o) {}

  void start(std::vector<uint8_t>& out) {  // options were checked by the constructor
    engine = &model.impl().engine(opts.device);
    set_compute_threads(opts.threads);
    FrameHeader h;
    h.model_name = model.name();
    h.model_sha = model.impl().file->sha256();
    h.adapter = static_cast<uint8_t>(Adapter::bytes);
    h.segment_size = opts.segment_size;
    const auto header = encode_header(h);
    out.insert(out.end(), header.begin(), header.end());
    st.out_bytes += header.size();
    group_bytes = group_segments(opts.segment_size, opts.threads) * opts.segment_size;
    pending.reserve(group_bytes);
    started = true;
  }

  // Codes pending[0, n) as whole segments (the last may be short) and appends the blocks.
  void code(size_t n, std::vector<uint8_t>& out) {
    if (n == 0) return;
    const std::vector<ByteSpan> segs = split_segments(pending.data(), n, opts.segment_size);
    std::function<void(double)> partial;
    if (opts.progress)
      partial = [&](double f) { opts.progress(st.in_bytes + static_cast<uint64_t>(f * static_cast<double>(n)), st.out_bytes); };
    std::vector<EncodedSegment> enc = encode_segments(engine, segs, opts.threads, opts.force_model, partial);
    for (size_t i = 0; i < segs.size(); ++i) {
      const EncodedSegment& e = enc[i];
      BlockHeader b{e.method, static_cast<uint32_t>(segs[i].size), 0, e.checksum};
      b.coded_len = e.method == Method::stored ? b.raw_len : static_cast<uint32_t>(e.coded.size());
      const auto bh = encode_block_header(b);
      out.insert(out.end(), bh.begin(), bh.end());
      if (e.method == Method::stored) out.insert(out.end(), segs[i].data, segs[i].data + segs[i].size);
      else out.insert(out.end(), e.coded.begin(), e.coded.end());
      st.out_bytes += kBlockHeaderSize + b.coded_len;
      if (e.method == Method::model) {
        ++st.segments_model;
        st.model_ideal_bits += e.ideal_bits;
        st.model_coded_bytes += b.coded_len;
      } else if (e.method == Method::zstd) {
        ++st.segments_zstd;
      } else {
        ++st.segments_stored;
      }
    }
    whole.update(pending.data(), n);
    segment_count += static_cast<uint32_t>(segs.size());
    st.in_bytes += n;
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(n));
    if (opts.progress) opts.progress(st.in_bytes, st.out_bytes);
  }
};

Compressor::Compressor(const Model& model, const Options& opts) : impl_(std::make_unique<Impl>(model, opts)) {
  check_options(opts);
}
Compressor::~Compressor() = default;
const Stats& Compressor::stats() const { return impl_->st; }

void Compressor::write(const uint8_t* data, size_t size, std::vector<uint8_t>& out) {
  Impl& c = *impl_;
  if (c.finished) throw Error(ErrorCode::invalid_argument, "Compressor::write after finish");
  if (!c.started) c.start(out);
  while (size > 0) {
    const size_t take = std::min(size, c.group_bytes - c.pending.size());
    c.pending.insert(c.pending.end(), data, data + take);
    data += take;
    size -= take;
    if (c.pending.size() == c.group_bytes) c.code(c.group_bytes, out);
  }
}

void Compressor::finish(std::vector<uint8_t>& out) {
  Impl& c = *impl_;
  if (c.finished) throw Error(ErrorCode::invalid_argument, "Compressor::finish called twice");
  if (!c.started) c.start(out);
  c.code(c.pending.size(), out);
  out.push_back(kEndMarker);
  const auto footer = encode_footer(Footer{c.st.in_bytes, c.segment_count, c.whole.digest()});
  out.insert(out.end(), footer.begin(), footer.end());
  c.st.out_bytes += 1 + kFooterSize;
  c.finished = true;
}

}  // namespace mbz
