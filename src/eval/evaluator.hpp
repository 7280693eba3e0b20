// evaluator.hpp — one file through `mbz eval`: the adapter's flattening,
// the model's teacher-forced code length (no coder), and on request the real
// coded size, in-process zstd -19 / xz -9e sizes, and a surprisal picture.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "eval/report.hpp"
#include "mbz/mbz.hpp"

namespace mbz::eval {

struct EvalSettings {
  Options opts;                         // threads, segment size, device, adapter options
  std::shared_ptr<const Model> model;   // -m: codes every file; null: each modality's default model
  bool coded = false;                   // also compress for real and record the .mbz size
  bool zstd = false, xz = false;        // baselines
  bool share = false;                   // also the mixer alone and the model alone (FileRecord::mixer_bits, model_bits)
  std::string surprisal_dir;            // set: write a picture per file there
};

class Evaluator {
 public:
  explicit Evaluator(EvalSettings s);
  // Never throws for a bad input file: the record carries the error instead.
  // progress(bytes evaluated so far of this file) is called as segments finish.
  FileRecord run(const std::string& path, size_t index, const std::function<void(uint64_t)>& progress);
  // The picture written for the last run() ("" if none).
  const std::string& picture() const { return picture_; }

 private:
  std::shared_ptr<const Model> model_for(const std::string& modality);
  EvalSettings s_;
  std::function<std::shared_ptr<const Model>(const std::string&)> modality_models_;
  std::shared_ptr<const Model> text_model_;
  std::string picture_;
};

}  // namespace mbz::eval
