// Every committed .mbz with mixed segments, variant by variant (profile ×
// value format × shape): it decodes to its original through the very
// probabilities it was coded with, and, where the encoder still writes that
// profile, re-encodes to the same bytes through the same probabilities.
//
// Bytes alone do not pin the mixer: a change that moves encoder and decoder
// together keeps every round trip green and breaks only old files, and where
// the encoder no longer writes a profile nothing re-encodes to notice. So the
// decoding's probability trace (mix/probability_trace.hpp) is pinned too, and
// when encoder and decoder part, the test says at which decision.
// tests/golden/README.md says how each file was made; they are never regenerated.
#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdio>

#include "codecs/adapter.hpp"
#include "common/le_bytes.hpp"
#include "container/format.hpp"
#include "container/segment_decoder.hpp"
#include "container/segment_encoder.hpp"
#include "container/segmenter.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/probability_trace.hpp"
#include "same_frame.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

// One golden file with mixed segments. Legend:
//   name      the test's name (GoldenVariants/GoldenMixedFile.*/name)
//   mbz       tests/golden/<mbz>, coded from tests/golden/<original> with
//             --force-model --segment-size 1K, the model and the layout (or
//             raw image) below, by the mbz version in tests/golden/README.md
//   model     none: Model::none() (-m none); tiny: tiny-golden-v1.mbzm
//   profile   the profile byte of every segment, all mixed (1 bytes, 2
//             sampled, 3 numeric, 4 and 8 signal, 5, 7, 10 and 12 bytes, 6, 9 and 11 images); format: its value format byte
//             for 3, 4, 6, 8, 9 and 11 (mix/sample_shape.hpp: 0x80 signed, 0x40 MED,
//             0x20 delta2, low bits: bytes a sample); stride, row: of its
//             sample shape (0, 0 for profile 1)
//   prefix    the model prefix of every segment (method 4, --model-prefix;
//             mbz 0.14.0); 0: none (method 3)
//   writes    the current encoder still writes this file from its original
//   trace     XXH64 of the probabilities of all decisions of all mixed
//             segments, in frame order, as u16le (mix::trace_hash)
struct GoldenMixed {
  const char* name;
  const char* mbz;
  const char* original;
  const char* model;
  const char* layout;     // Options::layout; "" the adapter's default
  const char* raw_image;  // Options::raw_image
  uint8_t profile, value_format;
  uint32_t stride, row;
  uint32_t prefix;
  bool writes;
  uint64_t trace;
};

