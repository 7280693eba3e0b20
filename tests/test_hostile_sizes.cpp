// Hostile sizes: frames, side information and model files whose checked
// headers claim huge sizes must not make the decoder allocate more than the
// real input and the segment size allow, and streaming decompression must
// use the same memory for a long stream as for a short one. Measured with a
// counting operator new (this program replaces the global one), so it is a
// program of its own (mbz_memory_tests), not part of mbz_tests.
#include <gtest/gtest.h>
#include <malloc.h>
#include <zstd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "codecs/adapter.hpp"
#include "codecs/side_info.hpp"
#include "common/le_bytes.hpp"
#include "container/format.hpp"
#include "mbz/mbz.hpp"
#include "model/model_file.hpp"

namespace {
std::atomic<size_t> g_current{0}, g_peak{0};

void* counted_alloc(size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  const size_t now = g_current += malloc_usable_size(p);
  for (size_t peak = g_peak.load(); now > peak && !g_peak.compare_exchange_weak(peak, now);) {
  }
  return p;
}
void counted_free(void* p) {
  if (!p) return;
  g_current -= malloc_usable_size(p);
  std::free(p);
}
}  // namespace

void* operator new(size_t n) { return counted_alloc(n); }
void* operator new[](size_t n) { return counted_alloc(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, size_t) noexcept { counted_free(p); }
void operator delete[](void* p, size_t) noexcept { counted_free(p); }

namespace mbz {
namespace {

// Heap bytes allocated through operator new above what was live at start.
class PeakMeter {
 public:
  PeakMeter() : base_(g_current.load()) { g_peak = base_; }
  size_t peak() const { return g_peak.load() - base_; }

 private:
  size_t base_;
};

constexpr size_t kMiB = size_t{1} << 20;

// A throwaway resolver: the frames here need no model.
std::shared_ptr<const Model> no_model(const std::string&, const std::string&) {
  throw Error(ErrorCode::unknown_model, "no model in this test");
}

std::vector<uint8_t> header(uint32_t segment_size, uint8_t adapter = 0, const std::vector<uint8_t>& side = {},
                            uint16_t features = 0) {
  FrameHeader h;
  h.features = features;
  h.model_name = "none";
  h.adapter = adapter;
  h.side_info = side;
  h.segment_size = segment_size;
  return encode_header(h);
}

void append(std::vector<uint8_t>& v, const std::vector<uint8_t>& w) { v.insert(v.end(), w.begin(), w.end()); }

void block(std::vector<uint8_t>& v, Method m, uint32_t raw_len, const std::vector<uint8_t>& coded, uint64_t check) {
  append(v, encode_block_header({m, raw_len, static_cast<uint32_t>(coded.size()), check}));
  append(v, coded);
}

ErrorCode decode_code(const std::vector<uint8_t>& z) {
  try {
    decompress(z.data(), z.size(), no_model, Options{});
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::ok;
}

void report(const char* what, size_t bytes) {
  std::printf("[ memory ] %s: peak %.1f KiB\n", what, static_cast<double>(bytes) / 1024);
}

// A stored segment that claims 16 MiB, of which 4 KiB arrived: the decoder
// holds what arrived, never the claimed size.
TEST(HostileSizes, TruncatedHugeSegmentHoldsOnlyTheInput) {
  auto z = header(kMaxSegmentSize);
  append(z, encode_block_header({Method::stored, kMaxSegmentSize, kMaxSegmentSize, 0}));
  append(z, std::vector<uint8_t>(4096, 7));
  PeakMeter m;
  EXPECT_EQ(decode_code(z), ErrorCode::truncated);
  report("stored segment claiming 16 MiB, 4 KiB present", m.peak());
  EXPECT_LT(m.peak(), 256 * 1024u);
}

// A mixed segment claiming 16 MiB whose range-coded stream is 30 bytes of
// junk: the decoder stops where the stream ends (corrupt) instead of
// decoding 16 MiB from the zeros past it, which took seconds of CPU per
// 30-byte segment. Its output buffer and the mixer's tables are sized by the
// claim, so the memory is bounded by the segment size, not by the input.
TEST(HostileSizes, MixedSegmentStopsWhereItsCodedDataEnds) {
  auto z = header(kMaxSegmentSize, 0, {}, profile_feature(1));
  std::vector<uint8_t> coded{1};  // profile 1
  for (int i = 0; i < 30; ++i) coded.push_back(static_cast<uint8_t>(37 * i + 11));
  block(z, Method::mixed, kMaxSegmentSize, coded, 0);
  z.push_back(kEndMarker);
  append(z, encode_footer({kMaxSegmentSize, 1, 0}));
  PeakMeter m;
  std::string message;
  try {
    decompress(z.data(), z.size(), no_model, Options{});
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::corrupt);
    message = e.what();
  }
  report("mixed segment of 30 junk bytes claiming 16 MiB (operator new only; the mixer's tables come from aligned_alloc)", m.peak());
  EXPECT_NE(message.find("ends before its segment"), std::string::npos) << message;
  EXPECT_LT(m.peak(), 3 * kMaxSegmentSize);  // the output, the mixer's history and its other buffers
}

std::vector<uint8_t> zstd_of(const std::vector<uint8_t>& raw, bool state_size = true) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 1);
  ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, state_size ? 1 : 0);
  std::vector<uint8_t> out(ZSTD_compressBound(raw.size()));
  out.resize(ZSTD_compress2(c, out.data(), out.size(), raw.data(), raw.size()));
  ZSTD_freeCCtx(c);
  return out;
}

