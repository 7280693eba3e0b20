// mixed_coding.hpp — a segment coded bit by bit through the context mixer.
//
// Coded form (docs/FORMAT.md "Mixed segments"): one profile byte (1 and 5
// bytes, 2 sampled data, followed by its SampleShape as three u32le, 3 and 4
// numeric samples, followed by the shape and its value format byte), then a
// range-coded stream of binary decisions, 8 per byte, MSB first; decision k
// has P(1) = p/4096 from the profile's unit (profile_units.hpp: the frozen
// units of src/mix/profiles/) and is coded as the interval [4096 - p, 4096)
// for 1 and [0, 4096 - p) for 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <vector>

#include "coder/range_coder.hpp"
#include "mix/node_counts.hpp"
#include "mix/packed_counts.hpp"
#include "mix/probability_trace.hpp"
#include "mix/sample_shape.hpp"

namespace mbz::mix {

constexpr uint8_t kProfileGeneral = 1;
constexpr uint8_t kProfileSampled = 2;
constexpr uint8_t kProfileNumeric = 3;
constexpr uint8_t kProfileSignal = 4;  // profile 3 plus the signal rebuilt from delta2 residuals (mbz 0.5)
constexpr uint8_t kProfileText5 = 5;   // bytes: bit histories in nibble slots, layered mixing (mbz 0.9)
constexpr uint8_t kProfileImage6 = 6;  // images of MED residuals: 14 predictors, local error scales, 8 weight sets (mbz 0.10)
constexpr uint8_t kProfileText7 = 7;   // bytes: profile 5 plus structure contexts and a long match model (mbz 0.11)
constexpr uint8_t kProfileAudio8 = 8;  // audio of delta2 residuals: profile 4 plus a least-squares cascade, sets by the best predictor (mbz 0.12)
constexpr uint8_t kProfileImage9 = 9;  // images of MED residuals: profile 6 plus texture contexts, APMs by expected residuals, a ninth set (mbz 0.13)
constexpr uint8_t kProfileText10 = 10; // bytes: profile 7 plus four contexts, the sets' rate 40 down to 20, tables sized to the segment (mbz 0.16)
constexpr uint8_t kProfileImage11 = 11; // small images of MED residuals: profile 6 whose weights start from a prior (mbz 0.20)
constexpr uint8_t kProfileText12 = 12;  // bytes with the model: profile 10 whose weights start from a prior (mbz 0.20)
constexpr uint8_t kProfileImage13 = 13; // images of MED residuals: profile 9 whose weights start from a prior (mbz 0.21)
constexpr uint8_t kProfileText14 = 14;  // bytes without the model: profile 12's unit, its prior built without the model (mbz 0.21)

// The profiles of plain bytes (no shape after the profile byte).
inline bool is_byte_profile(uint8_t p) {
  return p == kProfileGeneral || p == kProfileText5 || p == kProfileText7 || p == kProfileText10 || p == kProfileText12 ||
         p == kProfileText14;
}

// The 8 nodes a byte passes through in a cumulative table cum[257]
// (cum[0] = 0, cum[256] = total), MSB first.
void path_counts(const uint32_t* cum257, uint8_t byte, NodeCounts out[8]);
// One node: the prefix c0 (1 followed by the bits so far, 1..255).
NodeCounts node_counts(const uint32_t* cum257, uint32_t c0);

// Whether profile 6 can code segments of this shape: an image's MED
// residuals (value_format_ok allows MED for images only).
inline bool image_fits_profile6(const SampleShape& s) { return (s.value_format & kValueMed) != 0; }

// The profile to write for a segment of this shape (the same for every
// segment of a payload: it depends on the stride and value format only);
// plain bytes (stride 0) get byte_profile, kProfileGeneral, kProfileText5, kProfileText7, kProfileText10, kProfileText12
// or kProfileText14;
// images of MED residuals get image_profile, kProfileNumeric, kProfileImage6, kProfileImage9, kProfileImage11 or kProfileImage13;
// audio of delta2 residuals gets audio_profile, kProfileSignal or kProfileAudio8.
uint8_t profile_of(const SampleShape& shape, uint8_t byte_profile, uint8_t image_profile, uint8_t audio_profile);

// model_len's default: paths (if any) covers the whole segment.
constexpr size_t kWholeSegment = SIZE_MAX;

// paths: 8 NodeCounts per byte (the engine's tables along each byte's path);
// null: no model (kNoModel for every decision). model_len: the bytes paths
// covers, the segment's first (a model prefix, method 4); the decisions of
// later bytes get kNoModel, as without a model.
// Returns the coded bytes; ideal_bits, if set, gets the ideal code length.
// profile: the unit that codes it (profile_of); shape: where the samples are
// (stride 0: plain bytes, profile 1 or 5; a value format: profile 3, or 4
// or 8 with kValueDelta2).
// ready, if set, is called with n before the paths of bytes [0, n) are first
// read, in increasing n (every kReadyStep bytes): paths may still be arriving.
// trace, if set, gets every decision's probability (testing).
// staged: a core is free beside the caller's; a profile cut in two stages
// (src/mix/staged/: 8 and 13) computes its inputs there, one stage ahead of the
// mixing. The same bytes either way.
// ahead, if set, gives its unit when it fits this segment (UnitAhead below).
class UnitAhead;
std::vector<uint8_t> mixed_encode(const uint8_t* data, size_t size, const PackedCounts* paths, uint8_t profile, SampleShape shape,
                                  double* ideal_bits, const std::function<void(size_t)>& ready = {},
                                  ProbabilityTrace* trace = nullptr, size_t model_len = kWholeSegment, bool staged = false,
                                  UnitAhead* ahead = nullptr);
// The teacher forcing finishes its local model in groups of 64 patches (512
// bytes): asking for as much at a time, the mixer starts on a small file's
// first bytes a group after the model does, not 4 KiB after (a 10 KB text
// compresses 7% sooner; the mixer then trails the model instead of waiting).
constexpr size_t kReadyStep = 512;

// The ideal cost in bits of every byte under the mixer (what mixed_encode codes).
std::vector<float> mixed_costs(const uint8_t* data, size_t size, const PackedCounts* paths, uint8_t profile, SampleShape shape,
                               size_t model_len = kWholeSegment, bool staged = false);

// A byte profile's unit set up before its segment is here. A decoder that has
// read a frame header and waits on a pipe for the first segment (the
// compressor writes the header before it codes) sets one up meanwhile: tens
// of MiB of tables, on a small file as long as loading the model. So does a
// compressor that knows a lone segment's length before its model is ready
// (a whole short input): on the core that packing the model's weights
// leaves idle. A MixedDecoder or mixed_encode takes it for a segment whose
// own unit would start the same (same_start in profile_units.hpp);
// otherwise it is left unused.
class UnitAhead {
 public:
  // profile: a byte profile (is_byte_profile); segment_len:
  // the segment's length, or a guess at it.
  UnitAhead(uint8_t profile, size_t segment_len);
  ~UnitAhead();
  UnitAhead(const UnitAhead&) = delete;
  UnitAhead& operator=(const UnitAhead&) = delete;
  // Whether a MixedDecoder has not taken the unit yet.
  bool held() const;