// clang-format off
const GoldenMixed kGoldenMixed[] = {
  // name                        mbz                                      original                  model   layout        raw image       profile format stride row prefix writes trace
  // Model-coded through the mixer (mbz 0.3.0 - 0.5.0). Two are written no more: since 0.4 the
  // encoder codes that image with profile 3, since 0.5 delta2 audio with profile 4.
  {"tiny_bytes_gpl3",            "v1-mixer-gpl3-4k.mbz",                  "gpl3-4k.txt",            "tiny", "",           "",             1, 0x00,  0,   0,    0, true,  0xd418a02547d52942},
  {"tiny_sampled_photo",         "v1-mixer-image-photo.mbz",              "photo-32x24.ppm",        "tiny", "",           "",             2, 0x00,  3,  96,    0, false, 0xe4fd00dd5ef550c3},
  {"tiny_numeric_photo",         "v1-mixer-numeric-photo.mbz",            "photo-32x24.ppm",        "tiny", "",           "",             3, 0xC1,  3,  96,    0, true,  0x7b8a8ab81337654d},
  {"tiny_numeric_speech",        "v1-mixer-numeric-speech.mbz",           "speech-0.5s.wav",        "tiny", "",           "",             3, 0x82,  2,   0,    0, false, 0x8da585e5e5fbe56b},
  {"tiny_signal_speech",         "v1-mixer-signal-speech.mbz",            "speech-0.5s.wav",        "tiny", "",           "",             4, 0xA2,  2,   0,    0, true,  0x8f42c47d3b0211ff},
  {"tiny_signal_stereo16",       "v1-mixer-signal-music-stereo.mbz",      "music-0.1s-stereo.wav",  "tiny", "",           "",             4, 0xA2,  4,   0,    0, true,  0x99d9306cf88da578},
  // The mixer alone (mbz 0.7.0): bytes.
  {"none_bytes_gpl3",            "v1-none-gpl3-4k.mbz",                   "gpl3-4k.txt",            "none", "",           "",             1, 0x00,  0,   0,    0, true,  0x2dae3dc064ffb5cb},
  // Images: MED residuals of interleaved pixels, grey / RGB / RGBA, 8 and 16 bits.
  {"none_numeric_photo",         "v1-none-numeric-photo.mbz",             "photo-32x24.ppm",        "none", "",           "",             3, 0xC1,  3,  96,    0, true,  0xfee2e55caa72ee99},
  {"none_numeric_grey8",         "v1-none-numeric-grey8.mbz",             "grey8-40x40.pgm",        "none", "",           "",             3, 0xC1,  1,  40,    0, true,  0x2e4d3c6dfb1c080d},
  {"none_numeric_rgba8",         "v1-none-numeric-rgba8.mbz",             "rgba8-24x24.tga",        "none", "",           "",             3, 0xC1,  4,  96,    0, true,  0x241d764e68ca7c7c},
  {"none_numeric_grey16",        "v1-none-numeric-grey16.mbz",            "grey16-28x28.pgm",       "none", "",           "",             3, 0xC2,  2,  56,    0, true,  0x51ddc6f70faa81c0},
  {"none_numeric_rgb16",         "v1-none-numeric-rgb16.mbz",             "rgb16-20x20.ppm",        "none", "",           "",             3, 0xC2,  6, 120,    0, true,  0x4d2dcc026113e198},
  // Images without MED: residuals of planes (one sample a frame) or of delta2, and unsigned pixels.
  {"none_numeric_rgb8_planar",   "v1-none-numeric-rgb8-planar-med.mbz",   "photo-32x24.ppm",        "none", "planar-med", "",             3, 0x81,  1,  32,    0, true,  0x955bd39ab99259ca},
  {"none_numeric_rgb8_delta2",   "v1-none-numeric-rgb8-delta2.mbz",       "photo-32x24.ppm",        "none", "delta2",     "",             3, 0x81,  3,  96,    0, true,  0xc55c2d250aa69af2},
  {"none_numeric_rgb8_native",   "v1-none-numeric-rgb8-native.mbz",       "photo-32x24.ppm",        "none", "native",     "",             3, 0x01,  3,  96,    0, true,  0xc20e99be0f8b6edf},
  {"none_numeric_rgb16_planar",  "v1-none-numeric-rgb16-planar-med.mbz",  "rgb16-20x20.ppm",        "none", "planar-med", "",             3, 0x82,  2,  40,    0, true,  0x60d3ce5d66e6d2cb},
  {"none_numeric_rgb16_native",  "v1-none-numeric-rgb16-native.mbz",      "rgb16-20x20.ppm",        "none", "native",     "",             3, 0x02,  6, 120,    0, true,  0x28d023edde93cb57},
  // Images as bytes of samples (little-endian 16-bit pixels kept as stored).
  {"none_sampled_rgb16le",       "v1-none-sampled-rgb16le-native.mbz",    "rgb16le-20x20.raw",      "none", "native",     "20x20x3:16",   2, 0x00,  6, 120,    0, true,  0xfede6ebe6d67ea02},
  // Audio as numbers: samples themselves (msb, native 8-bit) or residuals (med: of the left
  // neighbour), 1 / 2 / 3 channels, 8 / 16 / 24 bits.
  {"none_numeric_speech8_native","v1-none-numeric-speech8-native.mbz",    "speech-8bit.wav",        "none", "native",     "",             3, 0x01,  1,   0,    0, true,  0xbc080fa201144f86},
  {"none_numeric_speech8_med",   "v1-none-numeric-speech8-med.mbz",       "speech-8bit.wav",        "none", "med",        "",             3, 0x81,  1,   0,    0, true,  0xb9d6ce4e07deec32},
  {"none_numeric_speech16",      "v1-none-numeric-speech-msb.mbz",        "speech-0.5s.wav",        "none", "msb",        "",             3, 0x82,  2,   0,    0, true,  0x37566cec95eb0e23},
  {"none_numeric_stereo16",      "v1-none-numeric-stereo16-msb.mbz",      "music-stereo-16bit.wav", "none", "msb",        "",             3, 0x82,  4,   0,    0, true,  0xa1685cb28532759e},
  {"none_numeric_stereo24",      "v1-none-numeric-stereo24-msb.mbz",      "music-stereo-24bit.wav", "none", "msb",        "",             3, 0x83,  6,   0,    0, true,  0x672f50e4c68f2e87},
  {"none_numeric_3ch16",         "v1-none-numeric-3ch16-msb.mbz",         "music-3ch-16bit.wav",    "none", "msb",        "",             3, 0x82,  6,   0,    0, true,  0xb4f4f47edfd7f679},
  // Audio as delta2 residuals rebuilt into the signal (the default layout).
  {"none_signal_speech8",        "v1-none-signal-speech8.mbz",            "speech-8bit.wav",        "none", "",           "",             4, 0xA1,  1,   0,    0, true,  0xe0259d9b2753063d},
  {"none_signal_speech16",       "v1-none-signal-speech.mbz",             "speech-0.5s.wav",        "none", "",           "",             4, 0xA2,  2,   0,    0, true,  0x90e2055385621932},
  {"none_signal_stereo24",       "v1-none-signal-stereo24.mbz",           "music-stereo-24bit.wav", "none", "",           "",             4, 0xA3,  6,   0,    0, true,  0xf219dc39c6734743},
  {"none_signal_3ch16",          "v1-none-signal-3ch16.mbz",              "music-3ch-16bit.wav",    "none", "",           "",             4, 0xA2,  6,   0,    0, true,  0xa4a8945a065c62ac},
  // Audio as bytes of samples (float, and 32-bit integers alike).
  {"none_sampled_stereo_float",  "v1-none-sampled-stereo-float.mbz",      "music-stereo-float.wav", "none", "",           "",             2, 0x00,  8,   0,    0, true,  0x73b0c3998d0f9a0a},
  // Format version 2 (mbz 0.8.0): the same segments under a header that declares their profile.
  {"v2_none_bytes_gpl3",         "v2-none-gpl3-4k.mbz",                   "gpl3-4k.txt",            "none", "",           "",             1, 0x00,  0,   0,    0, true,  0x2dae3dc064ffb5cb},
  {"v2_none_signal_speech16",    "v2-none-signal-speech.mbz",             "speech-0.5s.wav",        "none", "",           "",             4, 0xA2,  2,   0,    0, true,  0x90e2055385621932},
  // Mixer profile 5 (mbz 0.9.0), bytes: two 2 KiB segments, without a model and with the tiny one.
  {"p5_none_bytes_gpl3",         "v2-none-p5-gpl3-4k.mbz",                "gpl3-4k.txt",            "none", "",           "",             5, 0x00,  0,   0,    0, true,  0x9c2a6ce9a0ffc042},
  {"p5_tiny_bytes_gpl3",         "v2-mixer-p5-gpl3-4k.mbz",               "gpl3-4k.txt",            "tiny", "",           "",             5, 0x00,  0,   0,    0, true,  0x50eef493aad06aa2},
  // Mixer profile 6 (mbz 0.10.0), images of MED residuals: grey / RGB / RGBA, 8 and 16 bits, and RGB with the tiny model.
  {"p6_none_photo",              "v2-none-p6-photo.mbz",                  "photo-32x24.ppm",        "none", "",           "",             6, 0xC1,  3,  96,    0, true,  0x1fa6e3fc86617a16},
  {"p6_none_grey8",              "v2-none-p6-grey8.mbz",                  "grey8-40x40.pgm",        "none", "",           "",             6, 0xC1,  1,  40,    0, true,  0x592890e0b4af4f66},
  {"p6_none_rgba8",              "v2-none-p6-rgba8.mbz",                  "rgba8-24x24.tga",        "none", "",           "",             6, 0xC1,  4,  96,    0, true,  0xf89aa8afe72ec433},
  {"p6_none_grey16",             "v2-none-p6-grey16.mbz",                 "grey16-28x28.pgm",       "none", "",           "",             6, 0xC2,  2,  56,    0, true,  0x5d4f262d97a1b47a},
  {"p6_none_rgb16",              "v2-none-p6-rgb16.mbz",                  "rgb16-20x20.ppm",        "none", "",           "",             6, 0xC2,  6, 120,    0, true,  0x9ec0c5b27d1aa062},
  {"p6_tiny_photo",              "v2-mixer-p6-photo.mbz",                 "photo-32x24.ppm",        "tiny", "",           "",             6, 0xC1,  3,  96,    0, true,  0xfbfa738cdbee68a8},
  // Mixer profile 7 (mbz 0.11.0), bytes with structure contexts: as profile 5's two files.
  {"p7_none_bytes_gpl3",         "v2-none-p7-gpl3-4k.mbz",                "gpl3-4k.txt",            "none", "",           "",             7, 0x00,  0,   0,    0, true,  0x176c79a16e1bf1b8},
  {"p7_tiny_bytes_gpl3",         "v2-mixer-p7-gpl3-4k.mbz",               "gpl3-4k.txt",            "tiny", "",           "",             7, 0x00,  0,   0,    0, true,  0x39dbdeea809bb3f0},
  // The model prefix (mbz 0.14.0): profile 7 with the model's input for each segment's first 700 bytes, even odds after.
  {"p7_tiny_bytes_prefix",       "v2-mixer-p7-prefix-gpl3-4k.mbz",        "gpl3-4k.txt",            "tiny", "",           "",             7, 0x00,  0,   0,  700, true,  0x6c8757679e92293d},
  // Profile 8 (mbz 0.12.0): audio of delta2 residuals with the least-squares cascade.
  {"p8_none_speech8",            "v2-none-p8-speech8.mbz",                "speech-8bit.wav",        "none", "",           "",             8, 0xA1,  1,   0,    0, true,  0xcb0eb42a60b4ff53},
  {"p8_none_speech16",           "v2-none-p8-speech.mbz",                 "speech-0.5s.wav",        "none", "",           "",             8, 0xA2,  2,   0,    0, true,  0x2a8a5148e62bc435},
  {"p8_none_stereo16",           "v2-none-p8-stereo16.mbz",               "music-stereo-16bit.wav", "none", "",           "",             8, 0xA2,  4,   0,    0, true,  0x00d925d753617b40},
  {"p8_none_stereo24",           "v2-none-p8-stereo24.mbz",               "music-stereo-24bit.wav", "none", "",           "",             8, 0xA3,  6,   0,    0, true,  0xec3c89847f14b496},
  {"p8_none_3ch16",              "v2-none-p8-3ch16.mbz",                  "music-3ch-16bit.wav",    "none", "",           "",             8, 0xA2,  6,   0,    0, true,  0xa2a068678fd1dc88},
  {"p8_tiny_speech16",           "v2-mixer-p8-speech.mbz",                "speech-0.5s.wav",        "tiny", "",           "",             8, 0xA2,  2,   0,    0, true,  0xffe73fe8f592333c},
  // Profile 9 (mbz 0.13.0): images with texture contexts, as profile 6's six files.
  {"p9_none_photo",              "v2-none-p9-photo.mbz",                  "photo-32x24.ppm",        "none", "",           "",             9, 0xC1,  3,  96,    0, true,  0xe480868d81e08c57},
  {"p9_none_grey8",              "v2-none-p9-grey8.mbz",                  "grey8-40x40.pgm",        "none", "",           "",             9, 0xC1,  1,  40,    0, true,  0x067a2f601c666abf},
  {"p9_none_rgba8",              "v2-none-p9-rgba8.mbz",                  "rgba8-24x24.tga",        "none", "",           "",             9, 0xC1,  4,  96,    0, true,  0x68ac38bd61c2bf47},
  {"p9_none_grey16",             "v2-none-p9-grey16.mbz",                 "grey16-28x28.pgm",       "none", "",           "",             9, 0xC2,  2,  56,    0, true,  0xa5b81a609984f08e},
  {"p9_none_rgb16",              "v2-none-p9-rgb16.mbz",                  "rgb16-20x20.ppm",        "none", "",           "",             9, 0xC2,  6, 120,    0, true,  0x13d41b15f998732c},
  {"p9_tiny_photo",              "v2-mixer-p9-photo.mbz",                 "photo-32x24.ppm",        "tiny", "",           "",             9, 0xC1,  3,  96,    0, true,  0x441cd47d2d7c3266},
  // Profile 12 (mbz 0.20.0): profile 10 whose weights start from src/mix/data/profile12.prior.
  {"p12_none_gpl3",              "v2-none-p12-gpl3-4k.mbz",               "gpl3-4k.txt",            "none", "",           "",            12, 0x00,  0,   0,    0, true,  0x33a63cd4b9d42214},
  {"p12_tiny_gpl3",              "v2-mixer-p12-gpl3-4k.mbz",              "gpl3-4k.txt",            "tiny", "",           "",            12, 0x00,  0,   0,    0, true,  0x1c1986e14d0c6b98},
  // Profile 11 (mbz 0.20.0): profile 6 whose weights start from src/mix/data/profile11.prior.
  {"p11_none_photo",             "v2-none-p11-photo.mbz",                 "photo-32x24.ppm",        "none", "",           "",            11, 0xC1,  3,  96,    0, true,  0xf3004dab4b37f18d},
  {"p11_none_grey16",            "v2-none-p11-grey16.mbz",                "grey16-28x28.pgm",       "none", "",           "",            11, 0xC2,  2,  56,    0, true,  0x67945ad5f58332ee},
  // Profile 13 (mbz 0.21.0): profile 9 whose weights start from src/mix/data/profile13.prior.
  {"p13_none_photo",             "v2-none-p13-photo.mbz",                 "photo-32x24.ppm",        "none", "",           "",            13, 0xC1,  3,  96,    0, true,  0x6a4040fdb8c8a99f},
  // Profile 14 (mbz 0.21.0): profile 12's unit started from src/mix/data/profile14.prior (built without a model).
  {"p14_none_gpl3",              "v2-none-p14-gpl3-4k.mbz",               "gpl3-4k.txt",            "none", "",           "",            14, 0x00,  0,   0,    0, true,  0xa993b1963e9470d0},
  {"p13_none_grey16",            "v2-none-p13-grey16.mbz",                "grey16-28x28.pgm",       "none", "",           "",            13, 0xC2,  2,  56,    0, true,  0x92abb6cb9c90e84f},
  // Profile 10 (mbz 0.16.0): bytes, profile 7 with four more contexts: as profile 7's two files, and the whole licence in
  // a 34 KiB segment and the rest (the weight sets' rate at its first three steps, a 16 MiB nibble table, apm2 of 2^16 contexts).
  {"p10_none_bytes_gpl3",        "v2-none-p10-gpl3-4k.mbz",               "gpl3-4k.txt",            "none", "",           "",            10, 0x00,  0,   0,    0, true,  0x7be006eb43f9f374},
  {"p10_tiny_bytes_gpl3",        "v2-mixer-p10-gpl3-4k.mbz",              "gpl3-4k.txt",            "tiny", "",           "",            10, 0x00,  0,   0,    0, true,  0x3d055e277b93332d},
  {"p10_none_bytes_gpl3_35k",    "v2-none-p10-gpl3-35k.mbz",              "gpl3-35k.txt",           "none", "",           "",            10, 0x00,  0,   0,    0, true,  0x4a5b1f477b140852},
};
// clang-format on

