// `mbz eval`: bits per byte of a model on files and datasets (teacher-forced,
// no coder), per file and per modality, as a table, JSON lines or CSV;
// baselines, sharding and merging, and surprisal pictures.
#include "cli/eval_command.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/file_io.hpp"
#include "api/levels.hpp"
#include "cli/parse_words.hpp"
#include "cli/progress.hpp"
#include "eval/evaluator.hpp"
#include "eval/inputs.hpp"
#include "eval/surprisal.hpp"

namespace mbz::cli {

namespace {

struct EvalArgs {
  std::vector<std::string> paths;
  std::string model, device = "auto", format = "table", output, baseline, shard, surprisal;
  std::string adapter = "auto", raw_pcm, raw_image, layout;
  uint32_t segment_size = 0, model_prefix = 0;
  int byte_profile = 0;  // 0: by the model, as the default level
  int image_profile = 0;  // 0: by the image's size, as the default level
  int audio_profile = 8;
  int threads = 1;
  bool coded = false, force_model = false, no_mix = false, media = false, merge = false, quiet = false, share = false;
};

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// Writes the report to -o FILE (atomically) or standard output.
void emit(const EvalArgs& a, const std::vector<eval::FileRecord>& records) {
  const eval::Format f = eval::parse_format(a.format);
  if (a.output.empty() || a.output == "-") {
    eval::write_report(std::cout, f, records);
    std::cout.flush();
    return;
  }
  OutputFile out(a.output, true, "");
  eval::write_report(out.stream(), f, records);
  out.commit();
}

int run_merge(const EvalArgs& a) {
  std::vector<eval::FileRecord> all;
  for (const auto& p : a.paths) {
    auto part = eval::read_jsonl(p);
    all.insert(all.end(), part.begin(), part.end());
  }
  std::stable_sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.path < y.path; });
  emit(a, all);
  return 0;
}

int run_eval(const EvalArgs& a) {
  eval::EvalSettings s;
  s.opts.threads = a.threads;
  s.opts.segment_size = a.segment_size;
  s.opts.model_prefix = a.model_prefix;
  s.opts.byte_profile = a.byte_profile;
  s.opts.image_profile = a.image_profile;
  s.opts.audio_profile = a.audio_profile;
  s.opts.device = a.device;
  s.opts.force_model = a.force_model;
  s.opts.mix = !a.no_mix;
  s.opts.adapter = a.adapter;
  s.opts.raw_pcm = a.raw_pcm;
  s.opts.raw_image = a.raw_image;
  s.opts.layout = a.layout;
  s.opts.media = a.media;
  s.coded = a.coded;
  s.share = a.share;
  if (a.share && (a.no_mix || a.model == "none"))
    throw Error(ErrorCode::invalid_argument, "--share measures the model and the mixer against each other: not with --no-mix or -m none");
  for (const std::string& b : split_commas(a.baseline)) {
    if (b == "zstd") s.zstd = true;
    else if (b == "xz") s.xz = true;
    else throw Error(ErrorCode::invalid_argument, "unknown baseline '" + b + "' (zstd, xz)");
  }
  if (a.model == "none") s.model = Model::none();
  else if (!a.model.empty()) s.model = file_exists(a.model) ? Model::load(a.model) : find_model(a.model, "");
  Compressor(s.model ? *s.model : *Model::load_default(), s.opts);  // checks every option before any work
  if (!a.surprisal.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(a.surprisal, ec);
    if (ec) throw Error(ErrorCode::io, a.surprisal + ": cannot create (" + ec.message() + ")");
    s.surprisal_dir = a.surprisal;
  }
  eval::parse_format(a.format);

  std::vector<std::string> problems;
  std::vector<std::string> files = eval::expand_inputs(a.paths, problems);
  if (!a.shard.empty()) {
    int index = 0, count = 0;
    eval::parse_shard(a.shard, index, count);
    files = eval::shard(files, index, count);
  }
  std::vector<eval::FileRecord> records;
  for (const std::string& p : problems) {
    std::cerr << "mbz eval: " << p << " (skipped)\n";
    eval::FileRecord r;
    r.path = p.substr(0, p.find(": "));
    r.error = p.substr(p.find(": ") + 2);
    records.push_back(r);
  }
  uint64_t total = 0;
  for (const auto& f : files) total += regular_file_size(f).value_or(0);
  Progress bar(!a.quiet && is_stderr_tty(), "eval", total);
  eval::Evaluator ev(s);
  std::vector<std::string> pictures(records.size());
  uint64_t done = 0;
  double bits = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto detail = [&](uint64_t file_done) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "%zu/%zu files, %.3f bpb so far", i + 1, files.size(),
                    done ? bits / static_cast<double>(done) : 0.0);
      bar.update(done + file_done, buf);
    };
    eval::FileRecord r = ev.run(files[i], i + 1, detail);
    if (!r.error.empty()) std::cerr << "\rmbz eval: " << r.path << ": " << r.error << " (skipped)\033[K\n";
    done += r.bytes;
    bits += r.bits;
    records.push_back(std::move(r));
    pictures.push_back(ev.picture());
  }
  bar.finish();
  if (!s.surprisal_dir.empty()) {
    eval::write_surprisal_index(s.surprisal_dir, records, pictures);
    if (!a.quiet) std::cerr << "mbz eval: pictures in " << s.surprisal_dir << "/index.html\n";
  }
  std::stable_sort(records.begin(), records.end(), [](const auto& x, const auto& y) { return x.path < y.path; });
  emit(a, records);
  return 0;
}

}  // namespace

