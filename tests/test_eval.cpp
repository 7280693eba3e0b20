// mbz eval: its ideal code length is the coder's, the coded size is within
// 1% of it, shards partition the file list and merge back to the unsharded
// result, reports parse, and unreadable files are skipped, not fatal.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "eval/evaluator.hpp"
#include "eval/inputs.hpp"
#include "eval/report.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

namespace fs = std::filesystem;

// A small dataset of real files of every modality (heads of the samples),
// in a folder removed when the test ends.
struct Dataset {
  test::Scratch folder{"mbz_eval_data", true};
  const std::string& dir = folder.path();
  Dataset();
};

Dataset::Dataset() {
  fs::create_directories(dir + "/sub");
  const auto head = [&](const std::string& sample, size_t n, const std::string& to) {
    auto b = test::read_file(test::data_path("samples/" + sample));
    b.resize(std::min(b.size(), n));
    test::write_file(dir + "/" + to, b);
  };
  head("gpl-3.0.txt", 6000, "gpl.txt");
  head("zstd_streaming_compression.c", 3000, "sub/code.c");
  head("README.md", 1200, "sub/readme.md");
  head("speech-en-8k.wav", 8044, "speech.wav");  // a truncated WAV: still pcm (header says more, libsndfile copes) or bytes
  // The photo's top 40 rows (320 x 40, its 15-byte header rewritten): an image as the adapter sees it,
  // small enough that the sanitizer trees' eval runs stay short.
  const auto photo = test::read_file(test::data_path("samples/photo-umang-gray-320.pgm"));
  const std::string top = "P5\n320 40\n255\n";
  std::vector<uint8_t> pgm(top.begin(), top.end());
  pgm.insert(pgm.end(), photo.begin() + 15, photo.begin() + 15 + 320 * 40);
  test::write_file(dir + "/sub/gray.pgm", pgm);
  head("photo-life-384.ppm", 2000, "cut.ppm");  // truncated PPM: bytes
}

eval::EvalSettings settings() {
  eval::EvalSettings s;
  s.model = test::golden_model();
  s.opts.segment_size = 4096;
  return s;
}

TEST(Eval, IdealBitsAreTheCodersAndCodedSizeIsWithinOnePercent) {
  const Dataset data;
  const std::string& dir = data.dir;
  eval::EvalSettings s = settings();
  s.coded = true;
  s.opts.force_model = true;
  eval::Evaluator ev(s);
  for (const char* name : {"gpl.txt", "sub/gray.pgm", "speech.wav"}) {
    const std::string path = dir + "/" + name;
    const eval::FileRecord r = ev.run(path, 1, {});
    ASSERT_TRUE(r.error.empty()) << r.error;
    const auto data = test::read_file(path);
    Options o = s.opts;
    Compressor c(*test::golden_model(), o);
    std::vector<uint8_t> out;
    c.write(data.data(), data.size(), out);
    c.finish(out);
    // The coder's tables: the compressor's ideal code length of its model-coded segments.
    EXPECT_NEAR(r.bits, c.stats().model_ideal_bits, 1e-6 * r.bits) << name;
    ASSERT_TRUE(r.coded_bytes.has_value());
    EXPECT_EQ(*r.coded_bytes, out.size());
    // Each segment adds the coder's flush and a mixed segment's profile and sample shape (<= 18 bytes).
    const double per_segment = 8.0 * 18 * static_cast<double>(c.stats().segments_model);
    EXPECT_LT(std::abs(8.0 * static_cast<double>(c.stats().model_coded_bytes) - r.bits), 0.01 * r.bits + per_segment) << name;
    // The whole file: plus the frame's headers and side information (well under 1 KiB here).
    EXPECT_LT(8.0 * static_cast<double>(*r.coded_bytes), 1.01 * r.bits + 8 * 1024) << name;
  }
}

