// Mixed segments: binary decisions of the context mixer through the range coder.
#include "mix/mixed_coding.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <system_error>

#include "common/le_bytes.hpp"
#include "common/release_memory.hpp"
#include "mbz/error.hpp"
#include "mix/logistic.hpp"
#include "mix/profile_units.hpp"
#include "mix/staged/profile13_stages.hpp"
#include "mix/staged/profile8_stages.hpp"
#include "mix/staged/staged_run.hpp"

namespace mbz::mix {

void path_counts(const uint32_t* cum, uint8_t byte, NodeCounts out[8]) {
  uint32_t c0 = 1;
  for (int d = 0; d < 8; ++d) {
    out[d] = node_counts(cum, c0);
    c0 = (c0 << 1) | ((byte >> (7 - d)) & 1u);
  }
}

NodeCounts node_counts(const uint32_t* cum, uint32_t c0) {
  const int depth = 31 - __builtin_clz(c0);  // bits below c0's leading 1 (c0 >= 1)
  const uint32_t width = 256u >> depth;
  const uint32_t lo = (c0 - (1u << depth)) * width, mid = lo + width / 2, hi = lo + width;
  return NodeCounts{cum[hi] - cum[mid], cum[hi] - cum[lo]};
}

struct UnitAhead::Held {
  ProfileUnit unit;
};

// The one place a unit set up ahead is taken, by mixed_encode and MixedDecoder.
struct AheadAccess {
  // The unit set up ahead, if it starts as this segment's own would (plain
  // bytes, its profile, a length that sizes the tables alike); else a new one.
  static ProfileUnit unit_for(uint8_t profile, size_t size, SampleShape shape, UnitAhead* ahead) {
    if (ahead && ahead->held_ && shape.stride == 0 && profile == ahead->profile_ &&
        same_start(profile, ahead->segment_len_, size)) {
      ProfileUnit unit = std::move(ahead->held_->unit);
      ahead->held_.reset();
      return unit;
    }
    return make_unit(profile, size, shape);
  }
};

namespace {
// Runs the segment's unit over a known segment, calling code(i, bit, p1) for
// every decision: one loop a unit, no indirect call a decision.
// paths covers bytes [0, model_len); the rest, or all without paths, get kNoModel.
// staged: a core is spare, so a profile cut in two stages (src/mix/staged/)
// runs its front there; the same decisions (staged_run.hpp). Not while
// paths may still be arriving (ready): the front would outrun them.
// ahead: a unit set up ahead for the segment (UnitAhead), or null.
template <class Code>
void run_known(const uint8_t* data, size_t size, const PackedCounts* paths, size_t model_len, uint8_t profile, SampleShape shape,
               Code&& code, const std::function<void(size_t)>& ready = {}, bool staged = false, UnitAhead* ahead = nullptr) {
  const size_t modelled = paths ? std::min(size, model_len) : 0;
  if (staged && !ready && (profile == kProfileImage13 || profile == kProfileAudio8)) {
    if (profile == kProfileImage13) {
      p13::Front front(size, shape);
      p13::Back back(size, shape);
      run_staged<p13::Front, p13::Back, p13::Decision>(front, back, data, size, paths, modelled, code);
    } else {
      p8::Front front(size, shape);
      p8::Back back(size);
      run_staged<p8::Front, p8::Back, p8::Decision>(front, back, data, size, paths, modelled, code);
    }
    release_freed_memory();
    return;
  }
  {
    ProfileUnit unit = AheadAccess::unit_for(profile, size, shape, ahead);
    std::visit([&](auto& mixer) {
      for (size_t i = 0; i < modelled; ++i) {
        if (ready && i % kReadyStep == 0) ready(std::min(modelled, i + kReadyStep));
        for (int d = 0; d < 8; ++d) {
          const int bit = (data[i] >> (7 - d)) & 1;
          code(i, bit, mixer->predict(unpack(paths[i * 8 + d])));
          mixer->update(bit);
        }
      }
      for (size_t i = modelled; i < size; ++i)
        for (int d = 0; d < 8; ++d) {
          const int bit = (data[i] >> (7 - d)) & 1;
          code(i, bit, mixer->predict(kNoModel));
          mixer->update(bit);
        }
    }, unit);
  }
  release_freed_memory();
}

// The ideal cost of a decision coded with probability p/4096, for every p:
// the same ideal_bits() values (so the same sums), without two log2 a bit.
const std::array<double, kProbOne>& cost_table() {
  static const std::array<double, kProbOne> t = [] {
    std::array<double, kProbOne> c{};
    for (uint32_t p = 1; p < kProbOne; ++p) c[p] = ideal_bits(p, kProbOne);
    return c;
  }();
  return t;
}

double bit_cost(int bit, int p1) { return cost_table()[static_cast<size_t>(bit ? p1 : kProbOne - p1)]; }
}  // namespace

uint8_t profile_of(const SampleShape& s, uint8_t byte_profile, uint8_t image_profile, uint8_t audio_profile) {
  if (s.stride == 0) return byte_profile;
  if (s.value_format & kValueDelta2) return audio_profile;
  if (image_fits_profile6(s)) return image_profile;
  return s.value_format ? kProfileNumeric : kProfileSampled;
}

std::vector<uint8_t> mixed_encode(const uint8_t* data, size_t size, const PackedCounts* paths, uint8_t profile, SampleShape shape,
                                  double* ideal, const std::function<void(size_t)>& ready, ProbabilityTrace* trace,
                                  size_t model_len, bool staged, UnitAhead* ahead) {
  RangeEncoder enc;
  double bits = 0;
  run_known(data, size, paths, model_len, profile, shape, [&](size_t, int bit, int p1) {
    const uint32_t zero = static_cast<uint32_t>(kProbOne - p1);
    if (bit)
      enc.encode(zero, static_cast<uint32_t>(p1), kProbOne);
    else
      enc.encode(0, zero, kProbOne);
    if (ideal) bits += bit_cost(bit, p1);
    if (trace) trace->add(p1);
  }, ready, staged, ahead);
  if (ideal) *ideal = bits;
  std::vector<uint8_t> out{profile};
  if (shape.stride)
    for (uint32_t v : {shape.stride, shape.row, shape.phase})
      for (int k = 0; k < 4; ++k) out.push_back(static_cast<uint8_t>(v >> (8 * k)));
  if (shape.value_format) out.push_back(shape.value_format);
  const std::vector<uint8_t> body = enc.finish();
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::vector<float> mixed_costs(const uint8_t* data, size_t size, const PackedCounts* paths, uint8_t profile, SampleShape shape,
                               size_t model_len, bool staged) {
  std::vector<double> bits(size, 0.0);
  run_known(data, size, paths, model_len, profile, shape, [&](size_t i, int bit, int p1) { bits[i] += bit_cost(bit, p1); }, {},
            staged);
  return std::vector<float>(bits.begin(), bits.end());
}

MixedDecoder::Header MixedDecoder::parse(const uint8_t* coded, size_t coded_len) {
  if (coded_len < 1) throw Error(ErrorCode::corrupt, "mixed segment is empty");
  if (is_byte_profile(coded[0])) return Header{SampleShape{}, 1};
  if (coded[0] != kProfileSampled && coded[0] != kProfileNumeric && coded[0] != kProfileSignal && coded[0] != kProfileImage6 &&
      coded[0] != kProfileAudio8 && coded[0] != kProfileImage9 && coded[0] != kProfileImage11 &&
      coded[0] != kProfileImage13)
    throw Error(ErrorCode::unsupported_version, "unknown mixer profile " + std::to_string(coded[0]));
  const size_t header = coded[0] == kProfileSampled ? 13 : 14;
  if (coded_len < header) throw Error(ErrorCode::corrupt, "mixed segment header is truncated");
  uint32_t v[3];
  for (int i = 0; i < 3; ++i) v[i] = load_u32le(coded + 1 + 4 * i);
  const SampleShape shape{v[0], v[1], v[2], header == 14 ? coded[13] : uint8_t{0}};
  // A stride of a sample frame, a row of whole frames, a phase inside one.
  if (shape.stride == 0 || shape.stride > 1024 || (shape.row && shape.row % shape.stride) ||
      shape.phase >= (shape.row ? shape.row : shape.stride))
    throw Error(ErrorCode::corrupt, "mixed segment has an invalid sample shape");
  if (header == 14 && (!value_format_ok(shape) || ((shape.value_format & kValueDelta2) != 0) != (coded[0] == kProfileSignal || coded[0] == kProfileAudio8)))
    throw Error(ErrorCode::corrupt, "mixed segment has an invalid value format");
  if ((coded[0] == kProfileImage6 || coded[0] == kProfileImage9 || coded[0] == kProfileImage11 || coded[0] == kProfileImage13) &&
      !image_fits_profile6(shape))
    throw Error(ErrorCode::corrupt, "mixed segment of profile " + std::to_string(coded[0]) + " is not of an image's MED residuals");
  return Header{shape, header};
}

namespace {
uint8_t byte_profile(uint8_t profile) {
  if (!is_byte_profile(profile)) throw Error(ErrorCode::invalid_argument, "a unit set up ahead is for a byte profile (1, 5, 7, 10, 12 or 14)");
  return profile;
}
}  // namespace

UnitAhead::UnitAhead(uint8_t profile, size_t segment_len)
    : profile_(byte_profile(profile)),
      segment_len_(segment_len),
      held_(std::make_unique<Held>(Held{make_unit(profile, segment_len, SampleShape{})})) {}
UnitAhead::~UnitAhead() {
  if (!held_) return;
  held_.reset();
  release_freed_memory();
}
bool UnitAhead::held() const { return held_ != nullptr; }

UnitAheadJob::UnitAheadJob(uint8_t profile, size_t segment_len) {
  try {
    job_ = std::async(std::launch::async, [profile, segment_len] { return std::make_unique<UnitAhead>(profile, segment_len); });
  } catch (const std::system_error&) {  // no thread to spare: the segment sets up its own
  }
}

std::unique_ptr<UnitAhead> UnitAheadJob::take() {
  if (!job_.valid()) return nullptr;
  try {
    return job_.get();
  } catch (...) {  // out of memory, say: the segment sets up its own, and reports it if it fails too
    return nullptr;
  }
}

MixedDecoder::MixedDecoder(const uint8_t* coded, size_t coded_len, size_t raw_len, ProbabilityTrace* trace, UnitAhead* ahead)
    : MixedDecoder(coded, coded_len, raw_len, parse(coded, coded_len), trace, ahead) {}

struct MixedDecoder::Unit {
  ProfileUnit unit;
};

MixedDecoder::MixedDecoder(const uint8_t* coded, size_t coded_len, size_t raw_len, Header h, ProbabilityTrace* trace, UnitAhead* ahead)
    : coder_(coded + h.size, coded_len - h.size), trace_(trace) {
  unit_ = std::make_unique<Unit>(Unit{AheadAccess::unit_for(coded[0], raw_len, h.shape, ahead)});
}

MixedDecoder::~MixedDecoder() {
  unit_.reset();
  release_freed_memory();
}

template <class Mixer>
uint8_t MixedDecoder::decode_byte(Mixer& mixer, const uint32_t* cum257) {
  uint32_t c0 = 1;
  for (int d = 0; d < 8; ++d) {
    const int p1 = mixer.predict(cum257 ? node_counts(cum257, c0) : kNoModel);
    if (trace_) trace_->add(p1);
    const uint32_t zero = static_cast<uint32_t>(kProbOne - p1);
    const int bit = coder_.target(kProbOne) >= zero ? 1 : 0;
    if (bit)
      coder_.consume(zero, static_cast<uint32_t>(p1));
    else
      coder_.consume(0, zero);
    mixer.update(bit);
    c0 = (c0 << 1) | static_cast<uint32_t>(bit);
  }
  return static_cast<uint8_t>(c0 & 0xFF);
}

uint8_t MixedDecoder::decode(const uint32_t* cum257) {
  return std::visit([&](auto& mixer) { return decode_byte(*mixer, cum257); }, unit_->unit);
}

}  // namespace mbz::mix