void PrintTo(const GoldenMixed& g, std::ostream* os) { *os << g.mbz; }

std::string golden(const char* file) { return test::data_path(std::string("tests/golden/") + file); }

std::shared_ptr<const Model> model_of(const GoldenMixed& g) {
  return std::string(g.model) == "none" ? Model::none() : test::golden_model();
}
const Engine* engine_of(const GoldenMixed& g) {
  return std::string(g.model) == "none" ? nullptr : &test::golden_engine();
}

Options options_of(const GoldenMixed& g) {
  Options o;
  const bool text = g.profile == mix::kProfileText5 || g.profile == mix::kProfileText7 || g.profile == mix::kProfileText10 ||
                    g.profile == mix::kProfileText12 || g.profile == mix::kProfileText14;
  const bool whole = std::string(g.original) == "gpl3-35k.txt";  // the licence: 34 KiB, then the rest
  o.segment_size = whole ? 34 * 1024 : text ? 2048 : 1024;  // profile 5's, 7's, 10's, 12's and 14's 4 KiB files: two 2 KiB segments
  o.byte_profile = text ? g.profile : mix::kProfileGeneral;  // bytes: 1 until 0.9
  const bool image = g.profile == mix::kProfileImage6 || g.profile == mix::kProfileImage9 || g.profile == mix::kProfileImage11 ||
                     g.profile == mix::kProfileImage13;
  o.image_profile = image ? g.profile : mix::kProfileNumeric;  // images: 3 until 0.10
  o.audio_profile = g.profile == mix::kProfileAudio8 ? mix::kProfileAudio8 : mix::kProfileSignal;  // audio: 4 until 0.12
  o.force_model = true;
  o.model_prefix = g.prefix;  // 0: all (as every file before 0.14)
  o.layout = g.layout;
  o.raw_image = g.raw_image;
  return o;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
  return buf;
}

