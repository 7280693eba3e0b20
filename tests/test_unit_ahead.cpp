// A mixer unit set up before its segment arrives (mix::UnitAhead) codes the
// segment exactly as the segment's own unit would, is taken only where it
// starts alike, and a decompressor that prepares while it waits gives the
// same bytes (and the same errors) as one that does not.
#include <gtest/gtest.h>

#include <sstream>

#include "container/format.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/profile_units.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

std::vector<uint8_t> gpl(size_t n) {
  auto text = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  while (text.size() < n) text.insert(text.end(), text.begin(), text.end());
  text.resize(n);
  return text;
}

// Decodes a mixed segment without a model, recording every decision's P(1).
std::vector<uint8_t> decode(const std::vector<uint8_t>& coded, size_t n, mix::ProbabilityTrace& trace,
                            mix::UnitAhead* ahead) {
  mix::MixedDecoder dec(coded.data(), coded.size(), n, &trace, ahead);
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = dec.decode(nullptr);
  return out;
}

TEST(UnitAhead, SameStartIsTheTableSizes) {
  using mix::same_start;
  // Profile 5: every segment up to 32 KiB has the smallest nibble table
  // (4 MiB) and match table (2^16); 32 KiB + 1 needs a larger match table.
  EXPECT_TRUE(same_start(mix::kProfileText5, 1, 32768));
  EXPECT_TRUE(same_start(mix::kProfileText5, 10000, 20000));
  EXPECT_FALSE(same_start(mix::kProfileText5, 32768, 32769));
  EXPECT_FALSE(same_start(mix::kProfileText5, 10000, size_t{1} << 20));
  EXPECT_TRUE(same_start(mix::kProfileText5, (size_t{1} << 20) - 5, size_t{1} << 20));  // both 2^26 and 2^20
  // Other profiles: only the same length.
  EXPECT_TRUE(same_start(mix::kProfileGeneral, 5000, 5000));
  EXPECT_FALSE(same_start(mix::kProfileGeneral, 5000, 5001));
}

TEST(UnitAhead, DecodesAsTheSegmentsOwnUnit) {
  const size_t n = 10000;
  const auto data = gpl(n);
  const auto coded = mix::mixed_encode(data.data(), n, nullptr, mix::kProfileText5, mix::SampleShape{}, nullptr);
  mix::ProbabilityTrace own;
  ASSERT_EQ(decode(coded, n, own, nullptr), data);
  // Set up for another length of the same sizes (as a decoder guesses), and
  // for this length: taken, and every decision's probability the same.
  for (const size_t guess : {size_t{32768}, n, size_t{1}}) {
    SCOPED_TRACE("set up for " + std::to_string(guess));
    mix::UnitAhead ahead(mix::kProfileText5, guess);
    mix::ProbabilityTrace trace;
    EXPECT_EQ(decode(coded, n, trace, &ahead), data);
    EXPECT_FALSE(ahead.held());
    EXPECT_EQ(trace.p, own.p);
  }
}

TEST(UnitAhead, IsLeftWhereItWouldStartOtherwise) {
  const size_t n = 3000;
  const auto data = gpl(n);
  const auto coded5 = mix::mixed_encode(data.data(), n, nullptr, mix::kProfileText5, mix::SampleShape{}, nullptr);
  const auto coded1 = mix::mixed_encode(data.data(), n, nullptr, mix::kProfileGeneral, mix::SampleShape{}, nullptr);
  mix::ProbabilityTrace t;
  {  // set up for a segment of other table sizes
    mix::UnitAhead ahead(mix::kProfileText5, 40000);
    EXPECT_EQ(decode(coded5, n, t, &ahead), data);
    EXPECT_TRUE(ahead.held());
  }
  {  // for another profile
    mix::UnitAhead ahead(mix::kProfileGeneral, n);
    EXPECT_EQ(decode(coded5, n, t, &ahead), data);
    EXPECT_TRUE(ahead.held());
  }
  {  // profile 1: the same length only
    mix::UnitAhead other(mix::kProfileGeneral, n + 1), same(mix::kProfileGeneral, n);
    EXPECT_EQ(decode(coded1, n, t, &other), data);
    EXPECT_TRUE(other.held());
    EXPECT_EQ(decode(coded1, n, t, &same), data);
    EXPECT_FALSE(same.held());
  }
  // Only byte profiles are set up ahead.
  try {
    mix::UnitAhead numeric(mix::kProfileNumeric, n);
    FAIL() << "a numeric profile's unit was set up ahead";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
  }
}

