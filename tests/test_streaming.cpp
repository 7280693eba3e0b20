// Streaming Compressor/Decompressor: any way of cutting the input gives the
// one-shot bytes; output appears as segments complete; misuse is an error;
// the frame header leaves first and a decompressor prepares while it waits;
// a compressor told the input's size declares it in the header.
#include <gtest/gtest.h>

#include <sstream>

#include "container/format.hpp"
#include "mix/mixed_coding.hpp"
#include "api/stream_io.hpp"
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

// A group (coded or decoded at once) has a segment for every thread where
// segments are long, and never more than 128 MiB of them, whatever -T and
// a header's segment size say.
TEST(Streaming, GroupsKeepEveryThreadBusyWithinBoundedMemory) {
  constexpr uint32_t MiB = 1u << 20;
  EXPECT_EQ(group_segments(1 * MiB, 2), 4u);
  EXPECT_EQ(group_segments(1 * MiB, 8), 16u);
  EXPECT_EQ(group_segments(8 * MiB, 1), 2u);
  EXPECT_EQ(group_segments(8 * MiB, 2), 2u);
  EXPECT_EQ(group_segments(8 * MiB, 8), 8u);
  EXPECT_EQ(group_segments(8 * MiB, 64), 16u);
  EXPECT_EQ(group_segments(16 * MiB, 1024), 8u);
  for (uint32_t seg : {1024u, 64u << 10, 1 * MiB, 3 * MiB, 8 * MiB, 16 * MiB})
    for (int threads : {1, 2, 3, 8, 33, 1024}) {
      const size_t g = group_segments(seg, threads);
      EXPECT_GE(g, 1u);
      EXPECT_LE(g * seg, size_t{128} * MiB) << seg << " bytes, -T " << threads;
      EXPECT_GE(g, std::min<size_t>(static_cast<size_t>(threads), (size_t{128} * MiB) / seg)) << seg << ", -T " << threads;
    }
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

// Profile 5 text (the default; a decompressor sets up its unit ahead for
// byte profile 5 only), n bytes of the GPL.
std::vector<uint8_t> gpl_prefix(size_t n) {
  auto t = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  t.resize(n);
  return t;
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

TEST(Streaming, PreparingDecompressorGivesTheSameBytes) {
  const auto model = test::golden_model();
  // A segment the decompressor's guess fits (with the model), one it does not (the mixer alone).
  for (const auto& [n, with_model] : {std::pair{size_t{3000}, true}, std::pair{size_t{33000}, false}}) {
    {
      SCOPED_TRACE(std::to_string(n) + (with_model ? " bytes, model" : " bytes, no model"));
      const auto data = gpl_prefix(n);
      Options o;
      o.byte_profile = mix::kProfileText5;
      o.segment_size = 64 << 10;
      const auto z = compress(data.data(), data.size(), with_model ? *model : *Model::none(), o);
      {
        std::istringstream zs(std::string(z.begin(), z.end()));
        ASSERT_EQ(inspect_stream(zs).segments_mixed, 1u);  // one mixed segment
      }
      // Cut after the frame header (the compressor's first write), inside
      // the first block header, and inside the first segment; the segment
      // the guess does not fit, after the header only.
      std::vector<uint8_t> first_write;
      {
        Compressor c(with_model ? *model : *Model::none(), o);
        c.write(data.data(), data.size(), first_write);
      }
      ASSERT_GT(first_write.size(), 0u);
      std::vector<size_t> cuts{first_write.size()};
      if (with_model) cuts.insert(cuts.end(), {first_write.size() + 5, first_write.size() + kBlockHeaderSize + 40});
      for (const size_t cut : cuts) {
        SCOPED_TRACE("first piece " + std::to_string(cut));
        EXPECT_EQ(decompress_prepared(z, cut, test::only(model)), data);
      }
    }
  }
}

TEST(Streaming, AModelNotFoundIsReportedAsWithoutPreparing) {
  const auto data = gpl_prefix(5000);
  Options o;
  o.byte_profile = mix::kProfileText5;
  const auto z = compress(data.data(), data.size(), *test::golden_model(), o);
  int searches = 0;  // a search can be slow (a fallback resolver hashes every model it finds): once is enough
  const ModelResolver none = [&searches](const std::string& name, const std::string&) -> std::shared_ptr<const Model> {
    ++searches;
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
  EXPECT_EQ(searches, 1);
}

// The frame header leaves the compressor before the coding: the stream is
// flushed with the header alone in it, so a reader at the other end of a
// pipe starts on it.
TEST(Streaming, CompressStreamPassesTheHeaderOnFirst) {
  struct Recorder : std::stringbuf {
    std::vector<size_t> flushed;  // the bytes written at each flush
    int sync() override {
      flushed.push_back(str().size());
      return 0;
    }
  };
  const auto data = gpl_prefix(5000);
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

// Options::size_hint: a short input's frame declares segment_size as its
// length rounded up to a power of two (at least 1 KiB), and is otherwise
// the frame that segment_size gives without the hint, byte for byte (it sets
// up the first segment's mixer unit ahead, which is taken only where it
// fits). A hint the first write already exceeds is ignored; one that a
// stream written in pieces outgrows later cuts it into more segments. An
// input of a segment or more, no hint, or one call of compress(): the
// frame it was.
TEST(Streaming, ASizeHintDeclaresTheSegmentSize) {
  const auto model = test::golden_model();
  const auto data = gpl_prefix(3000);
  auto frame = [&](uint64_t hint, uint32_t segment_size, size_t piece) {
    Options o;
    o.byte_profile = mix::kProfileText12;
    o.segment_size = segment_size;
    o.size_hint = hint;
    return compress_in_pieces(data, piece, o);
  };
  auto segment_size_of = [](const std::vector<uint8_t>& z) {
    FrameHeader h;
    parse_header(z.data(), z.size(), h, "");
    return h.segment_size;
  };
  const auto plain = frame(0, 64 << 10, data.size());
  EXPECT_EQ(segment_size_of(plain), 64u << 10);
  struct Case {
    uint64_t hint;
    size_t piece;
    uint32_t declared;  // 0: as without the hint
  };
  for (const Case& k : {Case{3000, 3000, 4096}, Case{5000, 3000, 8192}, Case{100, 100, 1024}, Case{2000, 64, 2048},
                        Case{2000, 3000, 0}, Case{100, 3000, 0}, Case{64 << 10, 3000, 0}, Case{1 << 20, 3000, 0}}) {
    SCOPED_TRACE("hint " + std::to_string(k.hint) + ", pieces of " + std::to_string(k.piece));
    const auto z = frame(k.hint, 64 << 10, k.piece);
    if (k.declared == 0) {
      EXPECT_EQ(z, plain);
      continue;
    }
    EXPECT_EQ(segment_size_of(z), k.declared);
    EXPECT_EQ(z, frame(0, k.declared, k.piece));
    EXPECT_EQ(decompress(z.data(), z.size(), test::only(model), Options{}), data);
  }
  Options o;
  o.byte_profile = mix::kProfileText12;
  o.segment_size = 64 << 10;
  o.size_hint = 3000;
  EXPECT_EQ(compress(data.data(), data.size(), *model, o), plain);  // one call: no hint
}

}  // namespace
}  // namespace mbz
