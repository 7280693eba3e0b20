// Segment decoding (segment_decoder.hpp).
#include "container/segment_decoder.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <system_error>
#include <thread>

#include "coder/range_coder.hpp"
#include "common/parallel_for.hpp"
#include "mbz/error.hpp"
#include "mix/mixed_coding.hpp"

namespace mbz {

void mixer_decode(const std::vector<CodedSegment>& segs, std::vector<std::vector<uint8_t>>& out, int threads,
                  const std::function<void(double)>& progress, std::vector<mix::ProbabilityTrace>* traces,
                  mix::UnitAhead* ahead) {
  for (const CodedSegment& s : segs)
    if (s.method != Method::mixed) throw Error(ErrorCode::corrupt, "a model-coded segment in a frame without a model (file damaged)");
  // (A model prefix needs a model too: Method::mixed_prefix is refused above.)
  out.resize(segs.size());
  if (traces) traces->assign(segs.size(), {});
  size_t total = 0;
  for (const CodedSegment& s : segs) total += s.raw_len;
  std::atomic<size_t> done{0};
  parallel_for(segs.size(), threads, [&](size_t i, size_t worker) {
    const CodedSegment& s = segs[i];
    mix::MixedDecoder decoder(s.coded, s.coded_len, s.raw_len, traces ? &(*traces)[i] : nullptr, i == 0 ? ahead : nullptr);
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

namespace {
using MixedDecoders = std::vector<std::unique_ptr<mix::MixedDecoder>>;

// A mixed segment's data: after its model prefix, if it has one.
std::unique_ptr<mix::MixedDecoder> make_mixed(const CodedSegment& s, mix::ProbabilityTrace* trace, mix::UnitAhead* ahead) {
  const size_t skip = s.method == Method::mixed_prefix ? kModelPrefixBytes : 0;
  return std::make_unique<mix::MixedDecoder>(s.coded + skip, s.coded_len - skip, s.raw_len, trace, ahead);
}

// The bytes of a segment decoded with the model's tables: its model prefix,
// or all of it.
size_t model_bytes(const CodedSegment& s) {
  return s.method == Method::mixed_prefix ? read_model_prefix(s.coded, s.coded_len, s.raw_len, "segment") : s.raw_len;
}

// model_decode with mixed[i] set for every mixed segment i, or empty (each worker sets up its own).
void decode_prepared(const Engine& engine, const std::vector<CodedSegment>& segs, MixedDecoders& prepared,
                     std::vector<std::vector<uint8_t>>& out, int threads, const std::function<void(double)>& progress,
                     std::vector<mix::ProbabilityTrace>* traces, mix::UnitAhead* ahead) {
  out.resize(segs.size());
  const size_t workers = std::min<size_t>(segs.size(), static_cast<size_t>(std::max(1, threads)));
  // Worker w decodes segments w, w+workers, ... together in one lockstep batch.
  parallel_for(workers, static_cast<int>(workers), [&](size_t w, size_t) {
    std::vector<size_t> mine;
    for (size_t i = w; i < segs.size(); i += workers) mine.push_back(i);
    size_t longest = 0, modelled = 0;  // the longest segment, and model prefix (or model-coded segment)
    std::vector<size_t> prefix(mine.size());
    std::vector<std::unique_ptr<RangeDecoder>> plain(mine.size());
    std::vector<std::unique_ptr<mix::MixedDecoder>> mixed(mine.size());
    for (size_t b = 0; b < mine.size(); ++b) {
      const CodedSegment& s = segs[mine[b]];
      prefix[b] = model_bytes(s);
      modelled = std::max(modelled, prefix[b]);
      if (is_mixed(s.method))
        mixed[b] = prepared.empty() ? make_mixed(s, traces ? &(*traces)[mine[b]] : nullptr, mine[b] == 0 ? ahead : nullptr)
                                    : std::move(prepared[mine[b]]);
      else
        plain[b] = std::make_unique<RangeDecoder>(s.coded, s.coded_len);
      out[mine[b]].resize(s.raw_len);
      longest = std::max(longest, s.raw_len);
    }
    // The model steps while a segment still needs its tables; past every
    // model prefix the mixers go on alone (null: kNoModel).
    StepDecoder step(engine, static_cast<int>(mine.size()), modelled);
    std::vector<uint8_t> bytes(mine.size(), 0);
    for (size_t pos = 0; pos < longest; ++pos) {
      const bool stepping = pos < modelled;
      const std::vector<uint32_t>* cum = stepping ? &step.tables() : nullptr;
      for (size_t b = 0; b < mine.size(); ++b) {
        if (pos >= segs[mine[b]].raw_len) { bytes[b] = 0; continue; }  // finished: feed padding
        const uint32_t* table = pos < prefix[b] ? &(*cum)[b * 257] : nullptr;
        bytes[b] = mixed[b] ? mixed[b]->decode(table) : static_cast<uint8_t>(plain[b]->decode(table));
        out[mine[b]][pos] = bytes[b];
      }
      if (stepping && pos + 1 < modelled) step.push(bytes.data());
      if (progress && w == 0 && pos % 1024 == 1023) progress(static_cast<double>(pos + 1) / static_cast<double>(longest));
    }
  });
}
}  // namespace

void model_decode(const Engine& engine, const std::vector<CodedSegment>& segs, std::vector<std::vector<uint8_t>>& out,
                  int threads, const std::function<void(double)>& progress, std::vector<mix::ProbabilityTrace>* traces,
                  mix::UnitAhead* ahead) {
  if (traces) traces->assign(segs.size(), {});
  MixedDecoders none;
  decode_prepared(engine, segs, none, out, threads, progress, traces, ahead);
}

void model_decode(const std::function<const Engine&()>& load, const std::vector<CodedSegment>& segs,
                  std::vector<std::vector<uint8_t>>& out, int threads, const std::function<void(double)>& progress,
                  std::vector<mix::ProbabilityTrace>* traces, mix::UnitAhead* ahead) {
  if (traces) traces->assign(segs.size(), {});
  MixedDecoders mixed(segs.size());
  std::exception_ptr made_error, load_error;
  auto make_all = [&] {
    try {
      for (size_t i = 0; i < segs.size(); ++i)
        if (is_mixed(segs[i].method)) mixed[i] = make_mixed(segs[i], traces ? &(*traces)[i] : nullptr, i == 0 ? ahead : nullptr);
    } catch (...) {
      made_error = std::current_exception();
    }
  };
  std::thread maker;
  try {
    maker = std::thread(make_all);
  } catch (const std::system_error&) {  // no thread to spare: one after the other
  }
  const Engine* engine = nullptr;
  try {
    engine = &load();
  } catch (...) {
    load_error = std::current_exception();
  }
  if (maker.joinable())
    maker.join();
  else if (!load_error)
    make_all();
  if (load_error) std::rethrow_exception(load_error);
  if (made_error) std::rethrow_exception(made_error);
  decode_prepared(*engine, segs, mixed, out, threads, progress, traces, nullptr);
}

}  // namespace mbz
