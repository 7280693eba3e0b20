// Segment encoding and the choice of method (segment_encoder.hpp).
#include "container/segment_encoder.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "coder/range_coder.hpp"
#include "common/aside_task.hpp"
#include "common/le_bytes.hpp"
#include "common/parallel_for.hpp"
#include "container/method_choice.hpp"
#include "container/zstd_segment.hpp"
#include "mbz/error.hpp"
#include "mix/mixed_coding.hpp"

namespace mbz {

std::vector<uint8_t> range_encode(const std::vector<SymbolCode>& codes, double* ideal) {
  RangeEncoder enc;
  double bits = 0;
  for (const SymbolCode& c : codes) {
    enc.encode(c.cum, c.freq, c.total);
    bits += ideal_bits(c.freq, c.total);
  }
  if (ideal) *ideal = bits;
  return enc.finish();
}

namespace {
// The plain model's code of a byte, read off its path: the cumulative
// frequency sums the lower halves the path skipped.
std::vector<SymbolCode> codes_from_paths(ByteSpan s, const mix::PackedCounts* paths) {
  std::vector<SymbolCode> codes(s.size);
  for (size_t i = 0; i < s.size; ++i) {
    mix::NodeCounts n[8];
    for (int d = 0; d < 8; ++d) n[d] = mix::unpack(paths[i * 8 + d]);
    uint32_t cum = 0;
    for (int d = 0; d < 8; ++d)
      if ((s.data[i] >> (7 - d)) & 1) cum += n[d].total - n[d].ones;
    const bool last = s.data[i] & 1;
    codes[i] = SymbolCode{cum, last ? n[7].ones : n[7].total - n[7].ones, n[0].total};
  }
  return codes;
}
}  // namespace

namespace {

// Which leading bytes of each segment have their paths final, while teacher
// forcing fills them in (in groups, from several threads, roughly in order).
class ReadyPrefixes {
 public:
  explicit ReadyPrefixes(size_t segments) : prefix_(segments, 0), pending_(segments) {}

  void done(size_t s, size_t begin, size_t end) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_[s][begin] = end;
    for (auto it = pending_[s].begin(); it != pending_[s].end() && it->first == prefix_[s]; it = pending_[s].erase(it))
      prefix_[s] = it->second;
    cv_.notify_all();
  }

  // Blocks until bytes [0, n) of segment s are final; throws if teacher
  // forcing failed. Meanwhile runs forcing tasks through help.
  void wait(size_t s, size_t n, ForcingHelp& help) {
    std::unique_lock<std::mutex> lock(mu_);
    while (!failed_ && prefix_[s] < n) {
      lock.unlock();
      const bool ran = help.run_one();
      lock.lock();
      // None ready: a range may finish, or a task become ready, soon.
      if (!ran) cv_.wait_for(lock, std::chrono::microseconds(200));
    }
    if (failed_) throw Error(ErrorCode::internal, "teacher forcing stopped");
  }

