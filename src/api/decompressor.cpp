// Decompressor: .mbz input in pieces -> original bytes. A state machine over
// the unconsumed input (header, blocks, footer, next frame) that decodes a
// group of segments at a time and releases a segment's bytes only after its
// checksum matched; the whole frame is checked against the footer. A frame
// made by a modality adapter is collected whole and restored at its footer.
#include <algorithm>
#include <exception>
#include <optional>

#include "codecs/adapter.hpp"
#include "codecs/side_info.hpp"
#include "api/model_impl.hpp"
#include "api/stream_io.hpp"
#include "container/format.hpp"
#include "container/segment_decoder.hpp"
#include "container/zstd_segment.hpp"

namespace mbz {

namespace {
struct PendingSegment {
  BlockHeader header;
  std::vector<uint8_t> coded;
  uint64_t index = 0;
};
std::string segment_name(uint64_t i) { return "segment " + std::to_string(i); }
}  // namespace

struct Decompressor::Impl {
  enum class State { header, blocks, footer };
  ModelResolver resolve;
  Options opts;
  Stats st;
  State state = State::header;
  std::vector<uint8_t> buf;  // unconsumed input
  uint64_t frames = 0;
  // The frame being decoded.
  FrameHeader header;
  std::shared_ptr<const Model> model;
  const Engine* engine = nullptr;
  bool no_model = false;  // the frame was coded without a model (Model::none())
  std::unique_ptr<Xxh64Stream> whole;
  uint64_t count = 0, size = 0;
  std::vector<PendingSegment> pending;
  size_t group = 0;
  std::vector<uint8_t> payload;  // an adapter frame's decoded segments
  uint64_t payload_limit = 0;    // an adapter frame's payload size, from its side information
  uint64_t claimed = 0;          // raw bytes the frame's block headers announced so far
  // Set-up while the frame's first segment is on its way (prepare()).
  std::optional<BlockHeader> first;  // the first segment's block header, once here
  bool prepared = false;
  mix::UnitAheadJob unit_job;  // the first segment's mixer unit, being set up
  std::exception_ptr model_error;  // the frame's model could not be had when prepare() asked

  Impl(ModelResolver r, const Options& o) : resolve(std::move(r)), opts(o) {}

  std::string where() const { return frames == 0 ? "" : "frame " + std::to_string(frames + 1); }

  const Engine& frame_engine() {
    if (model_error) std::rethrow_exception(model_error);  // prepare() tried already: the same error, no second search
    if (!engine) {
      const std::string sha = to_hex(header.model_sha);
      model = resolve(header.model_name, sha);
      if (!model || model->sha256_hex() != sha)
        throw Error(ErrorCode::unknown_model, "model '" + header.model_name + "' (sha256 " + sha + ") was not provided");
      engine = &model->impl().engine(opts.device);
      set_compute_threads(opts.threads);
    }
    return *engine;
  }

  // Decompressor::prepare(): the caller is about to wait for input. If the
  // frame header is read and its first segment is not all here (a pipe from
  // a compressor, which writes the header before it codes: a small file's
  // header comes a whole coding time before its segment), meanwhile the
  // model loads on this thread and another sets up the first segment's mixer
  // unit, for its length if its block header is here, else for a small
  // segment's (a large one's set-up is small beside its coding, and not
  // done ahead). Neither may fail the frame: a model not found is reported
  // when a segment needs it, a unit that does not fit is not used
  // (mix::UnitAhead).
  void prepare() {
    // In a frame's blocks, none consumed yet: its first segment is not all here.
    if (state != State::blocks || count != 0 || prepared) return;
    prepared = true;
    constexpr size_t kSmallSegment = size_t{32} << 10;
    uint8_t text_profile = 0;  // 5, 7, 10, 12 or 14, the one the frame's bytes need; 0: none
    if (header.adapter == 0 && header.version >= 2)
      for (const uint8_t p : {mix::kProfileText5, mix::kProfileText7, mix::kProfileText10, mix::kProfileText12, mix::kProfileText14})
        if (header.features & profile_feature(p)) text_profile = p;
    // Small segments only: a unit's tables grow with its segment, and a
    // block header alone (a hostile one, say) must not set up more than a
    // small file's decoding does (its segment's bytes are not here yet).
    const size_t len = first ? first->raw_len : std::min<size_t>(header.segment_size, kSmallSegment);
    if (text_profile && (!first || is_mixed(first->method)) && len <= kSmallSegment)
      unit_job = mix::UnitAheadJob(text_profile, len);
    if (!no_model) {
      try {
        frame_engine();
      } catch (const Error&) {  // reported by the segment that needs the model, if one does
        model_error = std::current_exception();
      }
    }
  }

