// The exactness contract (docs/EXACTNESS.md), bit for bit:
// teacher forcing == incremental decoding, the CPU backend (every GEMM kernel
// the machine has) == the libtorch tensor-op reference, batch-size and
// thread-count invariance, sliding window past the model context, and a
// golden vector of all frequency tables of the committed tiny model.
#include <gtest/gtest.h>

#include "coder/range_coder.hpp"
#include "engine/torch_engine.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

using kernels::Isa;

std::vector<Isa> supported_isas() {
  std::vector<Isa> v;
  for (Isa isa : {Isa::portable, Isa::avx2, Isa::avx512vnni, Isa::amx})
    if (kernels::isa_supported(isa)) v.push_back(isa);
  return v;
}

// Frequency tables [n][256] from a step decoder, segments stepped together.
template <class Stepper>
std::vector<std::vector<uint32_t>> step_all(Stepper& dec, const std::vector<std::vector<uint8_t>>& segs) {
  size_t longest = 0;
  for (auto& s : segs) longest = std::max(longest, s.size());
  std::vector<std::vector<uint32_t>> out(segs.size());
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

std::vector<std::vector<uint32_t>> stepped_tables(const Engine& e, const std::vector<std::vector<uint8_t>>& segs) {
  StepDecoder dec(e, static_cast<int>(segs.size()));
  return step_all(dec, segs);
}

// The libtorch tensor-op reference: teacher forcing and steps.
std::vector<uint32_t> reference_tables(std::shared_ptr<const ModelFile> file, const std::vector<uint8_t>& seg) {
  std::vector<uint32_t> out(seg.size() * 256);
  make_torch_reference(std::move(file))->teacher_force(
      {{seg.data(), seg.size()}}, [&](size_t, size_t i, const uint32_t* f) { std::copy_n(f, 256, &out[i * 256]); }, {});
  return out;
}

std::vector<std::vector<uint32_t>> reference_stepped(std::shared_ptr<const ModelFile> file,
                                                     const std::vector<std::vector<uint8_t>>& segs) {
  auto engine = make_torch_reference(std::move(file));
  auto dec = engine->stepper(static_cast<int>(segs.size()));
  return step_all(*dec, segs);
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
  const auto file = test::golden_model()->impl().file;
  for (Isa isa : supported_isas()) {
    Engine e(file, DeviceKind::cpu, 0, isa);
    for (size_t n : {1, 3, 4, 5, 63, 64, 65, 200, 1500}) {
      std::vector<uint8_t> seg(text.begin(), text.begin() + n);
      const auto full = e.frequency_tables({seg.data(), seg.size()});
      ASSERT_EQ(full, stepped_tables(e, {seg})[0]) << kernels::isa_name(isa) << " steps, length " << n;
      if (isa == Isa::portable) {
        ASSERT_EQ(full, reference_tables(file, seg)) << "libtorch teacher forcing, length " << n;
        ASSERT_EQ(full, reference_stepped(file, {seg})[0]) << "libtorch steps, length " << n;
      }
    }
  }
}

TEST(Exactness, LockstepBatchEqualsSingle) {
  const auto& e = test::golden_engine();
  std::vector<std::vector<uint8_t>> segs = {text_sample(333), test::seeded_bytes(170, 1), std::vector<uint8_t>(90, 0),
                                            text_sample(7)};
  const auto batched = stepped_tables(e, segs);
  const auto reference = reference_stepped(test::golden_model()->impl().file, segs);
  for (size_t i = 0; i < segs.size(); ++i) {
    const auto single = e.frequency_tables({segs[i].data(), segs[i].size()});
    ASSERT_EQ(batched[i], single) << "segment " << i;
    ASSERT_EQ(reference[i], single) << "segment " << i << " (libtorch steps)";
  }
}

TEST(Exactness, CpuBackendEqualsTensorOps) {
  // Every GEMM kernel this machine has, forced, against the plain tensor ops.
  const auto file = test::golden_model()->impl().file;
  const auto seg = text_sample(3000);
  const auto reference = reference_tables(file, seg);
  for (Isa isa : supported_isas())
    ASSERT_EQ(reference, Engine(file, DeviceKind::cpu, 0, isa).frequency_tables({seg.data(), seg.size()}))
        << kernels::isa_name(isa);
}

TEST(Exactness, ShippedModelsEveryKernelEqualsTensorOps) {
  // The shipped models (text, audio, image) on a short text, every kernel
  // forced, teacher forcing and steps, against the libtorch tensor ops.
  const auto seg = text_sample(200);
  for (const char* name : {"text-small-v1", "text-small-v2", "text-small-v3", "text-small-v4", "text-small-v5", "text-small-v6", "audio-small-v1", "image-small-v1"}) {
    const auto file = ModelFile::load(test::data_path(std::string("models/") + name + ".mbzm"));
    const auto reference = reference_tables(file, seg);
    for (Isa isa : supported_isas()) {
      Engine e(file, DeviceKind::cpu, 0, isa);
      ASSERT_EQ(reference, e.frequency_tables({seg.data(), seg.size()})) << name << " " << kernels::isa_name(isa);
      ASSERT_EQ(reference, stepped_tables(e, {seg})[0]) << name << " " << kernels::isa_name(isa) << " steps";
    }
  }
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
  const auto seg = text_sample(300);
  const auto reference = reference_tables(file, seg);
  ASSERT_EQ(reference, reference_stepped(file, {seg})[0]) << "libtorch steps";
  for (Isa isa : supported_isas()) {
    Engine e(file, DeviceKind::cpu, 0, isa);
    ASSERT_EQ(reference, e.frequency_tables({seg.data(), seg.size()})) << kernels::isa_name(isa);
    ASSERT_EQ(reference, stepped_tables(e, {seg})[0]) << kernels::isa_name(isa) << " steps";
  }
}

TEST(Exactness, HeadWidthsNotAMultipleOfFour) {
  // The key rings store four components of a key side by side (the VNNI
  // dot product's operand); heads of 10 and 6 components leave a part group.
  const auto image = make_random_model("odd-heads", [] {
    ModelConfig c = tiny_model_config();
    c.patch = 8, c.g_dim = 40, c.g_heads = 4, c.g_window = 8;
    c.l_dim = 24, c.l_heads = 4;
    return c;
  }(), 5);
  const auto file = ModelFile::parse(image, "odd-heads");
  const auto seg = text_sample(200);
  const auto reference = reference_tables(file, seg);
  for (Isa isa : supported_isas()) {
    Engine e(file, DeviceKind::cpu, 0, isa);
    ASSERT_EQ(reference, e.frequency_tables({seg.data(), seg.size()})) << kernels::isa_name(isa);
    ASSERT_EQ(reference, stepped_tables(e, {seg})[0]) << kernels::isa_name(isa) << " steps";
  }
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
  for (int threads : {2, 3, 8}) {
    set_compute_threads(threads);
    ASSERT_EQ(one, e.frequency_tables({data.data(), data.size()})) << threads << " threads";
  }
  set_compute_threads(1);
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
  register_accelerator(&make_torch_engine);  // as loading libmbz-torch.so does
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