// A frame of one zstd segment claiming raw_len bytes whose content is `raw`.
std::vector<uint8_t> zstd_frame(const std::vector<uint8_t>& raw, uint32_t raw_len, bool state_size) {
  auto z = header(kMaxSegmentSize);
  const uint64_t check = xxh64(raw.data(), raw.size());
  block(z, Method::zstd, raw_len, zstd_of(raw, state_size), check);
  z.push_back(kEndMarker);
  append(z, encode_footer({raw_len, 1, check}));
  return z;
}

// zstd segments claiming 16 MiB (the largest segment size): 30 garbage
// bytes, and frames of 1 KiB with and without their content size in the
// zstd frame header. The output is sized by the frame's stated size, or
// grown as the content decodes, never by the claim alone.
TEST(HostileSizes, ZstdClaimAllocatesOnlyWhatTheFrameHolds) {
  auto garbage = header(kMaxSegmentSize);
  block(garbage, Method::zstd, kMaxSegmentSize, std::vector<uint8_t>(30, 0x28), 0);
  garbage.push_back(kEndMarker);
  const std::vector<uint8_t> kib(1024, 'a');
  const std::vector<std::pair<const char*, std::vector<uint8_t>>> cases = {
      {"zstd segment of 30 garbage bytes claiming 16 MiB", garbage},
      {"zstd frame of 1 KiB claiming 16 MiB", zstd_frame(kib, kMaxSegmentSize, true)},
      {"zstd frame of 1 KiB, no size stated, claiming 16 MiB", zstd_frame(kib, kMaxSegmentSize, false)}};
  for (const auto& [what, z] : cases) {
    PeakMeter m;
    EXPECT_EQ(decode_code(z), ErrorCode::corrupt) << what;
    report(what, m.peak());
    EXPECT_LT(m.peak(), 256 * 1024u + z.size()) << what;
  }
  // A frame that states no size still decodes, into twice its content at most.
  std::vector<uint8_t> raw(3 * kMiB);
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<uint8_t>(i * i >> 9);
  const auto z = zstd_frame(raw, static_cast<uint32_t>(raw.size()), false);
  PeakMeter m;
  const auto back = decompress(z.data(), z.size(), no_model, Options{});
  EXPECT_TRUE(back == raw);
  report("zstd frame of 3 MiB, no size stated", m.peak());
  EXPECT_LT(m.peak(), 3 * raw.size() + z.size() + kMiB);
}

// Side information for a 8-bit gray image of rows x cols, no header bytes.
std::vector<uint8_t> gray_side_info(uint64_t rows, uint64_t cols) {
  codecs::SideInfo s;
  s.container = codecs::Container::raw_image;
  s.grid.width = 1;
  s.grid.is_unsigned = true;
  s.grid.channels = 1;
  s.grid.rows = rows;
  s.grid.cols = cols;
  s.grid.row_stride = cols;
  s.original_size = rows * cols;
  return codecs::encode_side_info(s);
}