int eval_main(std::vector<std::string> words) {
  EvalArgs a;
  // As the default level codes them, unless set.
  std::string segment_size = std::to_string(level(kDefaultLevel).segment_size);
  std::string model_prefix = std::to_string(level(kDefaultLevel).model_prefix);
  CLI::App app{"mbz eval: bits per byte of a model on files and datasets"};
  app.footer(
      "PATH is a file, a directory (recursive) or @LIST (one path a line). Unreadable files are reported and skipped.\n"
      "Sharding: run 'mbz eval --shard I/N --format jsonl -o part-I.jsonl DATA' for I = 1..N (e.g. as a job array),\n"
      "then 'mbz eval --merge part-*.jsonl'.");
  app.add_option("paths", a.paths, "Files, directories or @LIST files (with --merge: JSON lines files)")->required();
  app.add_option("-m,--model", a.model, "Model file or name; none: the context mixer alone (default: each modality's default model)");
  app.add_option("-T,--threads", a.threads, "Worker threads (0: one per core)")->check(CLI::Range(0, 1024));
  app.add_option("--device", a.device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  app.add_option("--segment-size", segment_size, "Bytes per segment, as compression codes them (default 8M, level 6's)");
  app.add_option("--model-prefix", model_prefix,
                 "Bytes of each segment the model drives, the mixer alone after them, as compression codes them "
                 "(default 1M, level 6's; all: every byte)");
  app.add_option("--byte-profile", a.byte_profile,
                 "Mixer profile for bytes, as compression codes them: 12, 14, 10, 7, 5 or 1 (default: the default level's, 12 "
                 "with the model and 14 without)")
      ->check(CLI::IsMember({1, 5, 7, 10, 12, 14}));
  app.add_option("--image-profile", a.image_profile,
                 "Mixer profile for images, as compression codes them: 13, 9, 11, 6 or 3 (default: the default level's, 13 and 11 "
                 "for images under " + std::to_string(kSmallImageBytes >> 10) + " KiB)")
      ->check(CLI::IsMember({3, 6, 9, 11, 13}));
  app.add_option("--audio-profile", a.audio_profile, "Mixer profile for audio, as compression codes them: 8 (default) or 4")
      ->check(CLI::IsMember({4, 8}));
  app.add_option("--adapter", a.adapter, "auto, bytes, pcm or image")->check(CLI::IsMember({"auto", "bytes", "pcm", "image"}));
  app.add_option("--raw-pcm", a.raw_pcm, "Headerless PCM: RATE:CHANNELS:FORMAT");
  app.add_option("--raw-image", a.raw_image, "Headerless pixels: WIDTHxHEIGHTxCHANNELS[:16|:16be]");
  app.add_option("--layout", a.layout, "Sample layout for adapted inputs");
  app.add_flag("--media", a.media, "Evaluate the decoded samples/pixels of FLAC, PNG and GIF");
  app.add_flag("--coded", a.coded, "Also compress for real and report the .mbz size");
  app.add_flag("--no-mix", a.no_mix, "The model alone, without the adaptive context mixer (as mbz --no-mix codes)");
  app.add_flag("--share", a.share,
               "Also the bits of the context mixer alone (-m none) and of the model alone (--no-mix): the model's share");
  app.add_flag("--force-model", a.force_model, "With --coded: model-code every segment (no zstd/stored fallback)");
  app.add_option("--baseline", a.baseline, "Comma-separated: zstd (-19), xz (-9e), computed in-process");
  app.add_option("--format", a.format, "table (default), jsonl or csv")->check(CLI::IsMember({"table", "jsonl", "csv"}));
  app.add_option("-o,--output", a.output, "Write the report to FILE");
  app.add_option("--shard", a.shard, "Evaluate only shard I of N (1 <= I <= N) of the sorted file list");
  app.add_flag("--merge", a.merge, "Add up JSON lines results of shards (PATHs are .jsonl files)");
  app.add_option("--surprisal", a.surprisal, "Write a picture per input of where the bits went into DIR (see DIR/index.html)");
  app.add_flag("-q,--quiet", a.quiet, "No progress bar");
  if (auto rc = parse_words(app, words)) return *rc;
  try {
    a.segment_size = parse_size(segment_size);
  } catch (const std::exception&) {
    std::cerr << "mbz eval: invalid --segment-size '" << segment_size << "'\n";
    return 2;
  }
  try {
    a.model_prefix = parse_prefix(model_prefix);
  } catch (const std::exception&) {
    std::cerr << "mbz eval: invalid --model-prefix '" << model_prefix << "' (a size up to 16M, or all)\n";
    return 2;
  }
  if (a.threads == 0) a.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  try {
    return a.merge ? run_merge(a) : run_eval(a);
  } catch (const Error& e) {
    std::cerr << "mbz eval: " << e.what() << "\n";
    return e.code() == ErrorCode::invalid_argument ? 2 : 1;
  }
}

}  // namespace mbz::cli
