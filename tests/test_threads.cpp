// One Model shared read-only by many threads: every thread's output equals
// the single-threaded bytes, and every round trip is exact.
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <thread>

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
  std::vector<std::vector<mix::NodeCounts>> got(segs.size());
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
      ASSERT_TRUE(got[i][j].ones == want[i][j].ones && got[i][j].total == want[i][j].total) << "segment " << i << " decision " << j;
  std::cout << "tasks run by the helper: " << ran.load() << "\n";
}

}  // namespace
}  // namespace mbz