// --share: the mixer alone, the model alone and both are the three runs
// one would make by hand (-m none, --no-mix, the default).
TEST(Eval, ShareIsTheThreeRunsByHand) {
  const Dataset data;
  const std::string& dir = data.dir;
  eval::EvalSettings s = settings();
  s.share = true;
  eval::Evaluator ev(s);
  eval::EvalSettings none = settings(), alone = settings();
  none.model = Model::none();
  alone.opts.mix = false;
  eval::Evaluator by_none(none), by_alone(alone), by_default(settings());
  for (const char* name : {"gpl.txt", "speech.wav"}) {
    const std::string path = dir + "/" + name;
    const eval::FileRecord r = ev.run(path, 1, {});
    ASSERT_TRUE(r.error.empty()) << r.error;
    ASSERT_TRUE(r.mixer_bits && r.model_bits) << name;
    EXPECT_EQ(r.bits, by_default.run(path, 1, {}).bits) << name;
    EXPECT_EQ(*r.mixer_bits, by_none.run(path, 1, {}).bits) << name;
    EXPECT_EQ(*r.model_bits, by_alone.run(path, 1, {}).bits) << name;
    EXPECT_NE(*r.mixer_bits, r.bits) << name;
    EXPECT_NE(*r.model_bits, r.bits) << name;
  }
}

TEST(Eval, RecordsKnowTheirModality) {
  const Dataset data;
  const std::string& dir = data.dir;
  eval::Evaluator ev(settings());
  EXPECT_EQ(ev.run(dir + "/sub/gray.pgm", 1, {}).modality, "image");
  EXPECT_EQ(ev.run(dir + "/cut.ppm", 1, {}).adapter, "bytes");
  EXPECT_EQ(ev.run(dir + "/gpl.txt", 1, {}).modality, "text");
}

TEST(Eval, ShardsCoverEveryFileExactlyOnce) {
  std::vector<std::string> files;
  for (int i = 0; i < 23; ++i) files.push_back("f" + std::to_string(100 + i));
  for (int n : {1, 2, 3, 7, 23, 40}) {
    std::multiset<std::string> seen;
    for (int i = 1; i <= n; ++i) {
      const auto part = eval::shard(files, i, n);
      EXPECT_LE(part.size(), (files.size() + n - 1) / n);
      seen.insert(part.begin(), part.end());
    }
    EXPECT_EQ(seen, std::multiset<std::string>(files.begin(), files.end())) << n;
  }
  int i = 0, n = 0;
  EXPECT_THROW(eval::parse_shard("0/3", i, n), Error);
  EXPECT_THROW(eval::parse_shard("4/3", i, n), Error);
  EXPECT_THROW(eval::parse_shard("1-3", i, n), Error);
  eval::parse_shard("2/3", i, n);
  EXPECT_EQ(std::make_pair(i, n), std::make_pair(2, 3));
}

TEST(Eval, MergedShardsEqualAnUnshardedRun) {
  const Dataset data;
  const std::string& dir = data.dir;
  std::vector<std::string> problems;
  const auto files = eval::expand_inputs({dir}, problems);
  ASSERT_EQ(files.size(), 6u);
  EXPECT_TRUE(problems.empty());
  eval::Evaluator ev(settings());
  std::vector<eval::FileRecord> whole;
  for (const auto& f : files) whole.push_back(ev.run(f, 1, {}));
  std::vector<eval::FileRecord> merged;
  for (int i = 1; i <= 3; ++i) {
    std::vector<eval::FileRecord> part;
    for (const auto& f : eval::shard(files, i, 3)) part.push_back(ev.run(f, 1, {}));
    const test::Scratch file("mbz_eval_shard" + std::to_string(i) + ".jsonl");
    const std::string& path = file.path();
    std::ofstream out(path);
    eval::write_report(out, eval::Format::jsonl, part);
    out.close();
    const auto back = eval::read_jsonl(path);
    merged.insert(merged.end(), back.begin(), back.end());
  }
  std::sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  ASSERT_EQ(merged.size(), whole.size());
  for (size_t k = 0; k < whole.size(); ++k) {
    EXPECT_EQ(merged[k].path, whole[k].path);
    EXPECT_EQ(merged[k].bytes, whole[k].bytes);
    EXPECT_EQ(merged[k].modality, whole[k].modality);
    EXPECT_NEAR(merged[k].bits, whole[k].bits, 1e-3);
  }
  const auto a = eval::summarize(merged), b = eval::summarize(whole);
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].name, b[k].name);
    EXPECT_EQ(a[k].bytes, b[k].bytes);
    EXPECT_NEAR(a[k].bits, b[k].bits, 0.01);
  }
}

