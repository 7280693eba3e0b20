// report.hpp — what `mbz eval` measured, and its three renderings: a table
// for people, JSON lines and CSV for programs. JSON lines are also the input
// of --merge, which adds shard results up.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace mbz::eval {

struct FileRecord {
  std::string path;
  std::string adapter;   // bytes, pcm, image
  std::string modality;  // text, audio, image
  std::string model;     // model name
  uint64_t bytes = 0;    // the file's size
  double bits = 0;       // the model's ideal code length of what it codes
  double seconds = 0;    // evaluation time
  std::optional<uint64_t> coded_bytes, zstd_bytes, xz_bytes;
  // --share: the ideal code length of the context mixer alone (-m none) and
  // of the model alone (--no-mix); bits is then both together, the default.
  std::optional<double> mixer_bits, model_bits;
  std::string error;     // set: the file was skipped for this reason
};

// Totals over files (a modality's or all of them).
struct Summary {
  std::string name;  // modality, or "all"
  uint64_t files = 0, bytes = 0;
  double bits = 0, seconds = 0;
  std::optional<uint64_t> coded_bytes, zstd_bytes, xz_bytes;  // set when every file has it
  std::optional<double> mixer_bits, model_bits;               // the same
};

// The model's share of the result: the fraction of the mixer's bits alone
// that adding the model saves, 1 - bits / mixer_bits (0 without mixer bits).
double model_share(double bits, const std::optional<double>& mixer_bits);

// Per modality (text, audio, image order) then "all"; skipped files are not counted.
std::vector<Summary> summarize(const std::vector<FileRecord>& records);

enum class Format { table, jsonl, csv };
Format parse_format(const std::string& name);  // throws Error(invalid_argument)

void write_report(std::ostream& out, Format f, const std::vector<FileRecord>& records);

// Reads the file records of JSON lines written by write_report (summary
// lines are skipped). Throws Error(corrupt) naming the file and line.
std::vector<FileRecord> read_jsonl(const std::string& path);

}  // namespace mbz::eval