 private:
  friend struct AheadAccess;  // where mixed_encode and MixedDecoder take it (mixed_coding.cpp)
  struct Held;
  uint8_t profile_;
  size_t segment_len_;
  std::unique_ptr<Held> held_;
};

// A UnitAhead set up on a thread of its own. Neither a thread that cannot be
// had nor a set-up that fails is an error: the segment then sets up its own
// (and reports a failure if that fails too).
class UnitAheadJob {
 public:
  UnitAheadJob() = default;  // none
  UnitAheadJob(uint8_t profile, size_t segment_len);
  // Whether one was started and not taken yet.
  bool pending() const { return job_.valid(); }
  // The unit once it is ready (waits for it), once; null if none.
  std::unique_ptr<UnitAhead> take();

 private:
  std::future<std::unique_ptr<UnitAhead>> job_;  // its destructor waits for the set-up
};

// Decodes one mixed segment a byte at a time from the model's cumulative tables.
// Throws Error(unsupported_version) for an unknown profile, Error(corrupt) for a bad shape.
class MixedDecoder {
 public:
  // trace, if set, gets every decision's probability (testing); ahead, if
  // set, gives its unit when it fits this segment (UnitAhead).
  MixedDecoder(const uint8_t* coded, size_t coded_len, size_t raw_len, ProbabilityTrace* trace = nullptr,
               UnitAhead* ahead = nullptr);
  ~MixedDecoder();
  MixedDecoder(const MixedDecoder&) = delete;
  MixedDecoder& operator=(const MixedDecoder&) = delete;
  // cum257: the model's table for this byte; null: no model (kNoModel).
  uint8_t decode(const uint32_t* cum257);

 private:
  struct Header {
    SampleShape shape;
    size_t size;  // bytes before the coder's stream
  };
  static Header parse(const uint8_t* coded, size_t coded_len);
  template <class Mixer>
  uint8_t decode_byte(Mixer& mixer, const uint32_t* cum257);
  MixedDecoder(const uint8_t* coded, size_t coded_len, size_t raw_len, Header h, ProbabilityTrace* trace, UnitAhead* ahead);
  struct Unit;  // the profile's unit (profile_units.hpp)
  RangeDecoder coder_;
  std::unique_ptr<Unit> unit_;
  ProbabilityTrace* trace_;
};

}  // namespace mbz::mix