// The model-coded and mixed segments of a one-frame .mbz, in frame order.
std::vector<CodedSegment> coded_segments(const std::vector<uint8_t>& file) {
  FrameHeader h;
  size_t pos = parse_header(file.data(), file.size(), h, "");
  std::vector<CodedSegment> segs;
  for (;;) {
    BlockHeader b;
    const size_t n = parse_block_header(file.data() + pos, file.size() - pos, b, h.segment_size, "");
    if (n == 0) throw Error(ErrorCode::truncated, "golden file is truncated");
    pos += n;
    if (n == 1) return segs;  // the end marker
    if (b.method == Method::model || is_mixed(b.method))
      segs.push_back({b.method, file.data() + pos, b.coded_len, b.raw_len});
    pos += b.coded_len;
  }
}

std::vector<uint16_t> concatenated(const std::vector<mix::ProbabilityTrace>& traces) {
  std::vector<uint16_t> all;
  for (const mix::ProbabilityTrace& t : traces) all.insert(all.end(), t.p.begin(), t.p.end());
  return all;
}

// The probabilities the decoder decides with, over the whole file.
std::vector<uint16_t> decoding_trace(const std::vector<CodedSegment>& segs, const Engine* engine) {
  std::vector<std::vector<uint8_t>> raw;
  std::vector<mix::ProbabilityTrace> traces;
  if (engine)
    model_decode(*engine, segs, raw, 1, {}, &traces);
  else
    mixer_decode(segs, raw, 1, {}, &traces);
  return concatenated(traces);
}