// A stream that hands out what a pipe would: the bytes written so far, and
// nothing ready (in_avail 0) between the pieces, where the decompressor is
// asked to prepare.
std::vector<uint8_t> decompress_prepared(const std::vector<uint8_t>& z, size_t first_piece, const ModelResolver& resolve) {
  Decompressor d(resolve, Options{});
  std::vector<uint8_t> out;
  d.prepare();  // before any input: nothing to do
  d.write(z.data(), first_piece, out);
  d.prepare();
  d.prepare();  // twice: once is enough
  d.write(z.data() + first_piece, z.size() - first_piece, out);
  d.finish(out);
  return out;
}

TEST(UnitAhead, PreparingDecompressorGivesTheSameBytes) {
  const auto model = test::golden_model();
  // A segment the decompressor's guess fits (with the model), one it does not (the mixer alone).
  for (const auto& [n, with_model] : {std::pair{size_t{6000}, true}, std::pair{size_t{40000}, false}}) {
    {
      SCOPED_TRACE(std::to_string(n) + (with_model ? " bytes, model" : " bytes, no model"));
      const auto data = gpl(n);
      Options o;
      o.byte_profile = mix::kProfileText5;
      o.segment_size = 64 << 10;
      const auto z = compress(data.data(), data.size(), with_model ? *model : *Model::none(), o);
      {
        std::istringstream zs(std::string(z.begin(), z.end()));
        ASSERT_EQ(inspect_stream(zs).segments_mixed, 1u);  // one mixed segment
      }
      // Cut after the frame header (the compressor's first write), inside
      // the first block header, and inside the first segment.
      std::vector<uint8_t> first_write;
      {
        Compressor c(with_model ? *model : *Model::none(), o);
        c.write(data.data(), data.size(), first_write);
      }
      ASSERT_GT(first_write.size(), 0u);
      for (const size_t cut : {first_write.size(), first_write.size() + 5, first_write.size() + kBlockHeaderSize + 40}) {
        SCOPED_TRACE("first piece " + std::to_string(cut));
        EXPECT_EQ(decompress_prepared(z, cut, test::only(model)), data);
      }
    }
  }
}

TEST(UnitAhead, AModelNotFoundIsReportedAsWithoutPreparing) {
  const auto data = gpl(5000);
  Options o;
  o.byte_profile = mix::kProfileText5;
  const auto z = compress(data.data(), data.size(), *test::golden_model(), o);
  const ModelResolver none = [](const std::string& name, const std::string&) -> std::shared_ptr<const Model> {
    throw Error(ErrorCode::unknown_model, "no model " + name);
  };
  std::vector<uint8_t> first_write;
  {
    Compressor c(*test::golden_model(), o);
    c.write(data.data(), data.size(), first_write);
  }
  Decompressor d(none, Options{});
  std::vector<uint8_t> out;
  d.write(z.data(), first_write.size(), out);
  EXPECT_NO_THROW(d.prepare());
  try {
    d.write(z.data() + first_write.size(), z.size() - first_write.size(), out);
    d.finish(out);
    FAIL() << "decoded without its model";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::unknown_model);
  }
}

// The frame header leaves the compressor before the coding: the stream is
// flushed with the header alone in it, so a reader at the other end of a
// pipe starts on it.
TEST(UnitAhead, CompressStreamPassesTheHeaderOnFirst) {
  struct Recorder : std::stringbuf {
    std::vector<size_t> flushed;  // the bytes written at each flush
    int sync() override {
      flushed.push_back(str().size());
      return 0;
    }
  };
  const auto data = gpl(5000);
  Options o;
  o.byte_profile = mix::kProfileText5;
  std::istringstream in(std::string(data.begin(), data.end()));
  Recorder rec;
  std::ostream out(&rec);
  compress_stream(in, out, *test::golden_model(), o);
  std::vector<uint8_t> first_write;
  {
    Compressor c(*test::golden_model(), o);
    c.write(data.data(), data.size(), first_write);
  }
  ASSERT_GE(rec.flushed.size(), 2u);
  EXPECT_EQ(rec.flushed[0], first_write.size());
  FrameHeader h;
  EXPECT_EQ(parse_header(first_write.data(), first_write.size(), h, ""), first_write.size());  // the header alone
  const std::string all = rec.str();
  EXPECT_EQ(decompress(reinterpret_cast<const uint8_t*>(all.data()), all.size(), test::only(test::golden_model()), Options{}),
            data);
}

}  // namespace
}  // namespace mbz
