// One Model shared read-only by many threads: every thread's output equals
// the single-threaded bytes, and every round trip is exact.
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "common/aside_task.hpp"
#include "engine/engine.hpp"

#include "test_util.hpp"

namespace mbz {
namespace {

TEST(SharedModel, ManyThreadsGiveSingleThreadBytes) {
  // A fresh Model, so that its engine is created under contention too.
  auto model = Model::load(test::data_path("tests/golden/tiny-golden-v1.mbzm"));
  Options o;
  o.segment_size = 1024;
  o.force_model = true;
  std::vector<std::vector<uint8_t>> inputs;
  for (int i = 0; i < 8; ++i) inputs.push_back(test::seeded_bytes(1500 + 300 * i, 50 + i));
  std::vector<std::vector<uint8_t>> packed(inputs.size()), back(inputs.size());
  std::vector<std::string> errors(inputs.size());
  std::vector<std::thread> pool;
  for (size_t i = 0; i < inputs.size(); ++i)
    pool.emplace_back([&, i] {
      try {
        packed[i] = compress(inputs[i].data(), inputs[i].size(), *model, o);
        back[i] = decompress(packed[i].data(), packed[i].size(), test::only(model), o);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  for (auto& t : pool) t.join();
  for (size_t i = 0; i < inputs.size(); ++i) {
    ASSERT_EQ(errors[i], "") << "thread " << i;
    EXPECT_EQ(packed[i], compress(inputs[i].data(), inputs[i].size(), *model, o)) << "thread " << i;
    EXPECT_EQ(back[i], inputs[i]) << "thread " << i;
  }
}

// A thread lent to teacher forcing through ForcingHelp (as a waiting coder
// is) runs some of its tasks; the paths are the same as without it.
TEST(SharedModel, ForcingTasksRunByAHelperGiveTheSamePaths) {
  auto model = Model::load(test::data_path("tests/golden/tiny-golden-v1.mbzm"));
  const Engine& engine = model->impl().engine("cpu");
  std::vector<std::vector<uint8_t>> data;
  std::vector<ByteSpan> segs;
  for (int i = 0; i < 3; ++i) data.push_back(test::seeded_bytes(5000 + 700 * i, 70 + i));
  for (const auto& d : data) segs.push_back(ByteSpan{d.data(), d.size()});
  set_compute_threads(1);
  const auto want = engine.evaluate_paths(segs);
  std::vector<std::vector<mix::PackedCounts>> got(segs.size());
  for (size_t i = 0; i < segs.size(); ++i) got[i].resize(segs[i].size * 8);
  ForcingHelp help;
  EXPECT_FALSE(help.run_one());  // no forcing in progress
  std::atomic<bool> over{false};
  std::atomic<int> ran{0};
  std::thread helper([&] {
    while (!over.load()) ran += help.run_one() ? 1 : 0;
  });
  engine.evaluate_paths_into(segs, got, {}, {}, &help);
  over = true;
  helper.join();
  EXPECT_FALSE(help.run_one());  // closed when the forcing returned
  for (size_t i = 0; i < segs.size(); ++i)
    for (size_t j = 0; j < got[i].size(); ++j)
      ASSERT_TRUE(got[i][j].ones == want[i][j].ones && got[i][j].total_less_one == want[i][j].total_less_one) << "segment " << i << " decision " << j;
  std::cout << "tasks run by the helper: " << ran.load() << "\n";
}

// A result computed aside or by the caller is the same; so is what it throws.
TEST(AsideTask, GivesTheResultAndRethrowsEitherWay) {
  for (bool aside : {false, true}) {
    AsideTask<std::vector<uint8_t>> task([] { return std::vector<uint8_t>(1000, 7); }, aside);
    EXPECT_EQ(task.get(), std::vector<uint8_t>(1000, 7)) << aside;
    AsideTask<int> failing([]() -> int { throw std::runtime_error("no"); }, aside);
    EXPECT_THROW(failing.get(), std::runtime_error) << aside;
    AsideTask<int> dropped([] { return 1; }, aside);  // never asked: the destructor joins
  }
}

// A lone segment at -T 2 codes zstd on the idle core; the segment's bytes
// are those of -T 1, whichever coding wins (mixed, zstd or stored).
TEST(AsideTask, ZstdBesideALoneSegmentGivesTheSameBytes) {
  auto model = Model::load(test::data_path("tests/golden/tiny-golden-v1.mbzm"));
  std::vector<std::vector<uint8_t>> inputs = {test::seeded_bytes(3000, 5), std::vector<uint8_t>(4000, 'a')};
  std::string text;
  while (text.size() < 5000) text += "the quick brown fox jumps over the lazy dog; ";
  inputs.emplace_back(text.begin(), text.end());
  for (const auto& in : inputs)
    for (const Model* m : {model.get(), Model::none().get()}) {
      Options o;
      o.threads = 1;
      const std::vector<uint8_t> one = compress(in.data(), in.size(), *m, o);
      o.threads = 2;
      EXPECT_EQ(one, compress(in.data(), in.size(), *m, o)) << m->name() << " " << in.size();
    }
}

}  // namespace
}  // namespace mbz
