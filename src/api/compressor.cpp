// Compressor: input in pieces -> one .mbz frame, a group of segments at a time.
// The first kSniffBytes decide the path: an input a modality adapter may take
// is buffered whole and flattened at finish(); anything else streams as bytes.
#include <algorithm>
#include <optional>

#include "codecs/adapter.hpp"
#include "api/model_impl.hpp"
#include "api/stream_io.hpp"
#include "container/format.hpp"
#include "container/segment_encoder.hpp"
#include "container/segmenter.hpp"
#include "mix/mixed_coding.hpp"

namespace mbz {

void check_options(const Options& o) {
  if (o.threads < 1 || o.threads > 1024) throw Error(ErrorCode::invalid_argument, "threads must be in [1, 1024]");
  if (o.segment_size < 1024 || o.segment_size > kMaxSegmentSize)
    throw Error(ErrorCode::invalid_argument, "segment size must be in [1 KiB, 16 MiB]");
  parse_device(o.device);
  if (o.byte_profile != 0 && (o.byte_profile < 1 || o.byte_profile > 255 || !mix::is_byte_profile(static_cast<uint8_t>(o.byte_profile))))
    throw Error(ErrorCode::invalid_argument, "byte profile must be 0 (by the model), 1, 5, 7, 10, 12 or 14");
  if (o.image_profile != 0 && o.image_profile != mix::kProfileNumeric && o.image_profile != mix::kProfileImage6 &&
      o.image_profile != mix::kProfileImage9 && o.image_profile != mix::kProfileImage11 && o.image_profile != mix::kProfileImage13)
    throw Error(ErrorCode::invalid_argument, "image profile must be 0 (by the image's size), 3, 6, 9, 11 or 13");
  if (o.audio_profile != mix::kProfileSignal && o.audio_profile != mix::kProfileAudio8)
    throw Error(ErrorCode::invalid_argument, "audio profile must be 4 or 8");
  codecs::check_adapter_options(codecs::adapter_options(o));
}

namespace {
// The least power of two >= n (n <= 2^31).
uint32_t power_of_two_at_least(uint64_t n) {
  uint32_t p = 1;
  while (p < n) p <<= 1;
  return p;
}
}  // namespace

struct Compressor::Impl {
  const Model& model;
  Options opts;
  const Engine* engine = nullptr;
  std::shared_ptr<const Model> frame_model;  // the modality's model, when it is not `model`
  std::vector<uint8_t> pending;  // input not yet coded: less than one group
  size_t group_bytes = 0;
  Xxh64Stream whole;
  uint32_t segment_count = 0;
  uint64_t frame_bytes = 0;  // bytes the segments hold (the adapter's payload, or the input)
  uint32_t model_prefix = 0; // the frame's model prefix: opts.model_prefix where its header declares it, else 0
  mix::SampleShape shape;  // the payload's sample shape, for the mixer (stride 0: bytes)
  Stats st;
  enum class Path { undecided, bytes, whole } path = Path::undecided;
  bool finished = false;
  uint64_t seen = 0;  // input bytes known when the path was chosen (those buffered and the write's rest)
  mix::UnitAheadJob unit_job;                // a lone segment's mixer unit, being set up
  std::unique_ptr<mix::UnitAhead> unit_ahead;  // that unit once taken, while its segment codes

  Impl(const Model& m, const Options& o) : model(m), opts(o) {}

