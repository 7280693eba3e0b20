// The int8 GEMM kernels against the plain reference loop, bit for bit, for
// every kernel this CPU has (each forced), on random shapes with tails (K and
// N not multiples of any vector width), extreme values and every row count
// the micro-tiles special-case; and the CPU features the kernels are chosen
// by against the compiler's own reading.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "engine/cpu_requant.hpp"
#include "engine/cpu_stack.hpp"
#include "engine/int_ops.hpp"
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

// Requantization's AVX-512 form (float64, the clamp before a flooring
// conversion) == the plain int64 one for every output kind, on
// accumulators |acc| < 2^27 (the wide form's bound) including the extremes,
// values that land exactly on a half (round half up) and results past every
// clamp, with negative mantissas and shifts 0..62; widths with tails.
TEST(Kernels, RequantFormsAgree) {
  const kernels::CpuFeatures& f = kernels::cpu_features();
  if (!(f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq)) GTEST_SKIP() << "no AVX-512";
  std::mt19937 rng(17);
  const int32_t big = (1 << 27) - 1;
  for (int n : {1, 7, 16, 17, 33, 100, 256})
    for (int trial = 0; trial < 40; ++trial) {
      const int rows = 1 + static_cast<int>(rng() % 4);
      Multipliers m;
      for (int j = 0; j < n; ++j) {
        int32_t shift, mant;
        switch (rng() % 4) {
          case 0: shift = 1 + static_cast<int32_t>(rng() % 4), mant = 1 + static_cast<int32_t>(rng() % 3); break;  // halves
          case 1: shift = static_cast<int32_t>(rng() % 63), mant = static_cast<int32_t>(rng() % (1 << 24)) - (1 << 23); break;
          case 2: shift = 20 + static_cast<int32_t>(rng() % 20), mant = (1 << 24) - 1 - static_cast<int32_t>(rng() % 3); break;
          default: shift = 10 + static_cast<int32_t>(rng() % 10), mant = static_cast<int32_t>(rng() % 4000) - 2000; break;
        }
        if (rng() % 2) mant = -mant;
        m.mant.push_back(mant);
        m.shift.push_back(shift);
        m.round.push_back(shift > 0 ? int64_t{1} << (shift - 1) : 0);
        m.real.push_back(std::ldexp(static_cast<double>(mant), -shift));
      }
      std::vector<int32_t> y(static_cast<size_t>(rows) * n);
      for (auto& v : y) {
        switch (rng() % 4) {
          case 0: v = (rng() & 1) ? big : -big; break;
          case 1: v = static_cast<int32_t>(rng() % 41) - 20; break;
          default: v = static_cast<int32_t>(rng() % (2u * big + 1)) - big; break;
        }
      }
      std::vector<int8_t> i8_plain(y.size()), i8_wide(y.size(), 5);
      requant_to_i8(y.data(), rows, n, m, i8_plain.data(), false);
      requant_to_i8(y.data(), rows, n, m, i8_wide.data(), true);
      ASSERT_EQ(i8_plain, i8_wide) << "i8 n " << n << " trial " << trial;
      for (int32_t lim : {kResidualMax, 1 << 24}) {
        std::vector<int32_t> i32_plain(y.size()), i32_wide(y.size(), 5);
        requant_to_i32(y.data(), rows, n, m, -lim, lim, i32_plain.data(), false);
        requant_to_i32(y.data(), rows, n, m, -lim, lim, i32_wide.data(), true);
        ASSERT_EQ(i32_plain, i32_wide) << "i32 n " << n << " trial " << trial << " limit " << lim;
      }
      std::vector<int32_t> x(y.size());
      for (auto& v : x) v = static_cast<int32_t>(rng() % (2 * kResidualMax + 1)) - kResidualMax;
      auto x_plain = x, x_wide = x;
      residual_add(x_plain.data(), y.data(), rows, n, m, false);
      residual_add(x_wide.data(), y.data(), rows, n, m, true);
      ASSERT_EQ(x_plain, x_wide) << "residual n " << n << " trial " << trial;
    }
}