TEST(Eval, ReportsParse) {
  std::vector<eval::FileRecord> rs(3);
  rs[0] = {"a \"quoted\", path.txt", "bytes", "text", "m", 100, 412.5, 0.25, std::nullopt, 40, 50, 500.0, 600.0, ""};
  rs[1] = {"b.wav", "pcm", "audio", "m", 1000, 5000, 1.5, std::nullopt, 700, 650, 5000.0, 5500.0, ""};
  rs[2].path = "gone.bin";
  rs[2].error = "cannot read";
  std::ostringstream j;
  eval::write_report(j, eval::Format::jsonl, rs);
  const test::Scratch file("mbz_eval_report.jsonl");
  const std::string& path = file.path();
  const std::string text = j.str();
  test::write_file(path, std::vector<uint8_t>(text.begin(), text.end()));
  const auto back = eval::read_jsonl(path);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].path, rs[0].path);
  EXPECT_EQ(*back[1].xz_bytes, 650u);
  EXPECT_EQ(back[2].error, "cannot read");
  EXPECT_EQ(*back[0].mixer_bits, 500.0);
  EXPECT_EQ(*back[1].model_bits, 5500.0);
  // The share of all: 1 - 5412.5 / 5500 bits.
  EXPECT_NE(j.str().find("\"mixer_bits\":5500.000,\"model_bits\":6100.000,\"model_share\":0.015909}"), std::string::npos)
      << j.str();
  EXPECT_NE(j.str().find("{\"summary\":\"all\",\"files\":2,\"bytes\":1100"), std::string::npos) << j.str();
  std::ostringstream c;
  eval::write_report(c, eval::Format::csv, rs);
  std::istringstream lines(c.str());
  std::string line;
  int n = 0, quoted = 0;
  while (std::getline(lines, line)) {
    ++n;
    int fields = 1;
    bool in_quotes = false;
    for (char ch : line) {
      if (ch == '"') in_quotes = !in_quotes, quoted += 1;
      else if (ch == ',' && !in_quotes) ++fields;
    }
    EXPECT_EQ(fields, 16) << line;
  }
  EXPECT_EQ(n, 1 + 3 + 3);  // header, records, text/audio/all summaries
  EXPECT_GT(quoted, 0);
  EXPECT_THROW(eval::read_jsonl(test::data_path("samples/gpl-3.0.txt")), Error);
}

TEST(Eval, UnreadableFilesAreSkippedNotFatal) {
  const Dataset data;
  const std::string& dir = data.dir;
  fs::create_symlink("/proc/self/mem", dir + "/unreadable.bin");  // a regular file no one can read from offset 0
  std::vector<std::string> problems;
  const auto files = eval::expand_inputs({dir, dir + "/missing.txt", "@" + dir + "/no-list"}, problems);
  EXPECT_EQ(problems.size(), 2u);
  eval::Evaluator ev(settings());
  int skipped = 0, done = 0;
  for (const auto& f : files) {
    const auto r = ev.run(f, 1, {});
    (r.error.empty() ? done : skipped) += 1;
  }
  EXPECT_EQ(skipped, 1);
  EXPECT_EQ(done, 6);
}

}  // namespace
}  // namespace mbz