// An image frame declaring a 1 TiB grid whose data never comes: nothing is
// allocated for the grid.
TEST(HostileSizes, HugeDeclaredGridAllocatesNothing) {
  auto z = header(1 << 20, 2, gray_side_info(uint64_t{1} << 20, uint64_t{1} << 20));
  block(z, Method::stored, 1024, std::vector<uint8_t>(1024, 1), 0);
  PeakMeter m;
  const ErrorCode c = decode_code(z);
  EXPECT_TRUE(c == ErrorCode::truncated || c == ErrorCode::checksum_mismatch) << error_code_name(c);
  report("image frame declaring a 1 TiB grid", m.peak());
  EXPECT_LT(m.peak(), 256 * 1024u);
}

// An image frame of a 64 x 64 grid whose zstd segments decode to 1 MiB each:
// refused at the first block that announces more than the grid.
TEST(HostileSizes, AdapterSegmentsBeyondTheGridAreRefused) {
  const std::vector<uint8_t> raw(kMiB, 0);
  const auto coded = zstd_of(raw);
  auto z = header(kMiB, 2, gray_side_info(64, 64));
  for (int i = 0; i < 64; ++i) block(z, Method::zstd, kMiB, coded, xxh64(raw.data(), raw.size()));
  PeakMeter m;
  EXPECT_EQ(decode_code(z), ErrorCode::corrupt);
  report("image frame of 64x64 pixels with 64 MiB of segments", m.peak());
  EXPECT_LT(m.peak(), 256 * 1024u + z.size());
}

// A valid frame of n segments of 1 MiB (zstd), streamed through a
// Decompressor in 64 KiB pieces, output discarded: the peak heap.
size_t streaming_peak(size_t n) {
  std::vector<uint8_t> raw(kMiB);
  uint64_t s = 1;
  for (auto& b : raw) b = static_cast<uint8_t>((s = s * 6364136223846793005ull + 1) >> 60);  // compressible
  const auto coded = zstd_of(raw);
  const uint64_t check = xxh64(raw.data(), raw.size());
  auto z = header(kMiB);
  Xxh64Stream whole;
  for (size_t i = 0; i < n; ++i) {
    block(z, Method::zstd, kMiB, coded, check);
    whole.update(raw.data(), raw.size());
  }
  z.push_back(kEndMarker);
  append(z, encode_footer({n * kMiB, static_cast<uint32_t>(n), whole.digest()}));
  PeakMeter m;
  Decompressor d(no_model, Options{});
  std::vector<uint8_t> out;
  uint64_t total = 0;
  for (size_t at = 0; at < z.size(); at += 65536) {
    d.write(z.data() + at, std::min<size_t>(65536, z.size() - at), out);
    total += out.size();
    out.clear();
    out.shrink_to_fit();
  }
  d.finish(out);
  total += out.size();
  EXPECT_EQ(total, n * kMiB);
  return m.peak();
}

TEST(HostileSizes, StreamingMemoryDoesNotGrowWithTheStream) {
  const size_t small = streaming_peak(8), large = streaming_peak(256);
  report("streaming 8 MiB", small);
  report("streaming 256 MiB", large);
  EXPECT_LE(large, small + 256 * 1024u);
  EXPECT_LT(large, 16 * kMiB);  // a group of 4 segments of 1 MiB, their output and their input
}

// A model file whose one tensor claims 2^24 x 16 int32 (1 GiB) and holds none.
TEST(HostileSizes, ModelTensorShapeWithoutData) {
  ByteWriter w;
  w.bytes("MBZMODEL", 8);
  w.u32(kModelFormatVersion);
  w.str8("x");
  const auto fields = config_fields();
  w.u32(static_cast<uint32_t>(fields.size()));
  for (const auto& f : fields) {
    w.str8(f.key);
    w.i64(1);
  }
  w.u32(1);
  w.str8("a");
  w.u8(4);
  w.u8(2);
  w.u32(1u << 24);
  w.u32(16);
  w.u64(xxh64(w.data().data(), w.size()));
  PeakMeter m;
  try {
    ModelFile::parse(w.data(), "hostile");
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_model);
  }
  report("model file claiming a 1 GiB tensor", m.peak());
  EXPECT_LT(m.peak(), 256 * 1024u);
}

}  // namespace
}  // namespace mbz
