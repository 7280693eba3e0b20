// Streaming Compressor/Decompressor: any way of cutting the input gives the
// one-shot bytes; output appears as segments complete; misuse is an error.
#include <gtest/gtest.h>

#include "test_util.hpp"

namespace mbz {
namespace {

// Byte profile 1: how a stream is cut and buffered does not depend on the
// profile, and profile 5 sets up ~30 MB of tables for each 1 KB segment
// here, which made this file the slowest of the suite under ThreadSanitizer.
Options opts(bool force_model) {
  Options o;
  o.segment_size = 1024;
  o.force_model = force_model;
  o.byte_profile = 1;
  return o;
}

std::vector<uint8_t> input() {
  auto text = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  text.resize(6000);
  const auto rnd = test::seeded_bytes(3000, 8);
  text.insert(text.end(), rnd.begin(), rnd.end());
  return text;  // model/zstd and stored segments, last one short
}

std::vector<uint8_t> compress_in_pieces(const std::vector<uint8_t>& d, size_t piece, const Options& o) {
  Compressor c(*test::golden_model(), o);
  std::vector<uint8_t> out;
  for (size_t off = 0; off < d.size(); off += piece) c.write(d.data() + off, std::min(piece, d.size() - off), out);
  c.finish(out);
  return out;
}

std::vector<uint8_t> decompress_in_pieces(const std::vector<uint8_t>& z, size_t piece) {
  Decompressor dec(test::only(test::golden_model()), Options{});
  std::vector<uint8_t> out;
  for (size_t off = 0; off < z.size(); off += piece) dec.write(z.data() + off, std::min(piece, z.size() - off), out);
  dec.finish(out);
  return out;
}

TEST(Streaming, PiecesOfAnySizeEqualOneShot) {
  const auto d = input();
  for (bool force : {true, false}) {
    // compress() is one write and finish: the one-shot bytes, and the piece
    // of 1 MiB for compression (the input is 9 KB).
    const auto one_shot = compress(d.data(), d.size(), *test::golden_model(), opts(force));
    for (size_t piece : {size_t{1}, size_t{7}, size_t{1} << 20}) {
      if (piece < d.size())
        ASSERT_EQ(compress_in_pieces(d, piece, opts(force)), one_shot) << "compress, pieces of " << piece;
      ASSERT_EQ(decompress_in_pieces(one_shot, piece), d) << "decompress, pieces of " << piece;
    }
  }
}

TEST(Streaming, OutputAppearsBeforeTheEnd) {
  // Bounded memory: once a group of segments is complete, its bytes come out.
  // Four groups of four 1 KB segments (group_segments in api/stream_io.hpp).
  const auto d = test::seeded_bytes(16 * 1024, 3);
  Compressor c(*test::golden_model(), opts(false));
  std::vector<uint8_t> out;
  c.write(d.data(), d.size(), out);
  EXPECT_GT(out.size(), d.size() / 2);
  c.finish(out);
  Decompressor dec(test::only(test::golden_model()), Options{});
  std::vector<uint8_t> back;
  dec.write(out.data(), out.size() - 30, back);  // everything but the end of the frame
  EXPECT_GT(back.size(), d.size() / 2);
}

TEST(Streaming, FinishOnAnUnfinishedFrameIsTruncated) {
  const auto d = input();
  const auto z = compress(d.data(), d.size(), *test::golden_model(), opts(false));
  Decompressor dec(test::only(test::golden_model()), Options{});
  std::vector<uint8_t> out;
  dec.write(z.data(), z.size() / 2, out);
  try {
    dec.finish(out);
    FAIL() << "finished half a frame";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::truncated);
  }
}

TEST(Streaming, EmptyInputIsNotAnMbzFile) {
  Decompressor dec(test::only(test::golden_model()), Options{});
  std::vector<uint8_t> out;
  try {
    dec.finish(out);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::not_mbz);
  }
}

TEST(Evaluate, EqualsTheIdealLengthTheCoderWasGiven) {
  const auto d = input();
  Compressor c(*test::golden_model(), opts(true));
  std::vector<uint8_t> out;
  c.write(d.data(), d.size(), out);
  c.finish(out);
  const double bits = evaluate(d.data(), d.size(), *test::golden_model(), opts(true));
  EXPECT_NEAR(bits, c.stats().model_ideal_bits, bits * 1e-9);  // same terms, summed in another order
  // And the real coder stays within 1% of it.
  EXPECT_LT(8.0 * static_cast<double>(c.stats().model_coded_bytes), bits * 1.01);
}

TEST(Streaming, WriteAfterFinishIsAnError) {
  Compressor c(*test::golden_model(), opts(false));
  std::vector<uint8_t> out;
  c.finish(out);
  const uint8_t b = 1;
  EXPECT_THROW(c.write(&b, 1, out), Error);
}

}  // namespace
}  // namespace mbz
