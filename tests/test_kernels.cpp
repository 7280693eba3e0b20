// The int8 GEMM kernels against the plain reference loop, bit for bit, for
// every kernel this CPU has (each forced), on random shapes with tails (K and
// N not multiples of any vector width), extreme values and every row count
// the micro-tiles special-case.
#include <gtest/gtest.h>

#include <random>

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
  }
  EXPECT_GE(tested, 1);
}

TEST(Kernels, DefaultIsSupportedAndNamed) {
  const Isa isa = kernels::default_isa();
  EXPECT_TRUE(kernels::isa_supported(isa));
  EXPECT_NE(std::string(kernels::isa_name(isa)), "");
}

}  // namespace
}  // namespace mbz
