// The engine's scratch regions (src/engine/scratch.hpp): blocks aligned and
// apart, the last one given back taken again, contents kept as a buffer
// grows, a region reused by the threads that come after its thread, and
// operator new past a region's end.
#include <gtest/gtest.h>

#include <cstdint>
#include <algorithm>
#include <thread>
#include <vector>

#include "engine/cpu_stack.hpp"
#include "engine/huge_blocks.hpp"
#include "engine/scratch.hpp"

namespace mbz {
namespace {

// Under AddressSanitizer the blocks are operator new's (scratch.cpp), which it checks.
bool regions_used() {
  bool used = false;
  std::thread([&] {
    void* p = scratch_detail::take(64);
    used = scratch_detail::regions_made() > 0;
    scratch_detail::give(p, 64);
  }).join();
  return used;
}

TEST(Scratch, BlocksAreAlignedApartAndTheLastComesBack) {
  if (!regions_used()) GTEST_SKIP() << "no regions under AddressSanitizer";
  std::thread([] {
    auto* a = static_cast<uint8_t*>(scratch_detail::take(100));
    auto* b = static_cast<uint8_t*>(scratch_detail::take(1000));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % 64, 0u);
    EXPECT_GE(b, a + 100);
    for (int i = 0; i < 100; ++i) a[i] = 1;
    for (int i = 0; i < 1000; ++i) b[i] = 2;
    scratch_detail::give(b, 1000);  // the last: its room is taken again
    EXPECT_EQ(scratch_detail::take(1000), b);
    scratch_detail::give(a, 100);   // not the last: stays
    auto* c = static_cast<uint8_t*>(scratch_detail::take(10));
    EXPECT_GE(c, b + 1000);
    for (int i = 0; i < 100; ++i) ASSERT_EQ(a[i], 1);
  }).join();
}

TEST(Scratch, AGrowingBufferKeepsItsContents) {
  std::thread([] {
    ScratchVector<int32_t> v;
    for (int32_t n = 1; n <= 300000; n = n * 2 + 7) {
      const size_t old = v.size();
      int32_t* p = scratch(v, static_cast<size_t>(n));
      for (size_t i = 0; i < old; ++i) ASSERT_EQ(p[i], static_cast<int32_t>(i * 7 + 1)) << i;
      for (size_t i = old; i < static_cast<size_t>(n); ++i) p[i] = static_cast<int32_t>(i * 7 + 1);
    }
  }).join();
}

TEST(Scratch, LaterThreadsReuseTheRegions) {
  auto fill = [] {
    ScratchVector<uint8_t> v(1 << 20, 3);
    for (const uint8_t x : v) ASSERT_EQ(x, 3);
  };
  // Two at a time, many times: no more regions than threads ever held at
  // once (two, however the rounds happen to overlap).
  const size_t before = scratch_detail::regions_made();
  for (int round = 0; round < 12; ++round) {
    std::thread a(fill), b(fill);
    a.join(), b.join();
  }
  EXPECT_LE(scratch_detail::regions_made(), before + 2);
}

TEST(Scratch, PastTheRegionItIsOperatorNew) {
  std::thread([] {
    const size_t huge = (size_t{64} << 20) + 1;  // more than a region: never touched here
    void* p = scratch_detail::take(huge);
    ASSERT_NE(p, nullptr);
    scratch_detail::give(p, huge);
  }).join();
}

// Blocks from 256 KiB start a 2 MiB page (their own pages, whole); smaller
// ones are ordinary memory; either holds what is written.
TEST(HugeBlocks, BigBlocksStartAHugePage) {
  HugeBlockVector<int32_t> big(size_t{128} << 10, 7), small(1000, 5);  // 512 KiB, 4 KB
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big.data()) % (size_t{2} << 20), 0u);
  for (const int32_t x : big) ASSERT_EQ(x, 7);
  for (const int32_t x : small) ASSERT_EQ(x, 5);
  big.resize(size_t{1} << 20, 9);  // 4 MiB: a new block, the old contents copied
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big.data()) % (size_t{2} << 20), 0u);
  EXPECT_EQ(big[0], 7);
  EXPECT_EQ(big.back(), 9);
}

// A reset StackState is the one the constructor makes: every key component
// 128 (k = 0), every value 0, what had been written there gone; holds() tells
// the shapes it serves. A ring under 256 KiB and one above (on a 2 MiB
// page, of which only its own part is used).
TEST(HugeBlocks, AResetStackStateIsANewOne) {
  for (const int cap : {8, 300}) {
    CpuStack stack;
    stack.d = 64, stack.heads = 2, stack.dh = 32, stack.ffn = 128, stack.window = cap;
    stack.layers.resize(2);
    const int sequences = cap == 8 ? 4 : 16;
    StackState used(stack, sequences, cap);
    const StackState fresh(stack, sequences, cap);
    // Every ring's bytes written over, as stores would (store() itself is
    // multiversioned, callable from its own file only under clang).
    const size_t key_bytes = static_cast<size_t>(stack.dh) * cap, value_bytes = static_cast<size_t>(stack.dh) * ((cap + 3) / 4 * 4);
    for (int layer = 0; layer < 2; ++layer)
      for (int seq = 0; seq < sequences; ++seq)
        for (int h = 0; h < stack.heads; ++h) {
          std::fill_n(used.keys(layer, seq, h), key_bytes, uint8_t{7});
          std::fill_n(const_cast<int8_t*>(used.values(layer, seq, h)), value_bytes, int8_t{-9});
        }
    used.reset();
    for (int layer = 0; layer < 2; ++layer)
      for (int seq = 0; seq < sequences; ++seq)
        for (int h = 0; h < stack.heads; ++h) {
          const uint8_t* a = used.keys(layer, seq, h);
          const uint8_t* b = const_cast<StackState&>(fresh).keys(layer, seq, h);
          ASSERT_TRUE(std::equal(a, a + key_bytes, b)) << "keys, cap " << cap;
          ASSERT_EQ(b[0], 128);
          const int8_t* va = used.values(layer, seq, h);
          ASSERT_TRUE(std::all_of(va, va + value_bytes, [](int8_t x) { return x == 0; })) << "values, cap " << cap;
        }
    EXPECT_TRUE(used.holds(stack, sequences, cap));
    EXPECT_FALSE(used.holds(stack, sequences + 1, cap));
    EXPECT_FALSE(used.holds(stack, sequences, cap + 1));
    CpuStack deeper = stack;
    deeper.layers.resize(3);
    EXPECT_FALSE(used.holds(deeper, sequences, cap));
    CpuStack more_heads = stack;
    more_heads.heads = 4, more_heads.dh = 16;
    EXPECT_FALSE(used.holds(more_heads, sequences, cap));
    CpuStack wider = stack;
    wider.d = 128, wider.dh = 64;
    EXPECT_FALSE(used.holds(wider, sequences, cap));
  }
}

}  // namespace
}  // namespace mbz
