// std::istream / std::ostream and one-shot buffer front ends over the
// streaming Compressor and Decompressor.
#include <algorithm>
#include <istream>
#include <ostream>

#include "api/model_impl.hpp"
#include "api/stream_io.hpp"
#include "coder/range_coder.hpp"
#include "common/parallel_for.hpp"
#include "container/format.hpp"
#include "container/segmenter.hpp"
#include "mbz/mbz.hpp"
#include "mix/mixed_coding.hpp"

namespace mbz {

namespace {
constexpr size_t kChunk = size_t{1} << 16;
}

Stats compress_stream(std::istream& in, std::ostream& out, const Model& model, const Options& opts) {
  Compressor c(model, opts);
  std::vector<uint8_t> chunk(kChunk), coded;
  for (;;) {
    const size_t n = read_some(in, chunk.data(), chunk.size());
    if (n == 0) break;
    c.write(chunk.data(), n, coded);
    if (coded.empty()) continue;
    // Passed on at once: the frame header comes before the coding of a
    // file's first segment (as a small file's whole coding), so a reader at
    // the other end of a pipe loads its model and sets up its mixer
    // meanwhile; later pieces are whole groups of segments.
    write_all(out, coded);
    out.flush();
    coded.clear();
  }
  c.finish(coded);
  write_all(out, coded);
  out.flush();
  if (!out) throw Error(ErrorCode::io, "write error");
  return c.stats();
}

Stats decompress_stream(std::istream& in, std::ostream* out, const ModelResolver& resolve, const Options& opts) {
  Decompressor d(resolve, opts);
  std::vector<uint8_t> chunk(kChunk), plain;
  for (;;) {
    const size_t n = read_some(in, chunk.data(), chunk.size());
    if (n == 0) break;
    d.write(chunk.data(), n, plain);
    if (out) write_all(*out, plain);
    plain.clear();
    // Nothing more ready: the wait may be a compressor's coding time (a pipe).
    if (in.rdbuf() && in.rdbuf()->in_avail() == 0) d.prepare();
  }
  d.finish(plain);
  if (out) {
    write_all(*out, plain);
    out->flush();
    if (!*out) throw Error(ErrorCode::io, "write error");
  }
  return d.stats();
}

namespace {
// Calls visit(offset, costs in bits) for every segment of data, a group at a
// time (bounded memory): the mixer's costs if opts.mix, else the model's.
template <typename Visit>
void for_each_segment_costs(const uint8_t* data, size_t size, const Model& model, const Options& opts, const MixPlan& plan,
                            Visit visit) {
  check_options(opts);
  if (model.is_none() && !opts.mix)
    throw Error(ErrorCode::invalid_argument, "the model 'none' predicts nothing without the context mixer");
  const Engine* engine = model.is_none() ? nullptr : &model.impl().engine(opts.device);
  set_compute_threads(opts.threads);
  const size_t group = group_segments(opts.segment_size, opts.threads) * opts.segment_size;
  for (size_t start = 0; start < size; start += group) {
    const auto segs = split_segments(data + start, std::min(group, size - start), opts.segment_size);
    std::vector<std::vector<float>> costs(segs.size());
    if (opts.mix) {
      // The model over each segment's model prefix, as compression runs it.
      const std::vector<ByteSpan> modelled = model_spans(plan, segs);
      const auto paths = engine ? engine->evaluate_paths(modelled) : std::vector<std::vector<mix::PackedCounts>>(segs.size());
      // A core the segments leave idle runs a staged profile's front (mixed_coding.hpp).
      const bool spare_core = segs.size() < static_cast<size_t>(std::max(1, opts.threads));
      parallel_for(segs.size(), opts.threads, [&](size_t k, size_t) {
        const uint64_t offset = plan.offset + static_cast<uint64_t>(segs[k].data - data);
        const mix::SampleShape shape = mix::shape_at(plan.payload, offset);
        costs[k] = mix::mixed_costs(segs[k].data, segs[k].size, engine ? paths[k].data() : nullptr,
                                    mix::profile_of(shape, plan.byte_profile, plan.image_profile, plan.audio_profile), shape,
                                    modelled[k].size, spare_core);
      });
    } else {
      const auto codes = engine->evaluate(segs);
      for (size_t k = 0; k < segs.size(); ++k)
        for (const SymbolCode& c : codes[k]) costs[k].push_back(static_cast<float>(ideal_bits(c.freq, c.total)));
    }
    for (size_t k = 0; k < segs.size(); ++k) visit(static_cast<size_t>(segs[k].data - data), costs[k]);
  }
}
}  // namespace

double evaluate(const uint8_t* data, size_t size, const Model& model, const Options& opts) {
  double bits = 0;
  for_each_segment_costs(data, size, model, opts, mix_plan(opts, !model.is_none()), [&](size_t, const std::vector<float>& costs) {
    for (float c : costs) bits += c;
  });
  return bits;
}

std::vector<float> evaluate_costs(const uint8_t* data, size_t size, const Model& model, const Options& opts) {
  return payload_costs(data, size, model, opts, mix_plan(opts, !model.is_none()));
}

std::vector<float> payload_costs(const uint8_t* data, size_t size, const Model& model, const Options& opts,
                                 const MixPlan& plan) {
  std::vector<float> costs(size);
  for_each_segment_costs(data, size, model, opts, plan, [&](size_t at, const std::vector<float>& c) {
    std::copy(c.begin(), c.end(), costs.begin() + static_cast<std::ptrdiff_t>(at));
  });
  return costs;
}

std::vector<uint8_t> compress(const uint8_t* data, size_t size, const Model& model, const Options& opts) {
  // A stream's hint (Options::size_hint): a whole input in memory gives its
  // output after the coding anyway, and a hint left over from another input
  // must not change it.
  Options o = opts;
  o.size_hint = 0;
  Compressor c(model, o);
  std::vector<uint8_t> out;
  c.write(data, size, out);
  c.finish(out);
  return out;
}

std::vector<uint8_t> decompress(const uint8_t* data, size_t size, const ModelResolver& resolve, const Options& opts) {
  Decompressor d(resolve, opts);
  std::vector<uint8_t> out;
  d.write(data, size, out);
  d.finish(out);
  return out;
}

}  // namespace mbz
