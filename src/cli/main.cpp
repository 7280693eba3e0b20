// mbz — command-line front end (zstd/xz-like) over the public mbz API.
//
//   mbz [compress|decompress|test|list] [options] [FILE...]
// Exit status: 0 success, 1 data or I/O error, 2 usage error.
#include <CLI/CLI.hpp>
#include <malloc.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/eval_command.hpp"
#include "cli/file_io.hpp"
#include "api/levels.hpp"
#include "cli/parse_words.hpp"
#include "cli/progress.hpp"
#include "cli/train_launcher.hpp"
#include "mbz/mbz.hpp"

namespace mbz::cli {
namespace {

enum class Mode { compress, decompress, test, list };

struct Args {
  Mode mode = Mode::compress;
  std::vector<std::string> files;
  std::string output;
  bool to_stdout = false, keep = false, remove_input = false, force = false;
  bool sparse = true;  // decompressing to a file: blocks of zeros stay holes
  int threads = 1;
  std::string model, device = "auto";
  int level = kDefaultLevel;
  std::string segment_size;  // empty: the level's
  std::string model_prefix;  // empty: the level's
  int byte_profile = 0;      // 0: the level's
  int image_profile = 0;     // 0: the level's
  int audio_profile = 0;     // 0: the level's
  int verbosity = 1;  // 0 quiet, 1 normal, 2+ verbose
  bool force_model = false;
  bool no_mix = false;
  std::string adapter = "auto", raw_pcm, raw_image, layout;
  bool media = false;
};

constexpr const char* kSuffix = ".mbz";

void message(const Args& a, int level, const std::string& text) {
  if (a.verbosity >= level) std::cerr << "mbz: " << text << "\n";
}

std::shared_ptr<const Model> chosen_model(const Args& a) {
  if (a.model.empty()) return level_model(a.level);
  if (a.model == "none") return Model::none();
  if (file_exists(a.model)) return Model::load(a.model);
  return find_model(a.model, "");
}

ModelResolver resolver(const Args& a) {
  if (a.model.empty()) return default_model_resolver();
  auto given = chosen_model(a);
  return [given](const std::string& name, const std::string& sha) {
    if (given->sha256_hex() == sha) return given;
    return find_model(name, sha);
  };
}

Options options(const Args& a, Progress* bar) {
  Options o;
  o.threads = a.threads;
  o.segment_size = a.segment_size.empty() ? level(a.level).segment_size : parse_size(a.segment_size);
  o.model_prefix = a.model_prefix.empty() ? level(a.level).model_prefix : parse_prefix(a.model_prefix);
  o.byte_profile = a.byte_profile ? a.byte_profile : level(a.level).byte_profile;
  o.image_profile = a.image_profile ? a.image_profile : level(a.level).image_profile;
  o.audio_profile = a.audio_profile ? a.audio_profile : level(a.level).audio_profile;
  o.device = a.device;
  o.force_model = a.force_model;
  o.mix = !a.no_mix;
  o.adapter = a.adapter;
  o.raw_pcm = a.raw_pcm;
  o.raw_image = a.raw_image;
  o.layout = a.layout;
  o.media = a.media;
  // -m MODEL codes every frame. Without it audio and images are coded by the
  // mixer alone at every level (levels.hpp), except with --no-mix, which
  // asks for the models alone.
  if (a.model.empty()) o.modality_model = level_modality_models(!a.no_mix);
  if (bar) o.progress = [bar](uint64_t in, uint64_t out) { bar->update(in, out); };
  return o;
}

std::string ratio_line(const std::string& name, uint64_t in, uint64_t out, const std::string& dest) {
  char buf[512];
  const double pct = in ? 100.0 * static_cast<double>(out) / static_cast<double>(in) : 0.0;
  const double bpb = in ? 8.0 * static_cast<double>(out) / static_cast<double>(in) : 0.0;
  std::snprintf(buf, sizeof buf, "%s: %6.2f%%  (%s => %s, %.3f bits/byte, %s)", name.c_str(), pct,
                human_bytes(in).c_str(), human_bytes(out).c_str(), bpb, dest.c_str());
  return buf;
}

std::string output_name(const Args& a, const std::string& input) {
  if (!a.output.empty()) return a.output;
  if (a.to_stdout || input == "-") return "-";
  if (a.mode == Mode::compress) return input + kSuffix;
  if (!ends_with(input, kSuffix)) throw Error(ErrorCode::invalid_argument, "unknown suffix (expected .mbz) -- ignored");
  std::string name = input.substr(0, input.size() - std::strlen(kSuffix));
  // A GIF coded with --media comes back as a PNG: name it so.
  if (ends_with(name, ".gif") || ends_with(name, ".GIF")) {
    InputFile peek(input);
    const FrameInfo f = inspect_stream(peek.stream());
    if (f.adapter_description.find("GIF") != std::string::npos && f.adapter_description.find("(not bytes)") != std::string::npos)
      name = name.substr(0, name.size() - 4) + ".png";
  }
  return name;
}

// Decodes a just-written .mbz file to check it before an input is removed.
void verify_file(const std::string& path, const Args& a) {
  InputFile in(path);
  Options o = options(a, nullptr);
  decompress_stream(in.stream(), nullptr, resolver(a), o);
}

void process(const Args& a, const std::string& input) {
  const std::string label = input == "-" ? "stdin" : input;
  if (a.mode == Mode::list) {
    InputFile in(input);
    bool first = true;
    do {
      FrameInfo f = inspect_stream(in.stream());
      const uint64_t segs = f.segments_model + f.segments_zstd + f.segments_stored;
      if (first) std::cout << "File: " << label << "\n";
      first = false;
      std::cout << "  Format version: " << f.format_version
                << (f.required_features.empty() ? "" : " (needs " + f.required_features + ")") << "\n"
                << "  Model:          " << f.model_name << "\n"
                << "  Model SHA-256:  " << f.model_sha256_hex << "\n"
                << "  Adapter:        " << f.adapter_description << "\n"
                << "  Original size:  " << f.original_size << " (" << human_bytes(f.original_size) << ")\n"
                << "  Compressed:     " << f.compressed_size << " (" << human_bytes(f.compressed_size) << ")\n";
      char buf[128];
      std::snprintf(buf, sizeof buf, "  Ratio:          %.3f (%.3f bits/byte)\n",
                    f.compressed_size ? double(f.original_size) / double(f.compressed_size) : 0.0,
                    f.original_size ? 8.0 * double(f.compressed_size) / double(f.original_size) : 0.0);
      std::cout << buf << "  Segments:       " << segs << " of up to " << f.segment_size << " bytes (" << f.segments_model
                << " model [" << f.segments_mixed << " mixed"
                << (f.segments_model_prefix ? ", " + std::to_string(f.segments_model_prefix) + " with a model prefix" : "")
                << "], " << f.segments_zstd << " zstd, " << f.segments_stored << " stored)\n";
      std::snprintf(buf, sizeof buf, "  Checksum:       XXH64 %016llx\n", static_cast<unsigned long long>(f.checksum));
      std::cout << buf;
    } while (in.stream().peek() != std::char_traits<char>::eof());
    return;
  }

  if (a.mode == Mode::compress && input != "-" && ends_with(input, kSuffix) && a.output.empty() && !a.to_stdout)
    throw Error(ErrorCode::invalid_argument, "already has .mbz suffix -- ignored");
  const std::string dest = a.mode == Mode::test ? "" : output_name(a, input);
  if (dest == "-" && a.mode == Mode::compress && is_stdout_tty() && !a.force)
    throw Error(ErrorCode::invalid_argument, "stdout is a terminal, refusing to write compressed data (use -f or -o)");
  if (!dest.empty() && dest != "-" && dest == input) throw Error(ErrorCode::invalid_argument, "input and output are the same file");

  InputFile in(input);
  Progress bar(a.verbosity >= 1 && is_stderr_tty(), label, regular_file_size(input));
  Options o = options(a, &bar);
  if (a.mode == Mode::compress) o.size_hint = regular_file_size(input).value_or(0);
  Stats st;
  if (a.mode == Mode::test) {
    st = decompress_stream(in.stream(), nullptr, resolver(a), o);
    bar.finish();
    message(a, 2, label + ": OK (" + std::to_string(st.out_bytes) + " bytes)");
    return;
  }
  {
    OutputFile out(dest, a.force, input, a.mode == Mode::decompress && a.sparse);
    if (a.mode == Mode::compress) st = compress_stream(in.stream(), out.stream(), *chosen_model(a), o);
    else st = decompress_stream(in.stream(), &out.stream(), resolver(a), o);
    out.commit(a.remove_input);
  }
  bar.finish();
  if (!st.adapter_declined.empty()) message(a, 1, label + ": coded as bytes: " + st.adapter_declined);
  if (a.mode == Mode::decompress && st.samples_only)
    message(a, 1, label + ": wrote " + dest + " with the original's samples/pixels; its bytes differ from the original file (--media)");
  if (st.adapter != 0) message(a, 2, label + ": " + st.adapter_description);
  const bool summary = a.verbosity >= 2 || (a.verbosity == 1 && is_stderr_tty() && dest != "-");
  if (summary) {
    if (a.mode == Mode::compress) std::cerr << ratio_line(label, st.in_bytes, st.out_bytes, dest) << "\n";
    else std::cerr << label << ": " << st.out_bytes << " bytes\n";
  }
  if (a.verbosity >= 2 && a.mode == Mode::compress) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "%s: segments: %llu model (%llu mixed), %llu zstd, %llu stored; model-coded: ideal %.0f bits, coded %llu bits (%+.3f%%)",
                  label.c_str(), static_cast<unsigned long long>(st.segments_model),
                  static_cast<unsigned long long>(st.segments_mixed),
                  static_cast<unsigned long long>(st.segments_zstd), static_cast<unsigned long long>(st.segments_stored),
                  st.model_ideal_bits, static_cast<unsigned long long>(8 * st.model_coded_bytes),
                  st.model_ideal_bits > 0 ? 100.0 * (8.0 * double(st.model_coded_bytes) / st.model_ideal_bits - 1) : 0.0);
    std::cerr << buf << "\n";
  }
  if (a.remove_input && input != "-" && dest != "-") {
    if (a.mode == Mode::compress) verify_file(dest, a);  // never lose the only copy
    if (std::remove(input.c_str()) != 0) throw Error(ErrorCode::io, "cannot remove input");
  }
}