  // The unit set up ahead, once ready (null if none or if setting it up failed).
  std::unique_ptr<mix::UnitAhead> take_unit_ahead() { return unit_job.take(); }
  void drop_unit_ahead() { take_unit_ahead().reset(); }

  // Consumes as much of buf as forms complete structures; appends verified output.
  void feed(std::vector<uint8_t>& out) {
    size_t pos = 0;
    for (;;) {
      const uint8_t* p = buf.data() + pos;
      const size_t avail = buf.size() - pos;
      if (state == State::header) {
        if (avail == 0) break;
        const size_t n = parse_header(p, avail, header, where());
        if (n == 0) break;
        pos += n;
        st.in_bytes += n;
        model.reset();
        engine = nullptr;
        no_model = header.model_name == kNoModelName && header.model_sha == Sha256{};
        whole = std::make_unique<Xxh64Stream>();
        count = size = 0;
        payload.clear();
        st.adapter = header.adapter;
        st.adapter_description = codecs::describe(header.adapter, header.side_info);
        if (header.adapter != 0) st.samples_only |= codecs::restores_samples_only(header.adapter, header.side_info);
        // An adapter frame is collected whole before it is restored: its
        // segments may not announce more than the side information's grid,
        // so memory stays bounded by what the header declares and the
        // segments really decode to, never by claims alone.
        payload_limit = header.adapter == 0 ? 0
                                            : codecs::decode_side_info(static_cast<codecs::AdapterId>(header.adapter),
                                                                       header.side_info)
                                                  .grid.total_bytes();
        claimed = 0;
        group = group_segments(header.segment_size, opts.threads);
        drop_unit_ahead();
        prepared = false;
        first.reset();
        model_error = nullptr;
        state = State::blocks;
      } else if (state == State::blocks) {
        PendingSegment s;
        const size_t n = parse_block_header(p, avail, s.header, header.segment_size, segment_name(count));
        if (n == 0) break;
        if (n == 1) {  // end marker
          flush(out);
          pos += 1;
          st.in_bytes += 1;
          state = State::footer;
          continue;
        }
        if (header.adapter != 0 && s.header.raw_len > payload_limit - claimed)
          throw Error(ErrorCode::corrupt, segment_name(count) + ": more samples than the adapter's grid holds (file damaged)");
        if (avail < n + s.header.coded_len) {
          if (count == 0) first = s.header;
          break;
        }
        if (s.header.method == Method::mixed_prefix) {
          if (header.version < 2 || !(header.features & kFeatureModelPrefix))
            throw Error(ErrorCode::corrupt, segment_name(count) + ": a model prefix its frame header does not declare (file damaged)");
          if (no_model) throw Error(ErrorCode::corrupt, segment_name(count) + ": a model prefix in a frame without a model (file damaged)");
          read_model_prefix(p + n, s.header.coded_len, s.header.raw_len, segment_name(count));
        }
        // The profile byte: first of a mixed segment's data, after a model prefix's.
        const size_t at = s.header.method == Method::mixed_prefix ? kModelPrefixBytes : 0;
        if (header.version >= 2 && is_mixed(s.header.method) &&
            (s.header.coded_len <= at || !(header.features & profile_feature(p[n + at]))))
          throw Error(ErrorCode::corrupt, segment_name(count) + ": a mixed segment of a profile its frame header does not declare (file damaged)");
        s.coded.assign(p + n, p + n + s.header.coded_len);
        s.index = count++;
        claimed += s.header.raw_len;
        pos += n + s.header.coded_len;
        st.in_bytes += n + s.header.coded_len;
        pending.push_back(std::move(s));
        if (pending.size() == group) flush(out);
      } else {
        Footer f;
        const size_t n = parse_footer(p, avail, f, where());
        if (n == 0) break;
        pos += n;
        st.in_bytes += n;
        if (f.segment_count != count || f.original_size != size)
          throw Error(ErrorCode::corrupt, "footer does not match the segments (file damaged)");
        if (f.checksum != whole->digest()) throw Error(ErrorCode::checksum_mismatch, "checksum mismatch of the whole file");
        if (header.adapter != 0) {
          const std::vector<uint8_t> restored = codecs::restore(header.adapter, header.side_info, payload);
          out.insert(out.end(), restored.begin(), restored.end());
          st.out_bytes += restored.size();
          payload.clear();
          payload.shrink_to_fit();
        }
        ++frames;
        state = State::header;  // another frame may follow
      }
    }
    buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(pos));
  }

