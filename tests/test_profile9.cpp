// Mixer profile 9's own blocks (src/mix/blocks/nibble_counters,
// image_textures) and its images of every width and layout: the golden
// files (test_golden_variants.cpp) pin its probabilities; these check the
// parts' arithmetic and the shapes the golden files do not reach.
#include <gtest/gtest.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>

#include "container/format.hpp"
#include "mbz/mbz.hpp"
#include "mix/blocks/nibble_counters.hpp"
#include "mix/mixed_coding.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

using mix::NibbleCounters;

// A counter moves 2/(2n + 3) of the way toward each bit, rounded the same
// way toward 4095 as toward 0, never leaves 1..4095, and counts to 15.
TEST(Profile9Blocks, CountersStepAsSpecified) {
  uint16_t c = NibbleCounters::kFresh;
  NibbleCounters::update(c, 1);  // n = 0: 2/3 of the way from 2048 to 4095, (4094 + 2) / 3
  EXPECT_EQ(NibbleCounters::p(c), 2048 + 1365);
  EXPECT_EQ(NibbleCounters::count(c), 1);
  uint16_t d = NibbleCounters::kFresh;
  NibbleCounters::update(d, 0);  // (-4096) / 3, C division
  EXPECT_EQ(NibbleCounters::p(d), 2048 - 1365);
  for (int i = 0; i < 100; ++i) NibbleCounters::update(c, 1);
  EXPECT_EQ(NibbleCounters::count(c), 15);
  EXPECT_LE(NibbleCounters::p(c), 4095);
  EXPECT_GT(NibbleCounters::p(c), 4000);
  for (int i = 0; i < 100; ++i) NibbleCounters::update(d, 0);
  EXPECT_GE(NibbleCounters::p(d), 1);
  EXPECT_LT(NibbleCounters::p(d), 96);
  // Every state stays in range whatever the bits.
  std::mt19937 rng(9);
  for (int i = 0; i < 100000; ++i) {
    NibbleCounters::update(c, static_cast<int>(rng() & 1));
    ASSERT_GE(NibbleCounters::p(c), 1);
    ASSERT_LE(NibbleCounters::p(c), 4095);
  }
}

// Two contexts share a line; a third takes the slot whose first counter has
// seen fewer bits, and a context found again gets its own counters back.
TEST(Profile9Blocks, SlotsAreFoundAndReplacedAsSpecified) {
  NibbleCounters t(64 * 4);
  const uint32_t a = 0x00010002, b = 0x00030002, c = 0x00050002;  // line 2, checks 1, 3, 5
  uint16_t* sa = t.find(a);
  ASSERT_EQ(NibbleCounters::count(sa[0]), 0);
  for (int i = 0; i < 5; ++i) NibbleCounters::update(sa[0], 1);
  uint16_t* sb = t.find(b);
  EXPECT_NE(sa, sb);
  NibbleCounters::update(sb[0], 0);
  EXPECT_EQ(t.find(a), sa);
  EXPECT_EQ(NibbleCounters::count(t.find(a)[0]), 5);
  uint16_t* sc = t.find(c);  // replaces b (1 bit seen) rather than a (5)
  EXPECT_EQ(sc, sb);
  EXPECT_EQ(sc[0], NibbleCounters::kFresh);
  EXPECT_EQ(t.find(a), sa);
  // A hash whose top 16 bits are 0 has check 1, never the 0 of a slot not used.
  NibbleCounters u(64);
  uint16_t* s0 = u.find(0);
  EXPECT_EQ(s0[0], NibbleCounters::kFresh);
  NibbleCounters::update(s0[0], 1);
  EXPECT_EQ(u.find(0), s0);
}

Options profile9_options(uint32_t segment_size) {
  Options o;
  o.segment_size = segment_size;
  o.image_profile = mix::kProfileImage9;
  o.force_model = true;
  return o;
}

// Images one, two and three pixels wide keep a slot a sample (sample_ring.hpp),
// wider ones a ring; segments of 1 KiB start inside rows and pixels; -T 1 and
// -T 2 write the same bytes (checked on one width: each case costs 10 s
// under the sanitizers, where profile 9 sets up its 60 MiB a segment slowly).
TEST(Profile9, ImagesOfEveryWidthRoundTrip) {
  test::expect_every_width_round_trips(mix::kProfileImage9);
  // Two threads code the segments to the same bytes.
  const auto image = test::gradient_pnm(37, 2200 / (37 * 3) + 2, 3, 8, 37 * 10 + 3);
  Options o = profile9_options(1024);
  const auto packed = compress(image.data(), image.size(), *Model::none(), o);
  o.threads = 2;
  EXPECT_EQ(compress(image.data(), image.size(), *Model::none(), o), packed);
}

