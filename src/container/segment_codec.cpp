// Segment coding: model + range coder, zstd fallback, stored fallback.
#include "container/segment_codec.hpp"

#include <zstd.h>

#include <algorithm>
#include <thread>

#include "coder/range_coder.hpp"
#include "mbz/error.hpp"

namespace mbz {

namespace {
constexpr int kZstdLevel = 19;

// Runs f(i) for i in [0, n) on up to `threads` threads.
template <class F>
void parallel_for(size_t n, int threads, F&& f) {
  const size_t workers = std::min<size_t>(n, static_cast<size_t>(std::max(1, threads)));
  if (workers <= 1) {
    for (size_t i = 0; i < n; ++i) f(i, 0);
    return;
  }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(workers);
  for (size_t w = 0; w < workers; ++w)
    pool.emplace_back([&, w] {
      try {
        for (size_t i = w; i < n; i += workers) f(i, w);
      } catch (...) {
        errors[w] = std::current_exception();
      }
    });
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}
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

std::vector<uint8_t> zstd_decode(const uint8_t* coded, size_t coded_len, size_t raw_len, const std::string& what) {
  std::vector<uint8_t> out(raw_len);
  const size_t n = ZSTD_decompress(out.data(), out.size(), coded, coded_len);
  if (ZSTD_isError(n) || n != raw_len) throw Error(ErrorCode::corrupt, (what.empty() ? "" : what + ": ") + "zstd segment does not decode");
  return out;
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

std::vector<EncodedSegment> encode_segments(const Engine* engine, const std::vector<ByteSpan>& segments, int threads,
                                            bool force_model, const std::function<void(double)>& progress) {
  std::vector<EncodedSegment> out(segments.size());
  std::vector<std::vector<SymbolCode>> codes;
  if (engine) codes = engine->evaluate(segments, progress);  // one batched teacher-forced pass
  parallel_for(segments.size(), threads, [&](size_t i, size_t) {
    const ByteSpan s = segments[i];
    EncodedSegment& e = out[i];
    e.checksum = xxh64(s.data, s.size);
    e.method = Method::stored;
    size_t best = s.size;
    std::vector<uint8_t> z = zstd_encode(s);
    if (z.size() < best) {
      best = z.size();
      e.method = Method::zstd;
      e.coded = std::move(z);
    }
    if (engine) {
      double bits = 0;
      std::vector<uint8_t> m = range_encode(codes[i], &bits);
      e.ideal_bits = bits;
      if (m.size() < best || force_model) {
        e.method = Method::model;
        e.coded = std::move(m);
      }
    }
  });
  return out;
}

void model_decode(const Engine& engine, const std::vector<CodedSegment>& segs, std::vector<std::vector<uint8_t>>& out,
                  int threads, const std::function<void(double)>& progress) {
  out.resize(segs.size());
  const size_t workers = std::min<size_t>(segs.size(), static_cast<size_t>(std::max(1, threads)));
  // Worker w decodes segments w, w+workers, ... together in one lockstep batch.
  parallel_for(workers, static_cast<int>(workers), [&](size_t w, size_t) {
    std::vector<size_t> mine;
    for (size_t i = w; i < segs.size(); i += workers) mine.push_back(i);
    size_t longest = 0;
    std::vector<RangeDecoder> decoders;
    for (size_t i : mine) {
      decoders.emplace_back(segs[i].coded, segs[i].coded_len);
      out[i].resize(segs[i].raw_len);
      longest = std::max(longest, segs[i].raw_len);
    }
    StepDecoder step(engine, static_cast<int>(mine.size()));
    std::vector<uint8_t> bytes(mine.size(), 0);
    for (size_t pos = 0; pos < longest; ++pos) {
      const std::vector<uint32_t>& cum = step.tables();
      for (size_t b = 0; b < mine.size(); ++b) {
        if (pos >= segs[mine[b]].raw_len) { bytes[b] = 0; continue; }  // finished: feed padding
        bytes[b] = static_cast<uint8_t>(decoders[b].decode(&cum[b * 257]));
        out[mine[b]][pos] = bytes[b];
      }
      step.push(bytes.data());
      if (progress && w == 0 && pos % 1024 == 1023) progress(static_cast<double>(pos + 1) / static_cast<double>(longest));
    }
  });
}

}  // namespace mbz