  void flush(std::vector<uint8_t>& out) {
    if (pending.empty()) return;
    // A unit set up ahead serves the frame's first group (any fresh unit
    // that fits serves any segment) and is dropped after it.
    const std::unique_ptr<mix::UnitAhead> ahead = pending[0].index == 0 ? take_unit_ahead() : nullptr;
    std::vector<std::vector<uint8_t>> raw(pending.size());
    std::vector<CodedSegment> model_segs;
    std::vector<size_t> model_idx;
    uint64_t group_in = 0, group_out = 0;
    for (size_t i = 0; i < pending.size(); ++i) {
      PendingSegment& s = pending[i];
      group_in += kBlockHeaderSize + s.coded.size();
      group_out += s.header.raw_len;
      switch (s.header.method) {
        case Method::stored: raw[i] = std::move(s.coded); break;
        case Method::zstd: raw[i] = zstd_decode(s.coded.data(), s.coded.size(), s.header.raw_len, segment_name(s.index)); break;
        case Method::model:
        case Method::mixed:
        case Method::mixed_prefix:
          model_segs.push_back({s.header.method, s.coded.data(), s.coded.size(), s.header.raw_len});
          model_idx.push_back(i);
          break;
      }
    }
    if (!model_segs.empty()) {
      std::function<void(double)> partial;
      if (opts.progress)  // the group's input is already counted: spread it over the decoding
        partial = [this, group_in, group_out](double f) {
          opts.progress(st.in_bytes - group_in + static_cast<uint64_t>(f * static_cast<double>(group_in)),
                        st.out_bytes + static_cast<uint64_t>(f * static_cast<double>(group_out)));
        };
      std::vector<std::vector<uint8_t>> decoded;
      if (no_model)
        mixer_decode(model_segs, decoded, opts.threads, partial, nullptr, ahead.get());
      else if (engine)
        model_decode(*engine, model_segs, decoded, opts.threads, partial, nullptr, ahead.get());
      else  // the frame's first segments: its model loads while their mixers are set up
        model_decode([this]() -> const Engine& { return frame_engine(); }, model_segs, decoded, opts.threads, partial,
                     nullptr, ahead.get());
      for (size_t k = 0; k < model_idx.size(); ++k) raw[model_idx[k]] = std::move(decoded[k]);
    }
    for (size_t i = 0; i < pending.size(); ++i) {
      if (xxh64(raw[i].data(), raw[i].size()) != pending[i].header.checksum)
        throw Error(ErrorCode::checksum_mismatch, segment_name(pending[i].index) +
                                                      ": checksum mismatch (file damaged, or decoded with a different model)");
      whole->update(raw[i].data(), raw[i].size());
      size += raw[i].size();
      if (header.adapter != 0) {
        payload.insert(payload.end(), raw[i].begin(), raw[i].end());
      } else {
        out.insert(out.end(), raw[i].begin(), raw[i].end());
        st.out_bytes += raw[i].size();
      }
      count_segment(st, pending[i].header.method);
    }
    pending.clear();
    if (opts.progress) opts.progress(st.in_bytes, st.out_bytes);
  }
};

Decompressor::Decompressor(ModelResolver resolve, const Options& opts)
    : impl_(std::make_unique<Impl>(std::move(resolve), opts)) {
  check_options(opts);
}
Decompressor::~Decompressor() = default;
const Stats& Decompressor::stats() const { return impl_->st; }

void Decompressor::prepare() { impl_->prepare(); }

void Decompressor::write(const uint8_t* data, size_t size, std::vector<uint8_t>& out) {
  impl_->buf.insert(impl_->buf.end(), data, data + size);
  impl_->feed(out);
}

void Decompressor::finish(std::vector<uint8_t>& out) {
  Impl& d = *impl_;
  d.feed(out);
  if (d.state == Impl::State::header && d.buf.empty()) {
    if (d.frames == 0) throw Error(ErrorCode::not_mbz, "not an .mbz file (empty input)");
    return;
  }
  // Leftover bytes that matched the magic so far but are too few to tell.
  if (d.state == Impl::State::header && d.frames == 0 && d.buf.size() < kFrameMagic.size())
    throw Error(ErrorCode::not_mbz, "not an .mbz file (too short)");
  throw Error(ErrorCode::truncated, "file is truncated");
}

}  // namespace mbz
