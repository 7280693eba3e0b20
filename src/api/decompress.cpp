// decompress_stream(): one or more concatenated .mbz frames -> original bytes.
// Every segment is checked against its XXH64 before it is written, and the
// whole output against the footer's.
#include <istream>
#include <ostream>
#include <sstream>

#include "api/model_impl.hpp"
#include "api/stream_io.hpp"
#include "container/format.hpp"
#include "container/segment_codec.hpp"

namespace mbz {

namespace {

struct PendingSegment {
  BlockHeader header;
  std::vector<uint8_t> coded;
  uint64_t index = 0;
};

class FrameDecoder {
 public:
  FrameDecoder(std::istream& in, std::ostream* out, const ModelResolver& resolve, const Options& opts, Stats& st)
      : in_(in), out_(out), resolve_(resolve), opts_(opts), st_(st) {}

  void run() {
    header_ = read_header(in_, "");
    const size_t group = group_segments(header_.segment_size, opts_.threads);
    std::vector<PendingSegment> pending;
    for (;;) {
      PendingSegment p;
      if (!read_block_header(in_, p.header, header_.segment_size, "segment " + std::to_string(count_))) break;
      p.coded.resize(p.header.coded_len);
      read_exact(in_, p.coded.data(), p.coded.size(), "segment " + std::to_string(count_));
      p.index = count_++;
      st_.in_bytes += kBlockHeaderSize + p.coded.size();
      pending.push_back(std::move(p));
      if (pending.size() == group) flush(pending);
    }
    flush(pending);
    const Footer f = read_footer(in_, "");
    st_.in_bytes += 1 + kFooterSize;
    if (f.segment_count != count_ || f.original_size != size_)
      throw Error(ErrorCode::corrupt, "footer does not match the segments (file damaged)");
    if (f.checksum != whole_.digest()) throw Error(ErrorCode::checksum_mismatch, "checksum mismatch of the whole file");
  }

 private:
  const Engine& engine() {
    if (!engine_) {
      model_ = resolve_(header_.model_name, to_hex(header_.model_sha));
      if (!model_ || to_hex(model_->impl().file->sha256()) != to_hex(header_.model_sha))
        throw Error(ErrorCode::unknown_model, "model '" + header_.model_name + "' (sha256 " + to_hex(header_.model_sha) +
                                                  ") was not provided");
      engine_ = &model_->impl().engine(opts_.device);
      set_compute_threads(opts_.threads);
    }
    return *engine_;
  }

  void flush(std::vector<PendingSegment>& pending) {
    if (pending.empty()) return;
    std::vector<std::vector<uint8_t>> raw(pending.size());
    std::vector<CodedSegment> model_segs;
    std::vector<size_t> model_idx;
    for (size_t i = 0; i < pending.size(); ++i) {
      PendingSegment& p = pending[i];
      const std::string what = "segment " + std::to_string(p.index);
      switch (p.header.method) {
        case Method::stored: raw[i] = std::move(p.coded); break;
        case Method::zstd: raw[i] = zstd_decode(p.coded.data(), p.coded.size(), p.header.raw_len, what); break;
        case Method::model:
          model_segs.push_back({p.coded.data(), p.coded.size(), p.header.raw_len});
          model_idx.push_back(i);
          break;
      }
    }
    if (!model_segs.empty()) {
      std::vector<std::vector<uint8_t>> decoded;
      std::function<void(double)> partial;
      if (opts_.progress) {
        // The group's blocks are already read; spread their input bytes over the decoding.
        uint64_t group_in = 0, group_out = 0;
        for (const auto& p : pending) group_in += kBlockHeaderSize + p.coded.size(), group_out += p.header.raw_len;
        partial = [this, group_in, group_out](double f) {
          opts_.progress(st_.in_bytes - group_in + static_cast<uint64_t>(f * static_cast<double>(group_in)),
                         st_.out_bytes + static_cast<uint64_t>(f * static_cast<double>(group_out)));
        };
      }
      model_decode(engine(), model_segs, decoded, opts_.threads, partial);
      for (size_t k = 0; k < model_idx.size(); ++k) raw[model_idx[k]] = std::move(decoded[k]);
    }
    for (size_t i = 0; i < pending.size(); ++i) {
      if (xxh64(raw[i].data(), raw[i].size()) != pending[i].header.checksum)
        throw Error(ErrorCode::checksum_mismatch, "segment " + std::to_string(pending[i].index) +
                                                      ": checksum mismatch (file damaged, or decoded with a different model)");
      whole_.update(raw[i].data(), raw[i].size());
      if (out_) write_all(*out_, raw[i]);
      size_ += raw[i].size();
      st_.out_bytes += raw[i].size();
      switch (pending[i].header.method) {
        case Method::stored: ++st_.segments_stored; break;
        case Method::zstd: ++st_.segments_zstd; break;
        case Method::model: ++st_.segments_model; break;
      }
    }
    pending.clear();
    if (opts_.progress) opts_.progress(st_.in_bytes, st_.out_bytes);
  }

  std::istream& in_;
  std::ostream* out_;
  const ModelResolver& resolve_;
  const Options& opts_;
  Stats& st_;
  FrameHeader header_;
  std::shared_ptr<const Model> model_;
  const Engine* engine_ = nullptr;
  Xxh64Stream whole_;
  uint64_t count_ = 0;
  uint64_t size_ = 0;
};

}  // namespace

Stats decompress_stream(std::istream& in, std::ostream* out, const ModelResolver& resolve, const Options& opts) {
  check_options(opts);
  Stats st;
  do {  // concatenated frames decode to the concatenation of their contents
    FrameDecoder(in, out, resolve, opts, st).run();
  } while (!at_end(in));
  if (out) {
    out->flush();
    if (!*out) throw Error(ErrorCode::io, "write error");
  }
  return st;
}

std::vector<uint8_t> decompress(const uint8_t* data, size_t size, const ModelResolver& resolve, const Options& opts) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::ostringstream out;
  decompress_stream(in, &out, resolve, opts);
  const std::string s = out.str();
  return std::vector<uint8_t>(s.begin(), s.end());
}

}  // namespace mbz
