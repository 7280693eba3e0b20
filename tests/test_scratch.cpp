// The engine's scratch regions (src/engine/scratch.hpp): blocks aligned and
// apart, the last one given back taken again, contents kept as a buffer
// grows, a region reused by the threads that come after its thread, and
// operator new past a region's end.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

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

}  // namespace
}  // namespace mbz
