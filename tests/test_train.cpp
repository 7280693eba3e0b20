// The trainer: a tiny real training run on a shipped sample (loss goes down,
// the export loads and matches the float model, the exported model codes a
// file), bit-identical resume, deterministic data order, clear errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_util.hpp"
#include "train/dataset.hpp"
#include "train/trainer.hpp"

namespace mbz {
namespace {

namespace fs = std::filesystem;

train::TrainOptions tiny_run(const test::Scratch& dir, int64_t steps) {
  train::TrainOptions o;
  o.data = {test::data_path("samples/gpl-3.0.txt")};
  o.output = dir / "tiny.mbzm";
  o.shape = train::shape_preset("tiny");
  o.steps = steps;
  o.batch = 8;
  o.context = 256;
  o.lr = 3e-3;
  o.warmup = 10;
  o.log_every = 10;
  o.valid_every = 40;
  o.checkpoint_every = 20;
  o.valid_windows = 8;
  o.threads = 1;
  o.verbosity = 0;
  return o;
}

// CSV rows: step,bytes,lr,train_bpb,valid_bpb,valid_int_bpb,seconds
std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(f, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string c;
    while (std::getline(ss, c, ',')) cells.push_back(c);
    rows.push_back(cells);
  }
  return rows;
}

TEST(Train, TinyRunLearnsExportsAndCodes) {
  const test::Scratch dir("mbz_train", true);
  auto o = tiny_run(dir, 80);
  o.qat_start = 0.5;  // half plain float, then fake quantization
  const train::TrainResult r = train::run_training(o);
  EXPECT_EQ(r.steps, 80);

  // Loss goes down: the log's last training bpb is well below the first (8 = uniform).
  const auto rows = read_csv(dir / "tiny.mbzm.csv");
  ASSERT_EQ(rows.size(), 9u);  // header + a row every 10 steps
  EXPECT_EQ(rows[0][0], "step");
  const double first = std::stod(rows[1][3]), last = std::stod(rows.back()[3]);
  EXPECT_GT(first, 6.5);
  EXPECT_LT(last, first - 1.5) << "training did not reduce the loss";

  // The exported integer model is within 2% of the float model on held-out bytes.
  EXPECT_GT(r.float_bpb, 0);
  EXPECT_LT(std::abs(r.integer_bpb / r.float_bpb - 1.0), 0.02)
      << "float " << r.float_bpb << " vs integer " << r.integer_bpb;

  // The file loads through the public API, has the reported identity, and
  // round-trips a file through the coder (every segment model-coded).
  auto model = Model::load(dir / "tiny.mbzm");
  EXPECT_EQ(model->sha256_hex(), r.sha256_hex);
  const auto text = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  Options opt;
  opt.force_model = true;
  opt.segment_size = 8192;
  const auto packed = compress(text.data(), text.size(), *model, opt);
  EXPECT_LT(packed.size(), text.size() * 6 / 8) << "a trained model should code text below 6 bits/byte";
  EXPECT_EQ(decompress(packed.data(), packed.size(), test::only(model), opt), text);
}

// Where two byte strings first differ ("" when they are equal).
std::string first_difference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  if (a == b) return "";
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return "sizes " + std::to_string(a.size()) + " and " + std::to_string(b.size()) + ", first difference at byte " +
         std::to_string(i);
}

TEST(Train, ResumeIsBitIdenticalToOneRun) {
  // One run of 40 steps, and the same run killed at step 32 (its last
  // checkpoint at step 20, a log row at step 30 written after it) and
  // resumed. Two folders; the cosine schedule of the whole run; fake
  // quantization starting at the resume point; log rows every 15 steps, so
  // the row at step 30 averages the loss of steps before and after the resume.
  const test::Scratch one("mbz_train_one", true), two("mbz_train_two", true);
  const auto run = [](const test::Scratch& dir) {
    auto o = tiny_run(dir, 40);
    o.qat_start = 0.5;
    o.log_every = 15;
    return o;
  };
  train::run_training(run(one));
  auto killed = run(two);
  killed.stop_after = 32;
  train::run_training(killed);
  EXPECT_FALSE(fs::exists(two / "tiny.mbzm"));
  EXPECT_EQ(read_csv(two / "tiny.mbzm.csv").size(), 3u);  // header, 15, 30
  auto resumed = run(two);
  resumed.resume = true;
  train::run_training(resumed);
  const auto model = test::read_file(one / "tiny.mbzm");
  EXPECT_EQ(first_difference(model, test::read_file(two / "tiny.mbzm")), "")
      << "the resumed run's model differs from the one run's";

  // The resumed log is the one run's (its rows past the checkpoint written
  // again, not twice), but for the seconds column.
  auto rows = read_csv(one / "tiny.mbzm.csv"), resumed_rows = read_csv(two / "tiny.mbzm.csv");
  ASSERT_EQ(rows.size(), 4u);  // header, 15, 30, 40
  EXPECT_EQ(rows.back()[0], "40");
  ASSERT_EQ(resumed_rows.size(), rows.size());
  for (size_t i = 1; i < rows.size(); ++i) rows[i].pop_back(), resumed_rows[i].pop_back();
  EXPECT_EQ(resumed_rows, rows);

  // Exporting the final checkpoint gives the same model file.
  train::export_checkpoint(two / "tiny.mbzm.ckpt", two / "again.mbzm", "tiny");
  EXPECT_EQ(first_difference(test::read_file(two / "again.mbzm"), model), "");
}

