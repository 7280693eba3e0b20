// The exactness contract (docs/EXACTNESS.md), bit for bit:
// teacher forcing == incremental decoding, batch-size and thread-count
// invariance, sliding window past the model context, and a golden vector of
// all frequency tables of the committed tiny model.
#include <gtest/gtest.h>

#include "coder/range_coder.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

// Frequency tables [n][256] from the step decoder, segments stepped together.
std::vector<std::vector<uint32_t>> stepped_tables(const Engine& e, const std::vector<std::vector<uint8_t>>& segs,
                                                  StepDecoder::Path path = StepDecoder::Path::automatic) {
  size_t longest = 0;
  for (auto& s : segs) longest = std::max(longest, s.size());
  std::vector<std::vector<uint32_t>> out(segs.size());
  StepDecoder dec(e, static_cast<int>(segs.size()), path);
  std::vector<uint8_t> bytes(segs.size());
  for (size_t pos = 0; pos < longest; ++pos) {
    const auto& cum = dec.tables();
    for (size_t b = 0; b < segs.size(); ++b) {
      if (pos < segs[b].size())
        for (int s = 0; s < 256; ++s) out[b].push_back(cum[b * 257 + s + 1] - cum[b * 257 + s]);
      bytes[b] = pos < segs[b].size() ? segs[b][pos] : 0;
    }
    dec.push(bytes.data());
  }
  return out;
}

std::vector<uint8_t> text_sample(size_t n) {
  auto t = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  t.resize(std::min(n, t.size()));
  return t;
}

TEST(Exactness, TablesAreValid) {
  const auto data = text_sample(300);
  const auto t = test::golden_engine().frequency_tables({data.data(), data.size()});
  ASSERT_EQ(t.size(), data.size() * 256);
  for (size_t i = 0; i < data.size(); ++i) {
    uint64_t total = 0;
    for (int s = 0; s < 256; ++s) {
      ASSERT_GE(t[i * 256 + s], 1u);
      total += t[i * 256 + s];
    }
    ASSERT_LE(total, kCoderMaxTotal);
  }
}

TEST(Exactness, TeacherForcingEqualsIncremental) {
  // Lengths around patch (4) and window (16 patches = 64 bytes) boundaries, and past the context.
  const auto text = text_sample(4000);
  const auto& e = test::golden_engine();
  for (size_t n : {1, 3, 4, 5, 63, 64, 65, 200, 1500}) {
    std::vector<uint8_t> seg(text.begin(), text.begin() + n);
    const auto full = e.frequency_tables({seg.data(), seg.size()});
    ASSERT_EQ(full, stepped_tables(e, {seg}, StepDecoder::Path::libtorch)[0]) << "libtorch steps, length " << n;
    ASSERT_EQ(full, stepped_tables(e, {seg}, StepDecoder::Path::kernel)[0]) << "C++ kernel steps, length " << n;
  }
}

TEST(Exactness, LockstepBatchEqualsSingle) {
  const auto& e = test::golden_engine();
  std::vector<std::vector<uint8_t>> segs = {text_sample(333), test::seeded_bytes(170, 1), std::vector<uint8_t>(90, 0),
                                            text_sample(7)};
  for (auto path : {StepDecoder::Path::libtorch, StepDecoder::Path::kernel}) {
    const auto batched = stepped_tables(e, segs, path);
    for (size_t i = 0; i < segs.size(); ++i) {
      const auto single = e.frequency_tables({segs[i].data(), segs[i].size()});
      ASSERT_EQ(batched[i], single) << "segment " << i << (path == StepDecoder::Path::kernel ? " (kernel)" : " (libtorch)");
    }
  }
}

TEST(Exactness, FusedLoopsEqualTensorOps) {
  // Teacher forcing on CPU uses one-pass fused loops; the plain tensor ops are the reference.
  const auto file = test::golden_model()->impl().file;
  Engine reference(file, DeviceKind::cpu, 0, /*reference_ops=*/true);
  const auto seg = text_sample(3000);
  ASSERT_EQ(reference.frequency_tables({seg.data(), seg.size()}),
            test::golden_engine().frequency_tables({seg.data(), seg.size()}));
}