// The probabilities the encoder decides with: the compressor's path (the
// adapter's payload and mixing plan, else the bytes) through the segment coder.
std::vector<uint16_t> encoding_trace(const std::vector<uint8_t>& original, const Options& o, const Engine* engine) {
  codecs::Flattened flat;
  MixPlan plan;
  plan.byte_profile = static_cast<uint8_t>(o.byte_profile);
  plan.image_profile = static_cast<uint8_t>(o.image_profile);
  plan.audio_profile = static_cast<uint8_t>(o.audio_profile);
  plan.model_prefix = o.model_prefix;
  const uint8_t* payload = original.data();
  size_t size = original.size();
  if (codecs::flatten(original.data(), original.size(), codecs::adapter_options(o), flat, nullptr)) {
    payload = flat.payload.data();
    size = flat.payload.size();
    plan = MixPlan{flat.shape, 0, static_cast<uint8_t>(o.byte_profile), static_cast<uint8_t>(o.image_profile),
                   static_cast<uint8_t>(o.audio_profile)};
  }
  std::vector<mix::ProbabilityTrace> traces;
  encode_segments(engine, split_segments(payload, size, o.segment_size), 1, &plan, o.force_model, {}, &traces);
  return concatenated(traces);
}

// Where two traces of a file's segments part, for the message: the first
// decision that differs, as a segment, a byte in it and a bit (MSB first).
std::string first_difference(const std::vector<uint16_t>& a, const std::vector<uint16_t>& b,
                             const std::vector<CodedSegment>& segs) {
  size_t k = 0;
  while (k < a.size() && k < b.size() && a[k] == b[k]) ++k;
  if (k == a.size() && k == b.size()) return "no decision";
  size_t seg = 0, byte = k / 8;
  for (; seg < segs.size(); ++seg) {  // model-coded segments leave no trace
    const size_t bytes = is_mixed(segs[seg].method) ? segs[seg].raw_len : 0;
    if (byte < bytes) break;
    byte -= bytes;
  }
  const auto at = [k](const std::vector<uint16_t>& t) { return k < t.size() ? std::to_string(t[k]) : "(ended)"; };
  return "decision " + std::to_string(k) + " (segment " + std::to_string(seg) + ", byte " + std::to_string(byte) +
         ", bit " + std::to_string(k % 8) + "): p = " + at(a) + " vs " + at(b) + " of 4096";
}