  // Options were checked by the constructor.
  // content: the frame's content size where it is known before its header
  // (a whole input, or a short one), else nothing.
  void start(std::vector<uint8_t>& out, uint8_t adapter = 0, std::vector<uint8_t> side_info = {},
             std::optional<uint64_t> content = std::nullopt) {
    const Model* coder = &model;
    if (adapter != 0 && opts.modality_model) {
      frame_model = opts.modality_model(codecs::modality_of(adapter));
      if (frame_model) coder = frame_model.get();
    }
    // Plain bytes of a known length (a whole short input, or
    // Options::size_hint) under one segment: the header's segment_size is
    // that length rounded up to a power of two (at least 1 KiB), which bounds
    // the frame's one segment as the option's would. A decoder reading the
    // header before the segment sets up a unit for segment_size's length, and
    // every table a byte profile sizes by its segment is the same for a
    // length as for that power of two: its unit fits (docs/FORMAT.md
    // "Header"; mix::UnitAhead).
    // A hint the input already outgrew (its first write held more) is wrong: unused.
    const uint64_t expected = content ? *content : opts.size_hint >= seen ? opts.size_hint : 0;
    if (adapter == 0 && expected > 0 && expected < opts.segment_size)
      opts.segment_size = std::min(opts.segment_size, std::max<uint32_t>(1024, power_of_two_at_least(expected)));
    // And the lone segment's own unit is set up on the core that packing the
    // model's weights leaves idle, instead of on the coder's thread when
    // coding starts (bench/RESULTS.md "The 10 KB round trip, and a process's
    // start").
    if (opts.mix && adapter == 0 && expected > 0 && expected <= opts.segment_size)
      unit_job = mix::UnitAheadJob(byte_profile_for(opts, !coder->is_none()), static_cast<size_t>(expected));
    engine = coder->is_none() ? nullptr : &coder->impl().engine(opts.device);
    set_compute_threads(opts.threads);
    FrameHeader h;
    h.model_name = coder->name();
    if (!coder->is_none()) h.model_sha = coder->impl().file->sha256();  // none: all zero
    h.adapter = adapter;
    h.side_info = std::move(side_info);
    h.segment_size = opts.segment_size;
    // The image profile by the payload's size, once for the frame (0: by the size).
    opts.image_profile = image_profile_for(opts, content ? *content : UINT64_MAX);
    // And the byte profile by the model (0: 12 with one, 14 without).
    opts.byte_profile = byte_profile_for(opts, engine != nullptr);
    // Declared up front (the header precedes the segments): the profile every
    // mixed segment of this frame gets, if the mixer runs.
    if (opts.mix) h.features = profile_feature(mix::profile_of(shape, static_cast<uint8_t>(opts.byte_profile), static_cast<uint8_t>(opts.image_profile),
                                                                  static_cast<uint8_t>(opts.audio_profile)));
    // And the model prefix, if a segment may be longer than it: a frame no
    // segment of which can have one (its content known before the header,
    // and no longer) stays readable by mbz 0.13. A stream's is not known.
    if (opts.mix && engine && opts.model_prefix != 0 && opts.model_prefix < opts.segment_size &&
        (!content || *content > opts.model_prefix))
      h.features |= kFeatureModelPrefix;
    model_prefix = (h.features & kFeatureModelPrefix) ? opts.model_prefix : 0;
    // A frame that needs no feature stays version 1, which every mbz reads
    // (--no-mix writes files mbz 0.2 reads; docs/FORMAT.md "Header").
    h.version = h.features ? kFrameVersion : 1;
    const auto header = encode_header(h);
    out.insert(out.end(), header.begin(), header.end());
    st.out_bytes += header.size();
    group_bytes = group_segments(opts.segment_size, opts.threads) * opts.segment_size;
    pending.reserve(group_bytes);
  }

  // Chooses the path once kSniffBytes are buffered (or at the end of a short
  // input: all_here, the whole input is in pending).
  void decide(std::vector<uint8_t>& out, bool all_here) {
    const codecs::AdapterOptions ao = codecs::adapter_options(opts);
    path = codecs::may_adapt(pending.data(), pending.size(), ao) ? Path::whole : Path::bytes;
    if (path == Path::bytes) start(out, 0, {}, all_here ? std::optional<uint64_t>(pending.size()) : std::nullopt);
  }

  // Appends input on the bytes path, coding each full group.
  void feed(const uint8_t* data, size_t size, std::vector<uint8_t>& out) {
    while (size > 0) {
      const size_t take = std::min(size, group_bytes - pending.size());
      pending.insert(pending.end(), data, data + take);
      data += take;
      size -= take;
      if (pending.size() == group_bytes) code(group_bytes, out);
    }
  }

