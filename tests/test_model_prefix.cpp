// The model prefix (block method 4, mbz 0.14.0; docs/FORMAT.md "Mixed
// segments with a model prefix"): a segment whose first bytes are coded with
// the model's input and the rest by the mixer alone. Its golden file and
// pinned trace are in test_golden_variants.cpp (p7_tiny_bytes_prefix).
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "common/hashes.hpp"
#include "container/format.hpp"
#include "container/segment_encoder.hpp"
#include "container/segmenter.hpp"
#include "same_frame.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

std::vector<uint8_t> text(size_t n) {
  const auto all = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  return std::vector<uint8_t>(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(n, all.size())));
}

Options prefix_options(uint32_t segment, uint32_t prefix) {
  Options o;
  o.segment_size = segment;
  o.model_prefix = prefix;
  o.force_model = true;  // every segment mixed, whatever zstd gives
  return o;
}

// A block of a one-frame file: where its header starts, and the header.
struct Block {
  size_t at;
  BlockHeader h;
};

std::vector<Block> blocks(const std::vector<uint8_t>& file) {
  FrameHeader fh;
  size_t pos = parse_header(file.data(), file.size(), fh, "");
  std::vector<Block> out;
  for (;;) {
    BlockHeader b;
    const size_t n = parse_block_header(file.data() + pos, file.size() - pos, b, fh.segment_size, "");
    if (n <= 1) return out;
    out.push_back({pos, b});
    pos += n + b.coded_len;
  }
}

uint16_t features_of(const std::vector<uint8_t>& file) {
  FrameHeader h;
  parse_header(file.data(), file.size(), h, "");
  return h.features;
}