class GoldenMixedFile : public ::testing::TestWithParam<GoldenMixed> {};
class GoldenMixedEncoder : public ::testing::TestWithParam<GoldenMixed> {};

// The file is the variant the table says: every coded segment mixed, with
// that profile, value format and shape (a row that says otherwise would
// leave the variant it names untested).
TEST_P(GoldenMixedFile, IsTheVariantItNames) {
  const GoldenMixed& g = GetParam();
  const auto file = test::read_file(golden(g.mbz));
  ASSERT_FALSE(file.empty()) << g.mbz;
  const std::vector<CodedSegment> segs = coded_segments(file);
  ASSERT_GE(segs.size(), 2u) << g.mbz;
  const size_t header = mix::is_byte_profile(g.profile) ? 1 : g.profile == 2 ? 13 : 14;  // 1, 5, 7, 10: bytes, no shape; 3, 4, 6: a value format
  for (size_t i = 0; i < segs.size(); ++i) {
    const CodedSegment& s = segs[i];
    ASSERT_EQ(s.method, g.prefix ? Method::mixed_prefix : Method::mixed) << g.mbz << " segment " << i;
    const size_t at = g.prefix ? kModelPrefixBytes : 0;  // the mixed data, after a model prefix
    ASSERT_GE(s.coded_len, at + header) << g.mbz << " segment " << i;
    if (g.prefix) EXPECT_EQ(load_u32le(s.coded), g.prefix) << g.mbz << " segment " << i;
    const uint8_t* mixed = s.coded + at;
    EXPECT_EQ(mixed[0], g.profile) << g.mbz << " segment " << i;
    if (header == 14) EXPECT_EQ(mixed[13], g.value_format) << g.mbz << " segment " << i;
    if (header > 1) {
      EXPECT_EQ(load_u32le(mixed + 1), g.stride) << g.mbz << " segment " << i;
      EXPECT_EQ(load_u32le(mixed + 5), g.row) << g.mbz << " segment " << i;
    }
  }
}