// What it is for: on a photograph (the top half of the shipped grey sample,
// 320 x 90, one segment) it codes smaller than profile 6. Measured
// 2026-12-02: 5.1% smaller here (the whole sample 5.9%); held-out
// photographs 1.5% in all, from 0.3% to 8.4% a file (bench/RESULTS.md).
TEST(Profile9, SmallerThanProfile6OnAPhotograph) {
  const auto sample = test::read_file(test::data_path("samples/photo-umang-gray-320.pgm"));
  const std::string head = "P5\n320 180\n255\n", half = "P5\n320 90\n255\n";
  ASSERT_EQ(sample.size(), head.size() + 320 * 180);
  ASSERT_TRUE(std::equal(head.begin(), head.end(), sample.begin()));
  std::vector<uint8_t> pgm(half.begin(), half.end());
  pgm.insert(pgm.end(), sample.begin() + static_cast<std::ptrdiff_t>(head.size()),
             sample.begin() + static_cast<std::ptrdiff_t>(head.size() + 320 * 90));
  Options o = profile9_options(1 << 20);
  const size_t p9 = compress(pgm.data(), pgm.size(), *Model::none(), o).size();
  o.image_profile = mix::kProfileImage6;
  const size_t p6 = compress(pgm.data(), pgm.size(), *Model::none(), o).size();
  EXPECT_LT(static_cast<double>(p9), 0.97 * static_cast<double>(p6)) << p9 << " vs " << p6;
}

// The resident memory a decoding adds, in KiB, measured in a child process
// (the test process's own peak is already what earlier tests left) that
// first gives back the free pages it inherited.
long decoding_rss_kib(const std::vector<uint8_t>& packed) {
  const pid_t pid = fork();
  if (pid == 0) {
#if defined(__GLIBC__)
    malloc_trim(0);  // start from no free pages of the parent's heap
#endif
    long pages = 0, resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
      std::fclose(f);
    }
    Options o;
    o.threads = 1;
    decompress(packed.data(), packed.size(), test::only(Model::none()), o);
    rusage r{};
    getrusage(RUSAGE_SELF, &r);
    const long added = r.ru_maxrss - resident * (sysconf(_SC_PAGESIZE) / 1024);
    _exit(static_cast<int>(std::clamp(added / 1024, 0L, 250L)));  // MiB, in the exit status
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) * 1024L : -1;
}

// Every profile-9 segment sets up about 60 MiB of tables; they are given back
// after it (common/release_memory.hpp), so decoding 24 segments on one thread
// takes no more memory than decoding 4: glibc alone let the heap grow by about
// 33 MiB a segment. Not under the sanitizers, whose allocators hold freed
// memory on purpose.
TEST(Profile9, MemoryDoesNotGrowWithTheSegments) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizers' allocators keep freed memory";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  GTEST_SKIP() << "the sanitizers' allocators keep freed memory";
#endif
#endif
  const auto few = test::gradient_pnm(40, 34, 3, 8, 91), many = test::gradient_pnm(40, 205, 3, 8, 91);  // 4 and 24 segments of 1 KiB
  const long a = decoding_rss_kib(compress(few.data(), few.size(), *Model::none(), profile9_options(1024)));
  const long b = decoding_rss_kib(compress(many.data(), many.size(), *Model::none(), profile9_options(1024)));
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  EXPECT_LE(b, a + 24 * 1024) << "MiB: " << a / 1024 << " for 4 segments, " << b / 1024 << " for 24";
}

// A profile-9 segment must say an image of MED residuals, as profile 6's:
// anything else is a corrupt segment, not a crash.
TEST(Profile9, SegmentsOfOtherFormatsAreCorrupt) {
  const auto ppm = test::read_file(test::data_path("tests/golden/photo-32x24.ppm"));
  const auto packed = compress(ppm.data(), ppm.size(), *Model::none(), profile9_options(1024));
  FrameHeader h;
  const size_t block = parse_header(packed.data(), packed.size(), h, "");
  const size_t at = block + kBlockHeaderSize;
  ASSERT_EQ(packed[at], mix::kProfileImage9);
  ASSERT_EQ(packed[at + 13], 1 | mix::kValueSigned | mix::kValueMed);
  for (const uint8_t bad : {uint8_t{0x01}, uint8_t{0x81}, uint8_t{0xE1}, uint8_t{0xA1}, uint8_t{0x40}}) {
    auto damaged = packed;
    damaged[at + 13] = bad;
    try {
      decompress(damaged.data(), damaged.size(), test::only(Model::none()), Options{});
      FAIL() << "value format " << int{bad} << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::corrupt) << int{bad};
    }
  }
}

}  // namespace
}  // namespace mbz