// RMSNorm's AVX-512 form (float32, 16 lanes) == the plain float64 loop ==
// the integer rule of docs/EXACTNESS.md §4, floor division in int64, on
// rows of every width 1..70 and some wide ones (tails of the 16-lane loop),
// every norm_scale bound, residuals at +-32767, rows of one large value
// among small ones (quotients far past 127, clamped), all-zero rows (r = 1)
// and rows whose quotients fall on exact integers.
TEST(Kernels, NormFormsAgree) {
  if (!kernels::isa_supported(Isa::avx512vnni)) GTEST_SKIP() << "no AVX-512 VNNI";
  std::mt19937 rng(13);
  auto rule = [](const int32_t* x, int d, int64_t nq, int8_t* out) {
    int64_t ss = 0;
    for (int j = 0; j < d; ++j) ss += int64_t(x[j]) * x[j];
    const int64_t r = std::max<int64_t>(1, isqrt(ss / d));
    for (int j = 0; j < d; ++j) {
      const int64_t a = 2 * nq * x[j] + r, den = 2 * r;
      const int64_t q = a >= 0 ? a / den : -((-a + den - 1) / den);  // floor
      out[j] = static_cast<int8_t>(std::clamp<int64_t>(q, -127, 127));
    }
  };
  int rows_checked = 0;
  std::vector<int> widths;
  for (int d = 1; d <= 70; ++d) widths.push_back(d);
  for (int d : {128, 255, 256, 257, 1024, 1100}) widths.push_back(d);
  for (int d : widths)
    for (int64_t nq : {int64_t{1}, int64_t{32}, int64_t{127}})
      for (int shape = 0; shape < 6; ++shape) {
        const int rows = 3;
        std::vector<int32_t> x(static_cast<size_t>(rows) * d);
        for (auto& v : x) {
          switch (shape) {
            case 0: v = static_cast<int32_t>(rng() % 65535) - 32767; break;
            case 1: v = (rng() & 1) ? 32767 : -32767; break;
            case 2: v = static_cast<int32_t>(rng() % 21) - 10; break;
            case 3: v = 0; break;
            case 4: v = static_cast<int32_t>(rng() % 201) - 100; break;
            default: v = static_cast<int32_t>(rng() % 4001) - 2000; break;
          }
        }
        if (shape == 4) x[rng() % x.size()] = (rng() & 1) ? 32767 : -32767;  // one far past the others
        if (shape == 5)
          for (int r = 0; r < rows; ++r) x[static_cast<size_t>(r) * d] = -32767;
        std::vector<int8_t> want(x.size()), plain(x.size(), 99), wide(x.size(), 99);
        for (int r = 0; r < rows; ++r) rule(&x[static_cast<size_t>(r) * d], d, nq, &want[static_cast<size_t>(r) * d]);
        rms_norm(x.data(), rows, d, nq, plain.data(), Isa::portable);
        rms_norm(x.data(), rows, d, nq, wide.data(), Isa::avx512vnni);
        ASSERT_EQ(want, plain) << "plain d " << d << " nq " << nq << " shape " << shape;
        ASSERT_EQ(want, wide) << "avx512 d " << d << " nq " << nq << " shape " << shape;
        rows_checked += rows;
      }
  // Exact quotients: x = k * r makes a = (2 NQ k + 1) r, a / den = NQ k + 1/2;
  // rows built so that ms is a perfect square and a lands on multiples of den.
  for (int64_t nq : {int64_t{1}, int64_t{2}, int64_t{64}})
    for (int32_t v = 1; v <= 32767; v = v * 3 + 1) {
      const int d = 37;
      std::vector<int32_t> x(static_cast<size_t>(d));
      for (int j = 0; j < d; ++j) x[j] = (j % 2 ? v : -v) / (1 + j % 4);
      std::vector<int8_t> want(x.size()), wide(x.size());
      rule(x.data(), d, nq, want.data());
      rms_norm(x.data(), 1, d, nq, wide.data(), Isa::avx512vnni);
      ASSERT_EQ(want, wide) << "v " << v << " nq " << nq;
    }
  EXPECT_GT(rows_checked, 1000);
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

// The coder's cumulative tables: the AVX-512 form's shifted adds against the
// plain running sum, on tables of small and of large entries (totals past
// 2^32 too, which wrap alike) and two rows at once.
TEST(Kernels, CumulativeTablesFormsAgree) {
  if (!kernels::isa_supported(kernels::Isa::avx512vnni)) GTEST_SKIP() << "no AVX-512 VNNI";
  std::mt19937 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    const int rows = 1 + trial % 2;
    std::vector<uint32_t> freq(static_cast<size_t>(rows) * 256);
    // Small entries, large ones, and ones whose total passes 2^32 (the sums wrap as uint32 in both forms).
    const uint32_t top = trial % 3 == 0 ? 4u : trial % 3 == 1 ? (1u << 23) : (1u << 26);
    for (auto& f : freq) f = 1 + rng() % top;
    std::vector<uint32_t> plain(static_cast<size_t>(rows) * 257, 7), wide = plain;
    cumulative_tables(freq.data(), rows, plain.data(), kernels::Isa::portable);
    cumulative_tables(freq.data(), rows, wide.data(), kernels::Isa::avx512vnni);
    ASSERT_EQ(plain, wide) << "trial " << trial;
    uint32_t sum = 0;
    for (int t = 0; t < 256; ++t) sum += freq[static_cast<size_t>(t)];
    ASSERT_EQ(plain[0], 0u);
    ASSERT_EQ(plain[256], sum);
  }
}

}  // namespace
}  // namespace mbz