TEST(Train, InitStartsANewRunFromAnotherRunsWeights) {
  // A trained tiny run, and a second run started from its checkpoint with a
  // learning rate too small to move it: it scores what the first scored,
  // where a fresh run of the same options scores what random weights do. The
  // shape is the checkpoint's (the second run asks for another), the step
  // count and the log start afresh, and resuming the second run reads its own
  // checkpoint.
  const test::Scratch a("mbz_train_a", true), b("mbz_train_b", true), c("mbz_train_c", true);
  const train::TrainResult trained = train::run_training(tiny_run(a, 60));
  ASSERT_LT(trained.float_bpb, 6.0);
  const auto second = [&](const test::Scratch& dir, bool init) {
    auto o = tiny_run(dir, 4);
    o.lr = 1e-7;
    o.warmup = 1;
    o.valid_every = 4;
    o.shape.g_layers = 3;  // not the checkpoint's 2
    if (init) o.init = a / "tiny.mbzm.ckpt";
    return o;
  };
  const train::TrainResult from_a = train::run_training(second(b, true));
  const train::TrainResult fresh = train::run_training(second(c, false));
  EXPECT_NEAR(from_a.float_bpb, trained.float_bpb, 0.02 * trained.float_bpb);
  EXPECT_GT(fresh.float_bpb, trained.float_bpb + 1.0);
  EXPECT_EQ(from_a.steps, 4);
  const auto model = ModelFile::parse(test::read_file(b / "tiny.mbzm"), "init run");
  const auto original = ModelFile::parse(test::read_file(a / "tiny.mbzm"), "trained run");
  EXPECT_EQ(model->config().g_layers, original->config().g_layers);
  EXPECT_EQ(test::read_file(b / "tiny.mbzm").size(), test::read_file(a / "tiny.mbzm").size());
  const auto rows = read_csv(b / "tiny.mbzm.csv");
  ASSERT_EQ(rows.size(), 2u);  // header, 4
  EXPECT_EQ(rows[1][0], "4");

  // Resumed with more steps, the init run continues from its own step 4.
  auto more = second(b, true);
  more.steps = 6;
  more.resume = true;
  EXPECT_EQ(train::run_training(more).steps, 6);
  EXPECT_EQ(read_csv(b / "tiny.mbzm.csv").back()[0], "6");

  auto missing = second(c, false);
  missing.init = c / "no.ckpt";
  EXPECT_THROW(train::run_training(missing), Error);
}

TEST(Train, DataOrderDependsOnlyOnSeedAndStep) {
  const auto corpus = train::ByteCorpus::load({test::data_path("samples")});
  EXPECT_GE(corpus.file_count(), 2u);
  const auto a = corpus.sample(7, 123, 4, 512, false), b = corpus.sample(7, 123, 4, 512, false);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, corpus.sample(7, 124, 4, 512, false));
  EXPECT_NE(a, corpus.sample(8, 123, 4, 512, false));
  EXPECT_EQ(a.size(), 4u * 512u);
  const auto w = corpus.validation_windows(6, 1000);
  EXPECT_EQ(w.size(), 6u);
  for (const auto& v : w) EXPECT_LE(v.size(), 1000u);
}

TEST(Train, HeldOutTailIsRemovedFromTraining) {
  auto corpus = train::ByteCorpus::load({test::data_path("samples/gpl-3.0.txt")});
  const uint64_t before = corpus.total_bytes();
  const auto held = corpus.split_tail(0.02);
  EXPECT_EQ(corpus.total_bytes() + held.total_bytes(), before);
  EXPECT_EQ(held.total_bytes(), static_cast<uint64_t>(static_cast<double>(before) * 0.02));
}

TEST(Train, ClearErrors) {
  const test::Scratch dir("mbz_train", true);
  auto o = tiny_run(dir, 5);
  o.data = {dir / "missing.txt"};
  EXPECT_THROW(train::run_training(o), Error);

  o = tiny_run(dir, 5);
  o.context = 1 << 20;  // longer than any file
  EXPECT_THROW(train::run_training(o), Error);

  o = tiny_run(dir, 5);
  o.shape.g_dim = 66;  // not a multiple of the patch size
  EXPECT_THROW(train::run_training(o), Error);

  test::write_file(dir / "bad.ckpt", test::seeded_bytes(1000, 3));
  try {
    train::export_checkpoint(dir / "bad.ckpt", dir / "x.mbzm", "x");
    FAIL() << "a damaged checkpoint was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_model);
  }
  EXPECT_FALSE(fs::exists(dir / "x.mbzm"));
}

}  // namespace
}  // namespace mbz