  // The whole input is in `pending`: flatten it if an adapter takes it.
  void finish_whole(std::vector<uint8_t>& out) {
    std::vector<uint8_t> input = std::move(pending);
    pending.clear();
    const uint64_t input_size = input.size();
    codecs::Flattened flat;
    std::string why;
    const codecs::AdapterOptions ao = codecs::adapter_options(opts);
    if (codecs::flatten(input.data(), input.size(), ao, flat, &why)) {
      st.adapter = flat.adapter;
      st.adapter_description = flat.description;
      shape = flat.shape;
      input.clear();
      input.shrink_to_fit();
      start(out, flat.adapter, std::move(flat.side_info), flat.payload.size());
      feed(flat.payload.data(), flat.payload.size(), out);
    } else {
      if (codecs::adapter_requested(ao)) st.adapter_declined = why;
      start(out, 0, {}, input.size());
      feed(input.data(), input.size(), out);
    }
    code(pending.size(), out);
    st.in_bytes = input_size;
  }

  // Codes pending[0, n) as whole segments (the last may be short) and appends the blocks.
  void code(size_t n, std::vector<uint8_t>& out) {
    if (n == 0) return;
    const std::vector<ByteSpan> segs = split_segments(pending.data(), n, opts.segment_size);
    std::function<void(double)> partial;
    if (opts.progress)
      partial = [&](double f) { opts.progress(st.in_bytes + static_cast<uint64_t>(f * static_cast<double>(n)), st.out_bytes); };
    MixPlan plan = mix_plan(opts, engine != nullptr, shape, frame_bytes);
    plan.model_prefix = model_prefix;  // none where the header does not declare it
    if (unit_job.pending())
      plan.unit_ahead = [this] {
        unit_ahead = unit_job.take();
        return unit_ahead.get();
      };
    std::vector<EncodedSegment> enc = encode_segments(engine, segs, opts.threads, opts.mix ? &plan : nullptr, opts.force_model, partial);
    // A unit set up ahead that its segment did not take (its input was not
    // the size it was told): not held past the first group.
    unit_job = {};
    unit_ahead.reset();
    for (size_t i = 0; i < segs.size(); ++i) {
      const EncodedSegment& e = enc[i];
      BlockHeader b{e.method, static_cast<uint32_t>(segs[i].size), 0, e.checksum};
      b.coded_len = e.method == Method::stored ? b.raw_len : static_cast<uint32_t>(e.coded.size());
      const auto bh = encode_block_header(b);
      out.insert(out.end(), bh.begin(), bh.end());
      if (e.method == Method::stored) out.insert(out.end(), segs[i].data, segs[i].data + segs[i].size);
      else out.insert(out.end(), e.coded.begin(), e.coded.end());
      st.out_bytes += kBlockHeaderSize + b.coded_len;
      count_segment(st, e.method);
      if (e.method == Method::model || is_mixed(e.method)) {
        st.model_ideal_bits += e.ideal_bits;
        st.model_coded_bytes += b.coded_len;
      }
    }
    whole.update(pending.data(), n);
    segment_count += static_cast<uint32_t>(segs.size());
    frame_bytes += n;
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
  if (c.path == Impl::Path::undecided) {
    const size_t take = std::min(size, codecs::kSniffBytes - c.pending.size());
    c.pending.insert(c.pending.end(), data, data + take);
    data += take;
    size -= take;
    if (c.pending.size() < codecs::kSniffBytes) return;
    c.seen = c.pending.size() + size;
    c.decide(out, false);
    if (c.path == Impl::Path::bytes) {  // code the sniffed bytes with the rest
      std::vector<uint8_t> head = std::move(c.pending);
      c.pending.clear();
      c.feed(head.data(), head.size(), out);
    }
  }
  if (c.path == Impl::Path::whole) c.pending.insert(c.pending.end(), data, data + size);
  else c.feed(data, size, out);
}

void Compressor::finish(std::vector<uint8_t>& out) {
  Impl& c = *impl_;
  if (c.finished) throw Error(ErrorCode::invalid_argument, "Compressor::finish called twice");
  if (c.path == Impl::Path::undecided) c.decide(out, true);
  if (c.path == Impl::Path::whole) c.finish_whole(out);
  else c.code(c.pending.size(), out);
  out.push_back(kEndMarker);
  const auto footer = encode_footer(Footer{c.frame_bytes, c.segment_count, c.whole.digest()});
  out.insert(out.end(), footer.begin(), footer.end());
  c.st.out_bytes += 1 + kFooterSize;
  c.finished = true;
}

}  // namespace mbz
