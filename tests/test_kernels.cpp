// The int8 GEMM kernels against the plain reference loop, bit for bit, for
// every kernel this CPU has (each forced), on random shapes with tails (K and
// N not multiples of any vector width), extreme values and every row count
// the micro-tiles special-case; and the CPU features the kernels are chosen
// by against the compiler's own reading.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

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
    // One row over 8 or more blocks of 16 (the decoding step's kernel), with tails.
    for (int n : {128, 129, 200, 300}) check_shape(isa, 1, n, 67, rng, false);
    check_shape(isa, 1, 1000, 1100, rng, true);
  }
  EXPECT_GE(tested, 1);
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