int run(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  if (!words.empty() && words[0] == "train") return exec_train({words.begin() + 1, words.end()});
  if (!words.empty() && words[0] == "eval") return eval_main({words.begin() + 1, words.end()});
  Args a;
  bool explicit_mode = false;
  if (!words.empty()) {
    const std::string& w = words[0];
    if (w == "compress") a.mode = Mode::compress, explicit_mode = true;
    else if (w == "decompress") a.mode = Mode::decompress, explicit_mode = true;
    else if (w == "test") a.mode = Mode::test, explicit_mode = true;
    else if (w == "list") a.mode = Mode::list, explicit_mode = true;
    if (explicit_mode) words.erase(words.begin());
  }

  // CLI11 would take "-0" or "-12" for a file name (a negative number).
  for (const std::string& w : words) {
    if (w == "--") break;
    if (w.size() >= 2 && w[0] == '-' && std::all_of(w.begin() + 1, w.end(), ::isdigit) && !(w.size() == 2 && w[1] != '0')) {
      std::cerr << "mbz: no level " << w << " (levels are -1 to -9)\n";
      return 2;
    }
  }

  CLI::App app{"mbz: lossless compression with a MEGABYTE byte model"};
  app.set_version_flag("-V,--version", std::string("mbz ") + version_string() + " (format " +
                                           std::to_string(kFormatVersion) + "; CPU kernel " + cpu_kernel() + ")");
  app.footer("Commands: compress (default), decompress, test, list, eval (see mbz eval --help), train (see mbz train --help). With no FILE, or FILE \"-\", reads standard input.");
  bool f_compress = false, f_decompress = false, f_test = false, f_list = false, quiet = false;
  int verbose = 0;
  app.add_flag("-z,--compress", f_compress, "Compress (the default)");
  app.add_flag("-d,--decompress", f_decompress, "Decompress");
  app.add_flag("-t,--test", f_test, "Decode and verify checksums; write nothing");
  app.add_flag("-l,--list", f_list, "Show model, sizes, ratio and segments of .mbz files");
  app.add_option("-o,--output", a.output, "Write to FILE (one input only)");
  app.add_flag("-c,--stdout", a.to_stdout, "Write to standard output");
  app.add_flag("-k,--keep", a.keep, "Keep input files (the default)");
  app.add_flag("--rm", a.remove_input, "Remove input files after success (compressed output is verified first)");
  app.add_flag("-f,--force", a.force, "Overwrite existing outputs; write compressed data to a terminal");
  app.add_flag("--sparse,!--no-sparse", a.sparse,
               "Decompressing to a file: leave 4 KiB blocks of zeros as holes (the default; never on standard output)");
  app.add_option("-T,--threads", a.threads, "Worker threads (0: one per core)")->check(CLI::Range(0, 1024));
  app.add_option("-m,--model", a.model,
                 "Model file or model name; none: the context mixer alone (default: the level's; " +
                     std::string(default_model_name()) + " for bytes at levels 6-9)");
  app.add_option("--device", a.device, "Compute device: auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  app.add_option("--segment-size", a.segment_size, "Bytes per independently coded segment (default: the level's; e.g. 64K, 4M)");
  app.add_option("--model-prefix", a.model_prefix,
                 "With the model: how much of each segment it drives, the context mixer alone after that, several times "
                 "faster (default: the level's; e.g. 1M, or all)");
  app.add_option("--byte-profile", a.byte_profile,
                 "Mixer profile for bytes: 12 (levels 3-9 with the model; 10 whose weights start trained: ~1% smaller "
                 "small files; files mbz 0.20 on read), 14 (levels 3-9 without the model, as -m none; the same trained "
                 "without a model; files mbz 0.21 on read), 10 (files mbz 0.16-0.19 read), 7 (0.5-1% larger text, a tenth "
                 "faster; files mbz 0.11-0.15 read), 5 (a few percent larger text, faster; files mbz 0.9-0.10 read) or 1 "
                 "(levels 1-2: fastest; files mbz 0.3-0.8 read)")
      ->check(CLI::IsMember({1, 5, 7, 10, 12, 14}));
  const std::string small_image = std::to_string(kSmallImageBytes >> 10) + " KiB";  // where levels 3-6 take profile 11
  app.add_option("--image-profile", a.image_profile,
                 "Mixer profile for images: 13 (levels 3-9; levels 3-6 use 11 for images under " + small_image +
                     "; 9 with weights that start trained, 0.1-0.5% smaller; files mbz 0.21 on read), 9 (files mbz "
                     "0.13-0.20 read), 11 (6 with weights that start trained: small images ~1% smaller; files mbz 0.20 "
                     "on read), 6 (about 1.5x faster, 1.5% larger photos; files mbz 0.10-0.12 read) or 3 (levels 1-2: "
                     "about 4x faster; files mbz 0.4-0.9 read)")
      ->check(CLI::IsMember({3, 6, 9, 11, 13}));
  app.add_option("--audio-profile", a.audio_profile,
                 "Mixer profile for audio: 8 (levels 3-9) or 4 (levels 1-2: about 2x faster; files mbz 0.5-0.11 read)")
      ->check(CLI::IsMember({4, 8}));
  const auto size_words = [](uint32_t bytes) {  // "8 MiB", "512 KiB"
    const uint32_t kib = bytes >> 10;
    return kib >= 1024 ? std::to_string(kib >> 10) + " MiB" : std::to_string(kib) + " KiB";
  };
  for (int n = 1; n <= 9; ++n) {
    const Level& l = level(n);
    const std::string seg = size_words(l.segment_size);
    std::string model = "no model (the mixer alone)";
    if (l.text_model)
      model = l.model_prefix ? "bytes through the model for each segment's first " + size_words(l.model_prefix)
                             : "bytes through the model";
    const std::string bytes = l.byte_profile ? std::to_string(l.byte_profile) + " (bytes)"
                              : l.text_model ? "12 (bytes; 14 with -m none)" : "14 (bytes)";
    std::string what = model + ", " + seg + " segments, profiles " + bytes + ", " +
                       (l.image_profile ? std::to_string(l.image_profile) + " (images)" : "13 (images; 11 under " + small_image + ")") +
                       " and " + std::to_string(l.audio_profile) + " (audio)";
    if (n == kDefaultLevel) what += " (the default)";
    std::string names = "-" + std::to_string(n);
    if (n == 1) names += ",--fast";
    if (n == 9) names += ",--best";
    app.add_flag_callback(names, [&a, n] { a.level = n; }, "Level " + std::to_string(n) + ": " + what)->group("Levels");
  }
  app.add_option("--adapter", a.adapter, "Modality adapter: auto (by content), bytes, pcm or image")
      ->check(CLI::IsMember({"auto", "bytes", "pcm", "image"}));
  app.add_option("--raw-pcm", a.raw_pcm, "Headerless PCM: RATE:CHANNELS:FORMAT (u8 s8 s16le s16be s24le s24be s32le s32be)");
  app.add_option("--raw-image", a.raw_image, "Headerless pixels: WIDTHxHEIGHTxCHANNELS[:16|:16be]");
  app.add_option("--layout", a.layout, "Sample layout for the model (native, msb, planar, delta2, planar-delta2, med, planar-med)");
  app.add_flag("--media", a.media, "FLAC/PNG/GIF: code the decoded samples/pixels (restores identical samples/pixels, not bytes)");
  app.add_flag("--no-mix", a.no_mix,
               "Code with the model alone, without the adaptive context mixer (faster to encode; files readable by mbz 0.2)");
  app.add_flag("--force-model", a.force_model, "Testing/benchmarks: model-code every segment even if zstd or stored is smaller");
  app.add_flag("-v,--verbose", verbose, "More messages");
  app.add_flag("-q,--quiet", quiet, "No messages but errors");
  app.add_option("files", a.files, "Input files ('-' is standard input)");
  if (auto rc = parse_words(app, words)) return *rc;

  const int modes = int(f_compress) + int(f_decompress) + int(f_test) + int(f_list);
  if (modes > 1 || (explicit_mode && modes > 0)) {
    std::cerr << "mbz: choose one of compress, decompress (-d), test (-t), list (-l)\n";
    return 2;
  }
  if (f_decompress) a.mode = Mode::decompress;
  if (f_test) a.mode = Mode::test;
  if (f_list) a.mode = Mode::list;
  a.verbosity = quiet ? 0 : 1 + verbose;
  if (a.threads == 0) a.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  try {
    if (!a.segment_size.empty()) parse_size(a.segment_size);
  } catch (const std::exception&) {
    std::cerr << "mbz: invalid --segment-size '" << a.segment_size << "'\n";
    return 2;
  }
  try {
    if (!a.model_prefix.empty()) parse_prefix(a.model_prefix);
  } catch (const std::exception&) {
    std::cerr << "mbz: invalid --model-prefix '" << a.model_prefix << "' (a size up to 16M, or all)\n";
    return 2;
  }
  if (a.files.empty()) {
    if (is_stdin_tty() && a.mode != Mode::list) {
      std::cerr << "mbz: no input files and standard input is a terminal (try 'mbz --help')\n";
      return 2;
    }
    a.files.push_back("-");
  }
  if (!a.output.empty() && a.files.size() > 1) {
    std::cerr << "mbz: -o can only be used with a single input file\n";
    return 2;
  }
  if (a.files.size() > 1 || a.files[0] == "-") std::ios::sync_with_stdio(false);

  install_signal_cleanup();
  int status = 0;
  for (const auto& f : a.files) {
    try {
      process(a, f);
    } catch (const Error& e) {
      const int rc = e.code() == ErrorCode::invalid_argument ? 2 : 1;
      std::cerr << "mbz: " << (f == "-" ? "stdin" : f) << ": " << e.what() << "\n";
      status = std::max(status, rc);
    } catch (const std::exception& e) {
      std::cerr << "mbz: " << (f == "-" ? "stdin" : f) << ": unexpected error: " << e.what() << "\n";
      status = 1;
    }
  }
  return status;
}

}  // namespace
}  // namespace mbz::cli

int main(int argc, char** argv) {
  // The engine allocates and frees large tensors for every chunk; glibc would
  // return that memory to the kernel and fault it back in each time, which
  // measured 2-3x slower. Keep freed memory in the process instead.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return mbz::cli::run(argc, argv);
}