  void fail() {
    std::lock_guard<std::mutex> lock(mu_);
    failed_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<size_t> prefix_;
  std::vector<std::map<size_t, size_t>> pending_;  // finished ranges past the prefix: begin -> end
  bool failed_ = false;
};

// Codes every segment: zstd, the plain model, the mixer; keeps the smallest.
void encode_each(const std::vector<ByteSpan>& segments, int threads, const MixPlan* plan, bool force_model, bool model,
                 const std::vector<std::vector<SymbolCode>>& codes, const std::vector<std::vector<mix::PackedCounts>>& paths,
                 ReadyPrefixes& ready, ForcingHelp& help, std::vector<EncodedSegment>& out,
                 std::vector<mix::ProbabilityTrace>* traces) {
  // A core the segments leave idle codes zstd beside the segment's other
  // codings (a lone segment at -T 2: 2-4% of its time); so does a lone
  // segment mixed over the model at any -T, whose teacher forcing runs on a
  // thread of its own and leaves gaps (its first chunk runs alone while the
  // mixer waits, and it ends before the mixer): zstd -19 of a 10 KB text
  // took ~4 ms after the mixer at -T 1. The choice is made in the same
  // order as before, so the output is the same.
  const bool spare_core = segments.size() < static_cast<size_t>(std::max(1, threads));
  const bool zstd_aside = (spare_core && (model || plan)) || (model && plan && segments.size() == 1);
  parallel_for(segments.size(), threads, [&](size_t i, size_t) {
    const ByteSpan s = segments[i];
    EncodedSegment& e = out[i];
    MethodChoice choice(e, s.size);
    AsideTask<std::vector<uint8_t>> zstd([s] { return zstd_encode(s); }, zstd_aside);
    e.checksum = xxh64(s.data, s.size);
    double bits = 0;
    if (!plan) {  // zstd, and the plain model if there is one
      choice.consider(Method::zstd, zstd.get(), 0, false);
      if (model) choice.consider(Method::model, range_encode(codes[i], &bits), bits, force_model);
      return;
    }
    const uint64_t offset = plan->offset + static_cast<uint64_t>(s.data - segments[0].data);
    const mix::SampleShape shape = mix::shape_at(plan->payload, offset);
    const uint8_t profile = mix::profile_of(shape, plan->byte_profile, plan->image_profile, plan->audio_profile);
    double mixed_bits = 0;
    mix::ProbabilityTrace* trace = traces ? &(*traces)[i] : nullptr;
    mix::UnitAhead* ahead = i == 0 && plan->unit_ahead ? plan->unit_ahead() : nullptr;
    if (!model) {  // the mixer alone (model `none`)
      // Without a model's forcing beside it, the spare core runs a staged
      // profile's front (mixed_coding.hpp): the same bytes.
      std::vector<uint8_t> mixed =
          mix::mixed_encode(s.data, s.size, nullptr, profile, shape, &mixed_bits, {}, trace, mix::kWholeSegment, spare_core, ahead);
      choice.consider(Method::zstd, zstd.get(), 0, false);
      choice.consider(Method::mixed, std::move(mixed), mixed_bits, force_model);
      if (trace && e.method != Method::mixed) trace->p.clear();
      return;
    }
    // Mixed first (it streams), then the plain model once every path is final;
    // the same choice as trying them in the other order (ties go to the plain
    // model, which a forced mixed coding then replaces). With a model prefix
    // shorter than the segment the model has no paths past it: no plain model.
    const size_t modelled = model_bytes(*plan, s.size);
    std::vector<uint8_t> mixed = mix::mixed_encode(s.data, s.size, paths[i].data(), profile, shape, &mixed_bits,
                                                   [&](size_t n) { ready.wait(i, n, help); }, trace, modelled, false, ahead);
    ready.wait(i, modelled, help);
    choice.consider(Method::zstd, zstd.get(), 0, false);
    if (modelled < s.size) {
      ByteWriter prefixed;
      prefixed.u32(static_cast<uint32_t>(modelled));
      prefixed.bytes(mixed.data(), mixed.size());
      choice.consider(Method::mixed_prefix, std::move(prefixed.data()), mixed_bits, force_model);
      if (trace && e.method != Method::mixed_prefix) trace->p.clear();
      return;
    }
    choice.consider(Method::model, range_encode(codes_from_paths(s, paths[i].data()), &bits), bits, false);
    choice.consider(Method::mixed, std::move(mixed), mixed_bits, force_model);
    if (trace && e.method != Method::mixed) trace->p.clear();
  });
}

}  // namespace

std::vector<EncodedSegment> encode_segments(const Engine* engine, const std::vector<ByteSpan>& segments, int threads,
                                            const MixPlan* plan, bool force_model, const std::function<void(double)>& progress,
                                            std::vector<mix::ProbabilityTrace>* traces) {
  std::vector<EncodedSegment> out(segments.size());
  if (traces) traces->assign(segments.size(), {});
  std::vector<std::vector<SymbolCode>> codes;
  std::vector<std::vector<mix::PackedCounts>> paths;
  // With the mixer, teacher forcing runs on its own thread and each segment's
  // coder starts on the first bytes whose paths are final, so the mixer and
  // zstd work beside the model instead of after it; a coder waiting for
  // paths runs forcing tasks meanwhile (a small file's one coder would
  // otherwise idle half the time, its core unused).
  ReadyPrefixes ready(segments.size());
  ForcingHelp help;
  std::thread forcing;
  std::exception_ptr forcing_error;
  // The model runs over each segment's model prefix only (all of it without one).
  std::vector<ByteSpan> modelled;
  if (engine && plan) {
    modelled = model_spans(*plan, segments);
    paths.resize(segments.size());
    for (size_t i = 0; i < segments.size(); ++i) paths[i].resize(modelled[i].size * 8);
    const int model_threads = compute_threads();
    forcing = std::thread([&, model_threads] {
      try {
        set_compute_threads(model_threads);
        engine->evaluate_paths_into(
            modelled, paths, progress, [&](size_t s, size_t begin, size_t end) { ready.done(s, begin, end); }, &help);
      } catch (...) {
        forcing_error = std::current_exception();
        ready.fail();
      }
    });
  } else if (engine) {
    codes = engine->evaluate(segments, progress);
  }
  try {
    encode_each(segments, threads, plan, force_model, engine != nullptr, codes, paths, ready, help, out, traces);
  } catch (...) {
    ready.fail();
    if (forcing.joinable()) forcing.join();
    if (forcing_error) std::rethrow_exception(forcing_error);
    throw;
  }
  if (forcing.joinable()) forcing.join();
  if (forcing_error) std::rethrow_exception(forcing_error);
  return out;
}

}  // namespace mbz
