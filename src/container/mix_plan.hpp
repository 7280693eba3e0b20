// mix_plan.hpp — what the context mixer needs to know of a group of segments.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/engine.hpp"
#include "mbz/mbz.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/sample_shape.hpp"

namespace mbz {

// How to mix: the payload's sample shape (its phase 0; stride 0: plain
// bytes), the payload offset of the group's first segment, which with the
// shape gives each segment's own (mix::shape_at), and the profile for plain
// bytes (Options::byte_profile; mix::profile_of), and how many of a
// segment's first bytes have the model's input (Options::model_prefix).
struct MixPlan {
  mix::SampleShape payload;
  uint64_t offset = 0;
  uint8_t byte_profile = 12;  // mix::kProfileText12 or 14, as Options::byte_profile resolved by byte_profile_for
  uint8_t image_profile = 13;  // mix::kProfileImage13, as Options::image_profile
  uint8_t audio_profile = 8;  // mix::kProfileAudio8, as Options::audio_profile
  uint32_t model_prefix = 0;  // Options::model_prefix: a segment's bytes with the model's input (0: all)
  // The first segment's unit, set up ahead (mix::UnitAhead), or null: waits
  // until it is ready. Unset: none.
  std::function<mix::UnitAhead*()> unit_ahead;
};

// The image profile that options give an image of payload_bytes bytes of
// samples: Options::image_profile, or where that is 0 (by the size),
// profile 11 under kSmallImageBytes (since 0.20; 6 in 0.18-0.19) and 13 from
// there (since 0.21; 9 in 0.13-0.20; an unknown size: 13).
inline uint8_t image_profile_for(const Options& opts, uint64_t payload_bytes) {
  if (opts.image_profile != 0) return static_cast<uint8_t>(opts.image_profile);
  return payload_bytes < kSmallImageBytes ? mix::kProfileImage11 : mix::kProfileImage13;
}

// The byte profile that options give a frame coded with or without the
// model: Options::byte_profile, or where that is 0 (by the model, the
// default since 0.21), profile 12 with the model and 14 without: the same
// unit, its weights started from a prior built the way it will be used.
inline uint8_t byte_profile_for(const Options& opts, bool with_model) {
  if (opts.byte_profile != 0) return static_cast<uint8_t>(opts.byte_profile);
  return with_model ? mix::kProfileText12 : mix::kProfileText14;
}

// The plan for a group of segments coded with these options, with or
// without the model, of a payload of payload_bytes (for the image profile;
// unknown: the largest): the one place the options' byte, image and audio
// profiles enter a plan.
inline MixPlan mix_plan(const Options& opts, bool with_model, mix::SampleShape payload = {}, uint64_t offset = 0,
                        uint64_t payload_bytes = UINT64_MAX) {
  return MixPlan{payload, offset, byte_profile_for(opts, with_model), image_profile_for(opts, payload_bytes),
                 static_cast<uint8_t>(opts.audio_profile), opts.model_prefix, {}};
}

// The bytes of a segment of `size` that have the model's input under plan:
// all of them, or its model prefix when that is shorter (Method::mixed_prefix).
inline size_t model_bytes(const MixPlan& plan, size_t size) {
  return plan.model_prefix != 0 && plan.model_prefix < size ? plan.model_prefix : size;
}

// What the model runs over (teacher forcing) for these segments under plan:
// each one's first model_bytes.
inline std::vector<ByteSpan> model_spans(const MixPlan& plan, const std::vector<ByteSpan>& segments) {
  std::vector<ByteSpan> out;
  out.reserve(segments.size());
  for (const ByteSpan& s : segments) out.push_back(ByteSpan{s.data, model_bytes(plan, s.size)});
  return out;
}

}  // namespace mbz
