// One Model shared read-only by many threads: every thread's output equals
// the single-threaded bytes, and every round trip is exact.
#include <gtest/gtest.h>

#include <thread>

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

}  // namespace
}  // namespace mbz