ErrorCode decode_error(const std::vector<uint8_t>& packed) {
  try {
    decompress(packed.data(), packed.size(), test::only(test::golden_model()), Options{});
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::ok;
}

// A segment longer than the prefix is method 4, the others method 3; the
// header declares the prefix exactly when a segment may be longer than it;
// -T 1 and -T 2 write the same bytes, which decode to the input.
TEST(ModelPrefix, RoundTripsAtEveryPrefix) {
  const auto d = text(20000);  // segments of 8192, 8192 and 3616 bytes
  for (uint32_t prefix : {1u, 100u, 3616u, 3617u, 8191u, 8192u, 30000u, 0u}) {
    Options o = prefix_options(8192, prefix);
    o.threads = 2;
    const auto two = compress(d.data(), d.size(), *test::golden_model(), o);
    o.threads = 1;  // the same bytes: the release tree's check (under a sanitizer a second coding checks no memory)
    if (!test::under_sanitizer())
      EXPECT_EQ(compress(d.data(), d.size(), *test::golden_model(), o), two) << "prefix " << prefix;
    Options dec;
    dec.threads = 2;
    EXPECT_EQ(decompress(two.data(), two.size(), test::only(test::golden_model()), dec), d) << "prefix " << prefix;
    const auto bs = blocks(two);
    ASSERT_EQ(bs.size(), 3u);
    for (const Block& b : bs)
      EXPECT_EQ(b.h.method, prefix != 0 && prefix < b.h.raw_len ? Method::mixed_prefix : Method::mixed)
          << "prefix " << prefix << ", segment of " << b.h.raw_len;
    EXPECT_EQ((features_of(two) & kFeatureModelPrefix) != 0, prefix != 0 && prefix < 8192) << "prefix " << prefix;
  }
}

// The prefix's decisions are those of the segment coded with the model
// throughout (which differ from the mixer alone's: the model's input
// counts); the decisions after it differ from them.
TEST(ModelPrefix, ThePrefixDecidesAsTheModelDoes) {
  const auto d = text(6000);
  const std::vector<ByteSpan> segs = split_segments(d.data(), d.size(), 8192);
  const auto traces_with = [&](const Engine* engine, uint32_t prefix, double* bits) {
    MixPlan plan;
    plan.model_prefix = prefix;
    std::vector<mix::ProbabilityTrace> traces;
    const auto enc = encode_segments(engine, segs, 1, &plan, true, {}, &traces);
    *bits = enc[0].ideal_bits;
    return traces[0].p;
  };
  double whole_bits = 0, prefix_bits = 0, alone_bits = 0;
  const auto whole = traces_with(&test::golden_engine(), 0, &whole_bits);
  const auto prefixed = traces_with(&test::golden_engine(), 2000, &prefix_bits);
  const auto alone = traces_with(nullptr, 0, &alone_bits);
  ASSERT_EQ(whole.size(), d.size() * 8);
  ASSERT_EQ(prefixed.size(), d.size() * 8);
  EXPECT_FALSE(std::equal(whole.begin(), whole.begin() + 2000 * 8, alone.begin()));
  EXPECT_TRUE(std::equal(whole.begin(), whole.begin() + 2000 * 8, prefixed.begin()));
  EXPECT_FALSE(std::equal(whole.begin() + 2000 * 8, whole.end(), prefixed.begin() + 2000 * 8));
  EXPECT_NE(prefix_bits, whole_bits);
  EXPECT_NE(prefix_bits, alone_bits);
}

// mbz eval gives the length the coder's decisions have (the ideal bits the
// compressor reports for its mixed segments).
TEST(ModelPrefix, EvaluateIsTheCodersIdealLength) {
  const auto d = text(20000);
  const Options o = prefix_options(8192, 1500);
  Compressor c(*test::golden_model(), o);
  std::vector<uint8_t> out;
  c.write(d.data(), d.size(), out);
  c.finish(out);
  ASSERT_EQ(c.stats().segments_model_prefix, 3u);  // 8192, 8192 and 3616 bytes: all longer than 1500
  ASSERT_EQ(c.stats().segments_mixed, 3u);
  const double bits = evaluate(d.data(), d.size(), *test::golden_model(), o);
  EXPECT_NEAR(bits, c.stats().model_ideal_bits, 1e-4 * bits);
  const FrameInfo info = [&] {
    std::istringstream in(std::string(out.begin(), out.end()));
    return inspect_stream(in);
  }();
  EXPECT_EQ(info.segments_model_prefix, 3u);
  EXPECT_NE(info.required_features.find("the model prefix"), std::string::npos) << info.required_features;
}

// A frame declares the prefix where a segment may be longer than it: not
// without a model, without the mixer, or where its content is known to be
// short (an input shorter than the sniffed bytes, an adapter's payload); a
// stream of unknown length declares it.
TEST(ModelPrefix, TheHeaderDeclaresItWhereASegmentMayNeedIt) {
  const auto d = text(3000);
  Options o;  // the default: 8 MiB segments, a 1 MiB prefix
  EXPECT_TRUE(features_of(compress(d.data(), d.size(), *test::golden_model(), o)) & kFeatureModelPrefix);
  EXPECT_FALSE(features_of(compress(d.data(), 50, *test::golden_model(), o)) & kFeatureModelPrefix);
  EXPECT_FALSE(features_of(compress(d.data(), d.size(), *Model::none(), o)) & kFeatureModelPrefix);
  Options nomix = o;
  nomix.mix = false;
  EXPECT_FALSE(features_of(compress(d.data(), d.size(), *test::golden_model(), nomix)) & kFeatureModelPrefix);
  Options all = o;
  all.model_prefix = 0;
  EXPECT_FALSE(features_of(compress(d.data(), d.size(), *test::golden_model(), all)) & kFeatureModelPrefix);
  const auto wav = test::read_file(test::data_path("tests/golden/speech-0.5s.wav"));
  const auto packed = compress(wav.data(), wav.size(), *test::golden_model(), o);
  EXPECT_FALSE(features_of(packed) & kFeatureModelPrefix);
  EXPECT_EQ(decompress(packed.data(), packed.size(), test::only(test::golden_model()), Options{}), wav);
}

// Damaged prefixes, headers and lengths are `corrupt`, never a crash.
TEST(ModelPrefix, DamagedPrefixesAreCorrupt) {
  const auto d = text(5000);
  const auto good = compress(d.data(), d.size(), *test::golden_model(), prefix_options(4096, 1000));
  const auto bs = blocks(good);
  ASSERT_EQ(bs.size(), 2u);
  ASSERT_EQ(bs[0].h.method, Method::mixed_prefix);
  ASSERT_EQ(decode_error(good), ErrorCode::ok);
  const size_t coded = bs[0].at + kBlockHeaderSize;
  for (uint32_t prefix : {0u, 4096u, 4097u, 0xFFFFFFFFu}) {
    auto bad = good;
    for (int k = 0; k < 4; ++k) bad[coded + static_cast<size_t>(k)] = static_cast<uint8_t>(prefix >> (8 * k));
    EXPECT_EQ(decode_error(bad), ErrorCode::corrupt) << "prefix " << prefix;
  }
  // The header's feature cleared, a version-1 frame, a frame without a model.
  const auto rewritten = [&](auto edit) { return test::with_header(good, edit); };
  EXPECT_EQ(decode_error(rewritten([](FrameHeader& h) { h.features &= static_cast<uint16_t>(~kFeatureModelPrefix); })),
            ErrorCode::corrupt);
  EXPECT_EQ(decode_error(rewritten([](FrameHeader& h) { h.version = 1, h.features = 0; })), ErrorCode::corrupt);
  EXPECT_EQ(decode_error(rewritten([](FrameHeader& h) { h.model_name = "none", h.model_sha = Sha256{}; })),
            ErrorCode::corrupt);
  // Coded data too short for the prefix and a profile byte: 3, then 4 bytes.
  for (uint32_t len : {3u, 4u}) {
    std::vector<uint8_t> bad(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(bs[0].at));
    BlockHeader b = bs[0].h;
    b.coded_len = len;
    const auto bh = encode_block_header(b);
    bad.insert(bad.end(), bh.begin(), bh.end());
    bad.insert(bad.end(), good.begin() + static_cast<std::ptrdiff_t>(coded), good.begin() + static_cast<std::ptrdiff_t>(coded + len));
    bad.push_back(kEndMarker);
    EXPECT_EQ(decode_error(bad), ErrorCode::corrupt) << "coded length " << len;
  }
}

}  // namespace
}  // namespace mbz
