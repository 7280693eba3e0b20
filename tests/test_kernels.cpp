// The int8 GEMM kernels against the plain reference loop, bit for bit, for
// every kernel this CPU has (each forced), on random shapes with tails (K and
// N not multiples of any vector width), extreme values and every row count
// the micro-tiles special-case; and the CPU features the kernels are chosen
// by against the compiler's own reading.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "engine/cpu_requant.hpp"
#include "engine/kernels/cpu_features.hpp"
#include "engine/kernels/gemm_s8.hpp"

namespace mbz {
namespace {

using kernels::Isa;

std::vector<int8_t> random_i8(size_t n, std::mt19937& rng, bool extreme) {
  std::uniform_int_distribution<int> d(-127, 127);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(extreme ? ((rng() & 1) ? 127 : -127) : d(rng));
  return v;
}

void check_shape(Isa isa, int m, int n, int k, std::mt19937& rng, bool extreme) {
  const auto x = random_i8(static_cast<size_t>(m) * k, rng, extreme);
  const auto w = random_i8(static_cast<size_t>(n) * k, rng, extreme);
  std::vector<int32_t> want(static_cast<size_t>(m) * n), got(want.size(), 0x5a5a5a5a);
  kernels::gemm_reference(x.data(), m, w.data(), n, k, want.data());
  kernels::PackedWeights(w.data(), n, k, isa).multiply(x.data(), m, got.data());
  ASSERT_EQ(want, got) << kernels::isa_name(isa) << " m=" << m << " n=" << n << " k=" << k;
}

TEST(Kernels, EveryKernelEqualsTheReference) {
  std::mt19937 rng(7);
  int tested = 0;
  for (Isa isa : {Isa::portable, Isa::avx2, Isa::avx512vnni, Isa::amx}) {
    if (!kernels::isa_supported(isa)) continue;
    ++tested;
    for (int m : {1, 2, 3, 4, 5, 6, 7, 13, 16, 17, 33, 48})
      for (int n : {1, 7, 16, 17, 48, 65, 100})
        for (int k : {1, 3, 4, 5, 31, 64, 130}) check_shape(isa, m, n, k, rng, false);
    // The model's shapes, and extreme values at the largest inner dimension the models use.
    check_shape(isa, 64, 768, 256, rng, false);
    check_shape(isa, 1024, 384, 128, rng, false);
    check_shape(isa, 9, 256, 1100, rng, true);
    check_shape(isa, 3, 33, 4099, rng, true);
    // One row over 8 or more blocks of 16 (the decoding step's kernel: whole
    // groups of 8 blocks from the row copy, the rest from the block layout),
    // with tails, and the models' one-row shapes.
    for (int n : {128, 129, 200, 256, 300}) check_shape(isa, 1, n, 67, rng, false);
    check_shape(isa, 1, 1000, 1100, rng, true);
    for (const auto& [n, k] : {std::pair{384, 128}, {128, 512}, {1024, 256}, {256, 1024}, {768, 256}})
      check_shape(isa, 1, n, k, rng, false);
  }
  EXPECT_GE(tested, 1);
}

// The activation's three lookups (plain, AVX-512 gather, VBMI byte permutes)
// give the same bytes, for G = 128 (a 257-entry table: the permutes' special
// last entry) and G = 100, on rows with tails and accumulators that clamp at
// both ends of the table.
TEST(Kernels, ActivationLookupsAgree) {
  const kernels::CpuFeatures& f = kernels::cpu_features();
  if (!(f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq)) GTEST_SKIP() << "no AVX-512";
  std::mt19937 rng(11);
  for (int32_t g : {128, 100}) {
    std::vector<int32_t> lut(static_cast<size_t>(2 * g + 1));
    for (auto& v : lut) v = static_cast<int32_t>(rng() % 256) - 128;
    const int rows = 3, n = 37;
    Multipliers m;
    for (int j = 0; j < n; ++j) {
      const int32_t shift = 10 + j % 5;
      m.mant.push_back(700 + 13 * j);
      m.shift.push_back(shift);
      m.round.push_back(int64_t{1} << (shift - 1));
      m.real.push_back(std::ldexp(static_cast<double>(m.mant.back()), -shift));
    }
    std::vector<int32_t> y(static_cast<size_t>(rows) * n);
    for (auto& v : y) v = static_cast<int32_t>(rng() % 2000001) - 1000000;
    y[0] = -2000000000, y[1] = 2000000000;  // clamp to -G and G: entries 0 and 2G
    std::vector<int8_t> plain(y.size()), gather(y.size()), permutes(y.size());
    auto yy = y;
    activation(yy.data(), rows, n, m, g, lut.data(), plain.data(), false);
    yy = y;
    activation(yy.data(), rows, n, m, g, lut.data(), gather.data(), true);
    EXPECT_EQ(plain, gather) << "G " << g;
    const ActivationBytes bytes = activation_bytes(lut, g, f.avx512vbmi);
    if (!f.avx512vbmi) continue;
    ASSERT_TRUE(bytes.usable);
    yy = y;
    activation(yy.data(), rows, n, m, g, lut.data(), permutes.data(), true, &bytes);
    EXPECT_EQ(plain, permutes) << "G " << g;
  }
  std::vector<int32_t> wide_lut(257, 0);
  wide_lut[5] = 200;  // not a byte: the permutes must not be used
  EXPECT_FALSE(activation_bytes(wide_lut, 128, true).usable);
  EXPECT_FALSE(activation_bytes(std::vector<int32_t>(259, 0), 129, true).usable);
}

// The engine reads CPUID and XCR0 itself (cpu_features.cpp); where the
// compiler's __builtin_cpu_supports knows a feature, both must agree (clang
// before 16 knows no AMX names).
TEST(Kernels, CpuFeaturesAgreeWithTheCompiler) {
  const kernels::CpuFeatures& f = kernels::cpu_features();
  std::printf("[ cpu ] avx2 %d avx512f %d bw %d vl %d dq %d vnni %d amx-tile %d amx-int8 %d\n", f.avx2, f.avx512f,
              f.avx512bw, f.avx512vl, f.avx512dq, f.avx512vnni, f.amx_tile, f.amx_int8);
  EXPECT_EQ(f.avx2, __builtin_cpu_supports("avx2") != 0);
  EXPECT_EQ(f.avx512f, __builtin_cpu_supports("avx512f") != 0);
  EXPECT_EQ(f.avx512bw, __builtin_cpu_supports("avx512bw") != 0);
  EXPECT_EQ(f.avx512vl, __builtin_cpu_supports("avx512vl") != 0);
  EXPECT_EQ(f.avx512dq, __builtin_cpu_supports("avx512dq") != 0);
  EXPECT_EQ(f.avx512vnni, __builtin_cpu_supports("avx512vnni") != 0);
#if !defined(__clang__) || __clang_major__ >= 16
  EXPECT_EQ(f.amx_tile, __builtin_cpu_supports("amx-tile") != 0);
  EXPECT_EQ(f.amx_int8, __builtin_cpu_supports("amx-int8") != 0);
#endif
}

TEST(Kernels, DefaultIsSupportedAndNamed) {
  const Isa isa = kernels::default_isa();
  EXPECT_TRUE(kernels::isa_supported(isa));
  EXPECT_NE(std::string(kernels::isa_name(isa)), "");
}

}  // namespace
}  // namespace mbz