TEST_P(GoldenMixedFile, DecodesWithThePinnedTrace) {
  const GoldenMixed& g = GetParam();
  const auto file = test::read_file(golden(g.mbz));
  ASSERT_FALSE(file.empty()) << g.mbz;
  EXPECT_EQ(decompress(file.data(), file.size(), test::only(model_of(g)), Options{}), test::read_file(golden(g.original)))
      << g.mbz;
  const std::vector<uint16_t> trace = decoding_trace(coded_segments(file), engine_of(g));
  EXPECT_EQ(hex(mix::trace_hash(trace)), hex(g.trace)) << g.mbz << ": the decoder's probabilities changed ("
                                                       << trace.size() << " decisions)";
}

// Not a format requirement (decoding is), but the encoder must decide with
// the decoder's probabilities, and a change of its bytes is a change of the
// mixer that old files could not survive.
TEST_P(GoldenMixedEncoder, ReencodesWithTheSameTrace) {
  const GoldenMixed& g = GetParam();
  const auto file = test::read_file(golden(g.mbz));
  const auto original = test::read_file(golden(g.original));
  ASSERT_FALSE(file.empty()) << g.mbz;
  const Options o = options_of(g);
  const uint16_t features = profile_feature(g.profile) | (g.prefix ? kFeatureModelPrefix : 0);
  test::expect_same_frame(compress(original.data(), original.size(), *model_of(g), o), file, features, g.mbz);
  const std::vector<CodedSegment> segs = coded_segments(file);
  const std::vector<uint16_t> decoded = decoding_trace(segs, engine_of(g));
  const std::vector<uint16_t> encoded = encoding_trace(original, o, engine_of(g));
  EXPECT_EQ(encoded.size(), decoded.size()) << g.mbz;
  EXPECT_TRUE(encoded == decoded) << g.mbz << ": encoder and decoder part at " << first_difference(encoded, decoded, segs);
  EXPECT_EQ(hex(mix::trace_hash(encoded)), hex(g.trace)) << g.mbz;
}

std::string name_of(const ::testing::TestParamInfo<GoldenMixed>& info) { return info.param.name; }

std::vector<GoldenMixed> still_written() {
  std::vector<GoldenMixed> v;
  for (const GoldenMixed& g : kGoldenMixed)
    if (g.writes) v.push_back(g);
  return v;
}

INSTANTIATE_TEST_SUITE_P(GoldenVariants, GoldenMixedFile, ::testing::ValuesIn(kGoldenMixed), name_of);
INSTANTIATE_TEST_SUITE_P(GoldenVariants, GoldenMixedEncoder, ::testing::ValuesIn(still_written()), name_of);

}  // namespace
}  // namespace mbz
