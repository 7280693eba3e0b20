// Damaged input gets a named error, never a crash or wrong output:
// truncation at every length, bit flips, wrong or missing model, bad models.
#include <gtest/gtest.h>

#include "container/format.hpp"
#include "container/segment_decoder.hpp"
#include "same_frame.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

std::vector<uint8_t> packed_text(bool force_model) {
  const auto text = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  const std::vector<uint8_t> d(text.begin(), text.begin() + 2500);
  Options o;
  o.segment_size = 1024;
  o.force_model = force_model;
  return compress(d.data(), d.size(), *test::golden_model(), o);
}

ErrorCode decode_error(const std::vector<uint8_t>& packed, const ModelResolver& r) {
  try {
    decompress(packed.data(), packed.size(), r, Options{});
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::ok;
}

TEST(BadInput, EveryTruncationIsAnError) {
  const auto packed = packed_text(true);
  const auto r = test::only(test::golden_model());
  for (size_t n = 0; n < packed.size(); n += (n < 80 ? 1 : 37)) {
    std::vector<uint8_t> cut(packed.begin(), packed.begin() + n);
    const ErrorCode c = decode_error(cut, r);
    ASSERT_TRUE(c == ErrorCode::truncated || c == ErrorCode::not_mbz) << "cut at " << n << ": " << error_code_name(c);
  }
}

TEST(BadInput, BitFlipsAreDetected) {
  const auto packed = packed_text(true);
  const auto r = test::only(test::golden_model());
  const auto original = decompress(packed.data(), packed.size(), r, Options{});
  for (size_t i = 0; i < packed.size(); i += (i < 120 ? 7 : 97)) {  // every header field, then a sample of data
    auto bad = packed;
    bad[i] ^= 0x10;
    const ErrorCode c = decode_error(bad, r);
    ASSERT_NE(c, ErrorCode::internal) << "flip at byte " << i;
    // A flip in the range coder's final flush bytes may not change the decoded
    // data; then the output is correct and must be exactly the original.
    if (c == ErrorCode::ok) ASSERT_EQ(decompress(bad.data(), bad.size(), r, Options{}), original) << "flip at " << i;
  }
}

TEST(BadInput, NotAnMbzFile) {
  const auto text = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  EXPECT_EQ(decode_error(text, test::only(test::golden_model())), ErrorCode::not_mbz);
}

TEST(BadInput, NewerFormatVersionIsRefused) {
  auto packed = packed_text(false);
  packed[8] = 99;  // version field
  EXPECT_EQ(decode_error(packed, test::only(test::golden_model())), ErrorCode::unsupported_version);
}

using test::with_header;

std::string decode_message(const std::vector<uint8_t>& packed) {
  try {
    decompress(packed.data(), packed.size(), test::only(test::golden_model()), Options{});
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Format version 2: a frame needing a feature this build lacks is refused at
// its header, naming the feature, before any segment is read.
TEST(BadInput, UnknownRequiredFeatureIsRefusedAtTheHeader) {
  const auto packed = packed_text(true);
  FrameHeader h;
  parse_header(packed.data(), packed.size(), h, "");
  ASSERT_EQ(h.version, 2);
  ASSERT_EQ(h.features, profile_feature(12));
  // Every profile bit (1..14) is known since 0.21: a frame from a later mbz
  // sets the reserved bit, 15.
  const auto bit15 = with_header(packed, [](FrameHeader& x) { x.features |= 1u << 15; });
  EXPECT_EQ(decode_error(bit15, test::only(test::golden_model())), ErrorCode::unsupported_version);
  EXPECT_NE(decode_message(bit15).find("needs feature bit 15,"), std::string::npos) << decode_message(bit15);
  // The header alone is enough to refuse it.
  const size_t header_size = parse_header(packed.data(), packed.size(), h, "");  // the same length
  Decompressor d(test::only(test::golden_model()), Options{});
  std::vector<uint8_t> out;
  try {
    d.write(bit15.data(), header_size, out);
    FAIL() << "a header needing feature bit 15 was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::unsupported_version);
  }
}

// A mixed segment of a profile its header does not declare is damage; a
// version-1 header declares nothing, so its frames decode as before.
TEST(BadInput, UndeclaredProfileIsCorrupt) {
  const auto packed = packed_text(true);
  const auto r = test::only(test::golden_model());
  const auto original = decompress(packed.data(), packed.size(), r, Options{});
  const auto p2 = with_header(packed, [](FrameHeader& x) { x.features = profile_feature(2); });
  EXPECT_EQ(decode_error(p2, r), ErrorCode::corrupt);
  EXPECT_NE(decode_message(p2).find("does not declare"), std::string::npos) << decode_message(p2);
  const auto v1 = with_header(packed, [](FrameHeader& x) { x.version = 1, x.features = 0; });
  EXPECT_EQ(decompress(v1.data(), v1.size(), r, Options{}), original);
  const auto v1_flags = with_header(packed, [](FrameHeader& x) { x.version = 1; });
  EXPECT_EQ(decode_error(v1_flags, r), ErrorCode::corrupt);  // version 1's field is reserved
  const auto none = with_header(packed, [](FrameHeader& x) { x.features = 0; });
  EXPECT_EQ(decode_error(none, r), ErrorCode::corrupt);
}

TEST(BadInput, WrongModelIsAClearError) {
  const auto packed = packed_text(true);
  auto other = Model::load(test::data_path("tests/golden/tiny-golden-v1.mbzm"));
  // A resolver that finds nothing with that hash: unknown_model naming the SHA-256.
  ModelResolver none = [](const std::string& name, const std::string& sha) -> std::shared_ptr<const Model> {
    throw Error(ErrorCode::unknown_model, "unknown model '" + name + "' (sha256 " + sha + ")");
  };
  try {
    decompress(packed.data(), packed.size(), none, Options{});
    FAIL() << "decoded without its model";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::unknown_model);
    EXPECT_NE(std::string(e.what()).find(other->sha256_hex()), std::string::npos) << e.what();
  }
}

// The decoder sets up a frame's mixed segments while its model loads
// (model_decode with a loader): a missing model is still the error reported
// when a segment is damaged too, and with the model the damage is.
TEST(BadInput, AMissingModelIsReportedBeforeADamagedSegment) {
  const std::vector<uint8_t> junk{0xEE, 1, 2, 3};  // no such mixer profile
  const std::vector<CodedSegment> segs{{Method::mixed, junk.data(), junk.size(), 100}};
  std::vector<std::vector<uint8_t>> out;
  auto code_of = [&](const std::function<const Engine&()>& load) {
    try {
      model_decode(load, segs, out, 2);
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::ok;
  };
  EXPECT_EQ(code_of([]() -> const Engine& { throw Error(ErrorCode::unknown_model, "no model here"); }), ErrorCode::unknown_model);
  const Engine& engine = test::golden_model()->impl().engine("cpu");
  EXPECT_EQ(code_of([&]() -> const Engine& { return engine; }), ErrorCode::unsupported_version);
}

TEST(BadInput, ZstdOnlyFramesNeedNoModel) {
  // 5000 'a's: zstd's segment is smaller than profile 5's mixed one (profile
  // 7's long match codes the run in fewer bytes than zstd, so its frame
  // would need the model).
  const auto d = std::vector<uint8_t>(5000, 'a');
  Options o;
  o.byte_profile = 5;
  const auto packed = compress(d.data(), d.size(), *test::golden_model(), o);
  FrameHeader h;
  const size_t first = parse_header(packed.data(), packed.size(), h, "");
  ASSERT_EQ(packed[first], static_cast<uint8_t>(Method::zstd)) << "the frame's one segment is zstd";
  ModelResolver none = [](const std::string&, const std::string&) -> std::shared_ptr<const Model> {
    throw Error(ErrorCode::unknown_model, "no models here");
  };
  EXPECT_EQ(decompress(packed.data(), packed.size(), none, o), d);
}

TEST(BadInput, DamagedModelFilesAreRejected) {
  const auto image = test::read_file(test::data_path("tests/golden/tiny-golden-v1.mbzm"));
  for (size_t n : {size_t{0}, size_t{7}, size_t{40}, image.size() / 2, image.size() - 1}) {
    std::vector<uint8_t> cut(image.begin(), image.begin() + n);
    EXPECT_THROW(ModelFile::parse(cut, "cut"), Error) << n;
  }
  auto flipped = image;
  flipped[image.size() / 3] ^= 1;
  try {
    ModelFile::parse(flipped, "flipped");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_model);
  }
}

TEST(BadInput, ModelBoundsAreEnforced) {
  // A structurally valid file whose residual-stream values leave their range
  // must be refused: the exactness argument depends on it.
  const auto m = test::golden_model();
  std::map<std::string, IntTensor> t = m->impl().file->copy_tensors();
  t["g.emb"].data[5] = 40000;
  const auto image = ModelFile::serialize("bad", m->impl().file->config(), t);
  try {
    ModelFile::parse(image, "bad");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_model);
  }
}

}  // namespace
}  // namespace mbz
