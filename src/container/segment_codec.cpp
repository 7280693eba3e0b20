// Segment coding: model + range coder, zstd fallback, stored fallback.
#include "container/segment_codec.hpp"

#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <thread>

#include "coder/range_coder.hpp"
#include "common/parallel_for.hpp"
#include "mbz/error.hpp"
#include "mix/mixed_coding.hpp"

namespace mbz {

namespace {
constexpr int kZstdLevel = 19;
}  // namespace

std::vector<ByteSpan> split_segments(const uint8_t* data, size_t size, uint32_t segment_size) {
  std::vector<ByteSpan> segs;
  for (size_t off = 0; off < size; off += segment_size) segs.push_back({data + off, std::min<size_t>(segment_size, size - off)});
  return segs;
}

std::vector<uint8_t> zstd_encode(ByteSpan raw) {
  std::vector<uint8_t> out(ZSTD_compressBound(raw.size));
  const size_t n = ZSTD_compress(out.data(), out.size(), raw.data, raw.size, kZstdLevel);
  if (ZSTD_isError(n)) throw Error(ErrorCode::internal, std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

// The output is allocated only as large as the frame's content can be:
// the size a zstd frame header states (mbz's encoder always writes it) must
// be the segment's raw length, checked before anything is allocated; other
// input (no size stated, several frames, or no frame at all) is decoded into
// a buffer that doubles, up to the raw length, each time the content
// overflows it. A segment thus accepts and refuses exactly what a decode
// into raw_len bytes would, but a few hostile bytes claiming 16 MiB no
// longer allocate them.
std::vector<uint8_t> zstd_decode(const uint8_t* coded, size_t coded_len, size_t raw_len, const std::string& what) {
  const auto corrupt = [&] {
    return Error(ErrorCode::corrupt, (what.empty() ? "" : what + ": ") + "zstd segment does not decode");
  };
  const bool one_frame = ZSTD_findFrameCompressedSize(coded, coded_len) == coded_len;
  const unsigned long long stated = one_frame ? ZSTD_getFrameContentSize(coded, coded_len) : ZSTD_CONTENTSIZE_UNKNOWN;
  const bool known = stated != ZSTD_CONTENTSIZE_UNKNOWN && stated != ZSTD_CONTENTSIZE_ERROR;
  if (known && stated != raw_len) throw corrupt();  // zstd checks that a frame's content has its stated size
  size_t room = known ? raw_len : std::min(raw_len, std::max<size_t>(size_t{1} << 17, 4 * coded_len));
  // One decoding context per thread: ZSTD_decompress would set one up per
  // segment, most of the time of a small segment.
  thread_local const std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!dctx) throw std::bad_alloc();
  for (;;) {
    std::vector<uint8_t> out(room);
    const size_t n = ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), coded, coded_len);
    if (ZSTD_isError(n) && ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall && room < raw_len) {
      room = room > raw_len / 2 ? raw_len : 2 * room;
      continue;
    }
    if (ZSTD_isError(n) || n != raw_len) throw corrupt();
    return out;
  }
}

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
std::vector<SymbolCode> codes_from_paths(ByteSpan s, const mix::NodeCounts* paths) {
  std::vector<SymbolCode> codes(s.size);
  for (size_t i = 0; i < s.size; ++i) {
    const mix::NodeCounts* n = paths + i * 8;
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

  // Blocks until bytes [0, n) of segment s are final; throws if teacher forcing failed.
  void wait(size_t s, size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return failed_ || prefix_[s] >= n; });
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
                 const std::vector<std::vector<SymbolCode>>& codes, const std::vector<std::vector<mix::NodeCounts>>& paths,
                 ReadyPrefixes& ready, std::vector<EncodedSegment>& out, std::vector<mix::ProbabilityTrace>* traces) {
  parallel_for(segments.size(), threads, [&](size_t i, size_t) {
    const ByteSpan s = segments[i];
    EncodedSegment& e = out[i];
    e.checksum = xxh64(s.data, s.size);
    e.method = Method::stored;
    size_t best = s.size;
    auto consider = [&](Method method, std::vector<uint8_t> coded, double bits, bool forced) {
      if (coded.size() >= best && !forced) return;
      best = coded.size();
      e.method = method;
      e.coded = std::move(coded);
      e.ideal_bits = bits;
    };
    consider(Method::zstd, zstd_encode(s), 0, false);
    if (!model && !plan) return;
    double bits = 0;
    if (!plan) {
      consider(Method::model, range_encode(codes[i], &bits), bits, force_model);
      return;
    }
    const uint64_t offset = plan->offset + static_cast<uint64_t>(s.data - segments[0].data);
    const mix::SampleShape shape = mix::shape_at(plan->stride, plan->row, offset, plan->value_format);
    double mixed_bits = 0;
    mix::ProbabilityTrace* trace = traces ? &(*traces)[i] : nullptr;
    if (!model) {  // the mixer alone (model `none`)
      std::vector<uint8_t> mixed = mix::mixed_encode(s.data, s.size, nullptr, shape, &mixed_bits, {}, trace);
      consider(Method::mixed, std::move(mixed), mixed_bits, force_model);
      if (trace && e.method != Method::mixed) trace->p.clear();
      return;
    }
    // Mixed first (it streams), then the plain model once every path is final;
    // the same choice as trying them in the other order (ties go to the plain
    // model, which a forced mixed coding then replaces).
    std::vector<uint8_t> mixed = mix::mixed_encode(s.data, s.size, paths[i].data(), shape, &mixed_bits,
                                                   [&](size_t n) { ready.wait(i, n); }, trace);
    ready.wait(i, s.size);
    consider(Method::model, range_encode(codes_from_paths(s, paths[i].data()), &bits), bits, false);
    consider(Method::mixed, std::move(mixed), mixed_bits, force_model);
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
  std::vector<std::vector<mix::NodeCounts>> paths;
  // With the mixer, teacher forcing runs on its own thread and each segment's
  // coder starts on the first bytes whose paths are final, so the mixer and
  // zstd work beside the model instead of after it.
  ReadyPrefixes ready(segments.size());
  std::thread forcing;
  std::exception_ptr forcing_error;
  if (engine && plan) {
    paths.resize(segments.size());
    for (size_t i = 0; i < segments.size(); ++i) paths[i].resize(segments[i].size * 8);
    const int model_threads = compute_threads();
    forcing = std::thread([&, model_threads] {
      try {
        set_compute_threads(model_threads);
        engine->evaluate_paths_into(segments, paths, progress,
                                    [&](size_t s, size_t begin, size_t end) { ready.done(s, begin, end); });
      } catch (...) {
        forcing_error = std::current_exception();
        ready.fail();
      }
    });
  } else if (engine) {
    codes = engine->evaluate(segments, progress);
  }
  try {
    encode_each(segments, threads, plan, force_model, engine != nullptr, codes, paths, ready, out, traces);
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


void mixer_decode(const std::vector<CodedSegment>& segs, std::vector<std::vector<uint8_t>>& out, int threads,
                  const std::function<void(double)>& progress, std::vector<mix::ProbabilityTrace>* traces) {
  for (const CodedSegment& s : segs)
    if (s.method != Method::mixed) throw Error(ErrorCode::corrupt, "a model-coded segment in a frame without a model (file damaged)");
  out.resize(segs.size());
  if (traces) traces->assign(segs.size(), {});
  size_t total = 0;
  for (const CodedSegment& s : segs) total += s.raw_len;
  std::atomic<size_t> done{0};
  parallel_for(segs.size(), threads, [&](size_t i, size_t worker) {
    const CodedSegment& s = segs[i];
    mix::MixedDecoder decoder(s.coded, s.coded_len, s.raw_len, traces ? &(*traces)[i] : nullptr);
    out[i].resize(s.raw_len);
    for (size_t pos = 0; pos < s.raw_len; ++pos) {
      out[i][pos] = decoder.decode(nullptr);
      if (pos % 4096 == 4095) {
        const size_t d = done.fetch_add(4096) + 4096;
        if (progress && worker == 0) progress(static_cast<double>(d) / static_cast<double>(total));
      }
    }
  });
}

void model_decode(const Engine& engine, const std::vector<CodedSegment>& segs, std::vector<std::vector<uint8_t>>& out,
                  int threads, const std::function<void(double)>& progress, std::vector<mix::ProbabilityTrace>* traces) {
  out.resize(segs.size());
  if (traces) traces->assign(segs.size(), {});
  const size_t workers = std::min<size_t>(segs.size(), static_cast<size_t>(std::max(1, threads)));
  // Worker w decodes segments w, w+workers, ... together in one lockstep batch.
  parallel_for(workers, static_cast<int>(workers), [&](size_t w, size_t) {
    std::vector<size_t> mine;
    for (size_t i = w; i < segs.size(); i += workers) mine.push_back(i);
    size_t longest = 0;
    std::vector<std::unique_ptr<RangeDecoder>> plain(mine.size());
    std::vector<std::unique_ptr<mix::MixedDecoder>> mixed(mine.size());
    for (size_t b = 0; b < mine.size(); ++b) {
      const CodedSegment& s = segs[mine[b]];
      if (s.method == Method::mixed)
        mixed[b] = std::make_unique<mix::MixedDecoder>(s.coded, s.coded_len, s.raw_len, traces ? &(*traces)[mine[b]] : nullptr);
      else
        plain[b] = std::make_unique<RangeDecoder>(s.coded, s.coded_len);
      out[mine[b]].resize(s.raw_len);
      longest = std::max(longest, s.raw_len);
    }
    StepDecoder step(engine, static_cast<int>(mine.size()));
    std::vector<uint8_t> bytes(mine.size(), 0);
    for (size_t pos = 0; pos < longest; ++pos) {
      const std::vector<uint32_t>& cum = step.tables();
      for (size_t b = 0; b < mine.size(); ++b) {
        if (pos >= segs[mine[b]].raw_len) { bytes[b] = 0; continue; }  // finished: feed padding
        const uint32_t* table = &cum[b * 257];
        bytes[b] = mixed[b] ? mixed[b]->decode(table) : static_cast<uint8_t>(plain[b]->decode(table));
        out[mine[b]][pos] = bytes[b];
      }
      step.push(bytes.data());
      if (progress && w == 0 && pos % 1024 == 1023) progress(static_cast<double>(pos + 1) / static_cast<double>(longest));
    }
  });
}

}  // namespace mbz
