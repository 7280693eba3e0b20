// Segment decoding (segment_decoder.hpp).
#include "container/segment_decoder.hpp"

#include <algorithm>
#include <atomic>
#include <memory>

#include "coder/range_coder.hpp"
#include "common/parallel_for.hpp"
#include "mbz/error.hpp"
#include "mix/mixed_coding.hpp"

namespace mbz {

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
    StepDecoder step(engine, static_cast<int>(mine.size()), longest);
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