TEST(Exactness, KernelEqualsLibtorchOnALargerModel) {
  // The small shape (P=8, 4+2 layers, 256/128 wide, window 256 patches) past its window.
  const auto image = make_random_model("small", [] {
    ModelConfig c = tiny_model_config();
    c.patch = 8, c.g_dim = 256, c.g_layers = 4, c.g_heads = 4, c.g_ffn = 1100, c.g_window = 8;
    c.l_dim = 128, c.l_layers = 2, c.l_heads = 4, c.l_ffn = 512;
    return c;
  }(), 11);
  const auto file = ModelFile::parse(image, "small");
  Engine e(file, DeviceKind::cpu, 0);
  const auto seg = text_sample(300);
  const auto full = e.frequency_tables({seg.data(), seg.size()});
  ASSERT_EQ(full, Engine(file, DeviceKind::cpu, 0, true).frequency_tables({seg.data(), seg.size()})) << "fused vs tensor ops";
  ASSERT_EQ(full, stepped_tables(e, {seg}, StepDecoder::Path::kernel)[0]);
  ASSERT_EQ(full, stepped_tables(e, {seg}, StepDecoder::Path::libtorch)[0]);
}

TEST(Exactness, EvaluateBatchSizeInvariance) {
  const auto& e = test::golden_engine();
  std::vector<std::vector<uint8_t>> segs;
  for (int i = 0; i < 9; ++i) segs.push_back(test::seeded_bytes(256, 100 + i));
  segs.push_back(text_sample(256));
  std::vector<ByteSpan> all;
  for (auto& s : segs) all.push_back({s.data(), s.size()});
  const auto together = e.evaluate(all);
  for (size_t i = 0; i < segs.size(); ++i) {
    const auto alone = e.evaluate({all[i]});
    ASSERT_EQ(alone[0].size(), together[i].size());
    for (size_t j = 0; j < alone[0].size(); ++j) {
      ASSERT_EQ(alone[0][j].cum, together[i][j].cum);
      ASSERT_EQ(alone[0][j].freq, together[i][j].freq);
      ASSERT_EQ(alone[0][j].total, together[i][j].total);
    }
  }
}

TEST(Exactness, ThreadCountInvariance) {
  const auto data = text_sample(3000);
  const auto& e = test::golden_engine();
  set_compute_threads(1);
  const auto one = e.frequency_tables({data.data(), data.size()});
  set_compute_threads(2);
  const auto two = e.frequency_tables({data.data(), data.size()});
  set_compute_threads(1);
  ASSERT_EQ(one, two);
}

TEST(Exactness, NoJumpAtTheWindowEdge) {
  // The tiny model sees 16 patches (64 bytes); a long segment keeps a sliding
  // window, so the cost per byte after the edge matches the cost just before it.
  const auto text = text_sample(6000);
  const auto& e = test::golden_engine();
  const auto codes = e.evaluate({{text.data(), text.size()}})[0];
  auto bits = [&](size_t a, size_t b) {
    double s = 0;
    for (size_t i = a; i < b; ++i) s += ideal_bits(codes[i].freq, codes[i].total);
    return s / double(b - a);
  };
  const double before = bits(64, 2000), after = bits(2000, 6000);
  EXPECT_LT(std::abs(after - before) / before, 0.05) << before << " vs " << after;
}

TEST(Exactness, GoldenVector) {
  // XXH64 of every frequency table (uint32 little-endian) of the committed tiny
  // model over the first 2000 bytes of samples/gpl-3.0.txt. A change here means
  // the engine's integers changed: that is a model/format break, not a test update.
  const auto data = text_sample(2000);
  const auto t = test::golden_engine().frequency_tables({data.data(), data.size()});
  std::vector<uint8_t> le(t.size() * 4);
  for (size_t i = 0; i < t.size(); ++i)
    for (int k = 0; k < 4; ++k) le[4 * i + k] = static_cast<uint8_t>(t[i] >> (8 * k));
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(xxh64(le.data(), le.size())));
  EXPECT_EQ(std::string(hex), "4171910fbea63f7d");
}

TEST(Exactness, CudaMatchesCpuWhenAvailable) {
  std::unique_ptr<Engine> cuda;
  try {
    cuda = std::make_unique<Engine>(test::golden_model()->impl().file, DeviceKind::cuda, 0);
  } catch (const Error& err) {
    ASSERT_EQ(err.code(), ErrorCode::device_unavailable);
    GTEST_SKIP() << "no CUDA device: " << err.what();
  }
  const auto data = text_sample(1500);
  EXPECT_EQ(cuda->frequency_tables({data.data(), data.size()}),
            test::golden_engine().frequency_tables({data.data(), data.size()}));
}

}  // namespace
}  // namespace mbz
