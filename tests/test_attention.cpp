// The CPU attention's forms against each other, bit for bit: the value pass
// (VNNI on the weights' high and low bytes vs the plain float loop vs an
// int64 sum) on random rings with runs that start and end mid-quad, head
// widths that are not multiples of 16, 1 to 4 queries and weights up to
// 2^16; and whole attention blocks (scores, weights, values) of the AVX-512
// form against the plain one across a ring's wrap-around and window edges.
// The engine tests pin both to libtorch; these reach the shapes and edge
// weights a model run may not.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "engine/cpu_attention.hpp"
#include "engine/kernels/gemm_s8.hpp"

namespace mbz {
namespace {

using kernels::Isa;

// A head's ring of `cap` slots in HeadRing's layouts, random keys and
// values; the value slots past cap (up to a whole quad) hold garbage that
// weight 0 must hide.
struct TestRing {
  int dh, cap;
  std::vector<uint8_t> kt;  // [ceil(dh/4), cap, 4]
  std::vector<int8_t> v;    // [ceil(cap/4), dh, 4]
  std::vector<int8_t> rows; // [cap, dh]: value of slot s, row-major (for the int64 sums)

  TestRing(int dh_, int cap_, std::mt19937& rng) : dh(dh_), cap(cap_) {
    const int dh4 = (dh + 3) / 4, quads = (cap + 3) / 4;
    kt.assign(static_cast<size_t>(dh4) * cap * 4, 128);
    v.resize(static_cast<size_t>(quads) * dh * 4);
    for (auto& x : v) x = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
    rows.resize(static_cast<size_t>(cap) * dh);
    for (int s = 0; s < cap; ++s)
      for (int j = 0; j < dh; ++j) {
        const int8_t k = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
        kt[static_cast<size_t>(j / 4) * cap * 4 + s * 4 + j % 4] = static_cast<uint8_t>(k + 128);
        const int8_t x = (rng() % 8 == 0) ? ((rng() & 1) ? 127 : -128) : static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
        rows[static_cast<size_t>(s) * dh + j] = x;
        v[static_cast<size_t>(s / 4) * dh * 4 + j * 4 + s % 4] = x;
      }
  }
  HeadRing ring() const { return HeadRing{kt.data(), v.data(), 4 * dh, cap}; }
};

// Weights of `count` keys for one query: integers summing to at most 2^16,
// in one of several shapes (spread, one key holding nearly or all the weight,
// bytes at their extremes, many zeros).
void random_weights(int count, int shape, std::mt19937& rng, float* p) {
  std::vector<double> w(static_cast<size_t>(count));
  for (auto& x : w) x = (shape == 3 && rng() % 3 != 0) ? 0.0 : static_cast<double>(rng() % 1000);
  std::fill(p, p + count, 0.0f);
  const int hot = static_cast<int>(rng() % count);
  switch (shape) {
    case 0:
      p[hot] = 65536.0f;  // all the weight on one key (attn_prob_bits 16): no byte pair holds it
      return;
    case 1:
      p[hot] = 65535.0f;  // both bytes 255
      if (count > 1) p[(hot + 1) % count] = 1.0f;
      return;
    case 2:
      p[hot] = 32768.0f;  // all of 2^15 (attn_prob_bits 15)
      return;
    default: {
      double sum = 1.0;
      for (double x : w) sum += x;
      for (int t = 0; t < count; ++t) p[t] = static_cast<float>(std::floor(w[static_cast<size_t>(t)] * 65536.0 / sum));
    }
  }
}

TEST(Attention, ValueFormsAgree) {
  const Isa wide = Isa::avx512vnni;
  if (!kernels::isa_supported(wide)) GTEST_SKIP() << "no AVX-512 VNNI";
  std::mt19937 rng(7);
  AttentionScratch scratch;
  int cases = 0;
  for (int dh : {32, 64, 20, 48, 100, 1})
    for (int cap : {1, 3, 4, 13, 16, 67, 130})
      for (int rows = 1; rows <= kQueryBlock; ++rows)
        for (int trial = 0; trial < 6; ++trial) {
          const TestRing tr(dh, cap, rng);
          const int slot0 = static_cast<int>(rng() % cap);
          const int count = 1 + static_cast<int>(rng() % (cap - slot0));
          const int p_stride = count + static_cast<int>(rng() % 3), av_stride = dh + static_cast<int>(rng() % 5);
          std::vector<float> p(static_cast<size_t>(rows) * p_stride, -1.0f);  // -1 past count: never read
          for (int r = 0; r < rows; ++r) random_weights(count, static_cast<int>(rng() % 6), rng, &p[static_cast<size_t>(r) * p_stride]);
          std::vector<float> start(static_cast<size_t>(rows) * av_stride);
          for (auto& x : start) x = static_cast<float>(static_cast<int>(rng() % 2001) - 1000);
          auto plain = start, vnni = start;
          attend_values(Isa::portable, p.data(), p_stride, rows, tr.ring(), slot0, dh, count, plain.data(), av_stride, scratch);
          attend_values(wide, p.data(), p_stride, rows, tr.ring(), slot0, dh, count, vnni.data(), av_stride, scratch);
          for (int r = 0; r < rows; ++r)
            for (int j = 0; j < av_stride; ++j) {
              const size_t at = static_cast<size_t>(r) * av_stride + j;
              int64_t want = static_cast<int64_t>(start[at]);
              if (j < dh)
                for (int t = 0; t < count; ++t)
                  want += static_cast<int64_t>(p[static_cast<size_t>(r) * p_stride + t]) *
                          tr.rows[static_cast<size_t>(slot0 + t) * dh + j];
              ASSERT_EQ(static_cast<float>(want), plain[at]) << "plain dh " << dh << " cap " << cap << " slot0 " << slot0
                                                            << " count " << count << " row " << r << " column " << j;
              ASSERT_EQ(plain[at], vnni[at]) << "vnni dh " << dh << " cap " << cap << " slot0 " << slot0 << " count "
                                             << count << " row " << r << " column " << j;
            }
          ++cases;
        }
  EXPECT_GT(cases, 1000);
}

// A softmax rule like a model's: scores scaled down by 2^6, an ALiBi slope,
// an exp table of 2^20 e^(-i/8) ending in 0, weights of 2^15.
TEST(Attention, BlockFormsAgree) {
  const Isa wide = Isa::avx512vnni;
  if (!kernels::isa_supported(wide)) GTEST_SKIP() << "no AVX-512 VNNI";
  std::vector<int32_t> lut(160);
  for (size_t i = 0; i < lut.size(); ++i) lut[i] = static_cast<int32_t>(std::llround(1048576.0 * std::exp(-static_cast<double>(i) / 8.0)));
  lut.back() = 0;
  std::vector<int32_t> lut_tail = lut;  // a table whose last entry is not 0: every key weighs something
  lut_tail.back() = 3;
  std::mt19937 rng(9);
  AttentionScratch scratch_plain, scratch_wide;
  for (int dh : {32, 64, 20})
    for (int window : {1, 5, 8, 9, 16, 61})
      for (int rows = 1; rows <= kQueryBlock; ++rows)
        for (int trial = 0; trial < 8; ++trial) {
          const int cap = window - 1 + rows + static_cast<int>(rng() % 7);
          const TestRing tr(dh, cap, rng);
          const bool tail = trial % 2 == 1;  // the table's last entry 0 or not
          const AttentionRule rule{1, 32, 6, static_cast<int64_t>(rng() % 4), tail ? lut_tail.data() : lut.data(),
                                   static_cast<int64_t>(lut.size()), 65536.0, window};
          const int64_t p0 = static_cast<int64_t>(rng() % (3 * cap));  // first query's position: near the start, wrapped
          std::vector<int8_t> q(static_cast<size_t>(rows) * dh);
          for (auto& x : q) x = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
          std::vector<float> plain(static_cast<size_t>(rows) * dh, -7.0f), vnni = plain;
          attend_block(Isa::portable, rule, tr.ring(), dh, q.data(), dh, rows, p0, plain.data(), dh, scratch_plain);
          attend_block(wide, rule, tr.ring(), dh, q.data(), dh, rows, p0, vnni.data(), dh, scratch_wide);
          ASSERT_EQ(plain, vnni) << "dh " << dh << " window " << window << " rows " << rows << " cap " << cap << " p0 " << p0;
        }
}

// The weights attend_block gives one query's keys (the rule of
// docs/EXACTNESS.md §4, in int64): whether one of them is 2^16, which no
// byte pair holds, so that attend_step_few must leave the head to the block.
bool some_weight_is_2_16(const AttentionRule& a, const TestRing& tr, const std::vector<int8_t>& q, int64_t pos) {
  const int64_t first = std::max<int64_t>(0, pos - a.window + 1);
  const int n = static_cast<int>(pos - first + 1);
  std::vector<int64_t> e(static_cast<size_t>(n));
  int64_t top = INT64_MIN, sum = 0;
  for (int i = 0; i < n; ++i) {
    const int64_t slot = (first + i) % tr.cap;
    int64_t dot = 0;
    for (int j = 0; j < tr.dh; ++j)
      dot += int64_t{q[static_cast<size_t>(j)]} * (int64_t{tr.kt[static_cast<size_t>(j / 4) * tr.cap * 4 + slot * 4 + j % 4]} - 128);
    e[static_cast<size_t>(i)] = ((dot * a.mant + a.round) >> a.shift) - a.slope * (n - 1 - i);
    top = std::max(top, e[static_cast<size_t>(i)]);
  }
  for (auto& x : e) sum += (x = a.lut[std::min(top - x, a.lut_len - 1)]);
  for (const int64_t x : e)
    if (static_cast<int64_t>(std::floor((static_cast<double>(x) * a.one + static_cast<double>(sum)) / (2.0 * static_cast<double>(sum)))) >= 65536)
      return true;
  return false;
}

// A decoding step's one pass over a few keys (attend_step_few) against the
// plain block, and its refusals: more than 8 keys, a run that wraps, a
// weight of 2^16 (each computed apart).
TEST(Attention, StepOverFewKeysAgrees) {
  const Isa wide = Isa::avx512vnni;
  if (!kernels::isa_supported(wide)) GTEST_SKIP() << "no AVX-512 VNNI";
  std::vector<int32_t> lut(160);
  for (size_t i = 0; i < lut.size(); ++i) lut[i] = static_cast<int32_t>(std::llround(1048576.0 * std::exp(-static_cast<double>(i) / 8.0)));
  lut.back() = 0;
  std::mt19937 rng(11);
  AttentionScratch scratch;
  int fast = 0, refused = 0;
  for (int dh : {32, 64, 20, 7})
    for (int window : {1, 3, 8, 9, 256})
      for (int cap : {8, 9, 13, 256})
        for (int trial = 0; trial < 12; ++trial) {
          if (cap < window && window <= 8) continue;  // a ring holds its window
          const TestRing tr(dh, cap, rng);
          const AttentionRule rule{1, 32, 6, static_cast<int64_t>(rng() % 4), lut.data(), static_cast<int64_t>(lut.size()),
                                   trial % 4 == 3 ? 131072.0 : 65536.0, window};  // weights of 2^15, or 2^16 (one key may hold them all)
          const int64_t pos = static_cast<int64_t>(rng() % (2 * cap));
          std::vector<int8_t> q(static_cast<size_t>(dh));
          for (auto& x : q) x = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
          std::vector<float> plain(static_cast<size_t>(dh));
          attend_block(Isa::portable, rule, tr.ring(), dh, q.data(), dh, 1, pos, plain.data(), dh, scratch);
          std::vector<int32_t> step(static_cast<size_t>(dh) + 1, -7);
          const int64_t first = std::max<int64_t>(0, pos - window + 1);
          const bool fits = pos - first + 1 <= 8 && first % cap + (pos - first + 1) <= cap;
          const HeadRing ring = tr.ring();
          if (attend_step_few(wide, rule, &rule.slope, &ring, 1, dh, q.data(), pos, step.data()) != 1u) {
            EXPECT_EQ(step, std::vector<int32_t>(static_cast<size_t>(dh) + 1, -7)) << "a refusal writes nothing";
            ++refused;
            // Only these are refused: more keys, a wrap, or one key with all 2^16 of the weight.
            EXPECT_TRUE(!fits || some_weight_is_2_16(rule, tr, q, pos))
                << "dh " << dh << " window " << window << " cap " << cap << " pos " << pos;
            continue;
          }
          EXPECT_TRUE(fits && !some_weight_is_2_16(rule, tr, q, pos));
          EXPECT_EQ(step[static_cast<size_t>(dh)], -7) << "wrote past dh";
          for (int j = 0; j < dh; ++j)
            ASSERT_EQ(static_cast<float>(step[static_cast<size_t>(j)]), plain[static_cast<size_t>(j)])
                << "dh " << dh << " window " << window << " cap " << cap << " pos " << pos << " column " << j;
          ++fast;
        }
  EXPECT_GT(fast, 300);
  EXPECT_GT(refused, 100);
  // Several heads at once, each its own ring, slope and query, as a step's layer has them.
  for (int trial = 0; trial < 60; ++trial) {
    // cap 8: a local model's ring (the run starts at slot 0); cap 13 with a
    // window of 8 past its start: runs starting mid-quad (lead 1..3).
    const int heads = 1 + trial % 5, dh = trial % 2 ? 32 : 20, cap = trial % 3 ? 8 : 13;
    std::vector<TestRing> trs;
    std::vector<HeadRing> rings;
    std::vector<int64_t> slopes;
    for (int h = 0; h < heads; ++h) trs.emplace_back(dh, cap, rng);
    for (int h = 0; h < heads; ++h) rings.push_back(trs[static_cast<size_t>(h)].ring()), slopes.push_back(static_cast<int64_t>(rng() % 4));
    const AttentionRule rule{1, 32, 6, 0, lut.data(), static_cast<int64_t>(lut.size()), 65536.0, 8};
    const int64_t pos = cap == 8 ? static_cast<int64_t>(rng() % 8) : 8 + static_cast<int64_t>(rng() % 5);  // 8..12: first 1..5
    std::vector<int8_t> q(static_cast<size_t>(heads) * dh);
    for (auto& x : q) x = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
    std::vector<int32_t> step(static_cast<size_t>(heads) * dh);
    ASSERT_EQ(attend_step_few(wide, rule, slopes.data(), rings.data(), heads, dh, q.data(), pos, step.data()), (1u << heads) - 1);
    for (int h = 0; h < heads; ++h) {
      AttentionRule one = rule;
      one.slope = slopes[static_cast<size_t>(h)];
      std::vector<float> plain(static_cast<size_t>(dh));
      attend_block(Isa::portable, one, rings[static_cast<size_t>(h)], dh, q.data() + h * dh, dh, 1, pos, plain.data(), dh, scratch);
      for (int j = 0; j < dh; ++j)
        ASSERT_EQ(static_cast<float>(step[static_cast<size_t>(h * dh + j)]), plain[static_cast<size_t>(j)])
            << "heads " << heads << " head " << h << " column " << j;
    }
  }
  {  // rings of different lengths in one group of heads: the block serves them all
    const TestRing a(32, 8, rng), b(32, 9, rng);
    const HeadRing rings[2] = {a.ring(), b.ring()};
    const int64_t slopes[2] = {0, 1};
    std::vector<int32_t> out(64, -7);
    EXPECT_EQ(attend_step_few(wide, AttentionRule{1, 32, 6, 0, lut.data(), 160, 65536.0, 8}, slopes, rings, 2, 32,
                              std::vector<int8_t>(64, 1).data(), 3, out.data()),
              0u);
    EXPECT_EQ(out, std::vector<int32_t>(64, -7));
  }
  const TestRing tr(32, 8, rng);
  const HeadRing ring = tr.ring();
  const int64_t slope = 0;
  EXPECT_EQ(attend_step_few(Isa::portable, AttentionRule{1, 0, 0, 0, lut.data(), 160, 65536.0, 8}, &slope, &ring, 1, 32,
                            std::vector<int8_t>(32, 1).data(), 0, std::vector<int32_t>(32).data()),
            0u)
      << "no AVX-512 form: the block serves";
}

}  // namespace
}  // namespace mbz
