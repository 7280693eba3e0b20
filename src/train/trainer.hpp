// trainer.hpp — `mbz train`: trains a MEGABYTE model on byte files and exports
// it to the integer model format (docs/TRAINING.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/model_file.hpp"

namespace mbz::train {

struct TrainOptions {
  std::vector<std::string> data;   // files or directories to train on
  std::vector<std::string> valid;  // held-out files or directories (default: the last 2% of every data file)
  std::string adapter = "bytes";   // train on what this adapter gives the model (auto, bytes, pcm, image)
  std::string layout;              // the adapter's sample layout (empty: its default)
  std::string output;              // exported .mbzm
  std::string name;                // model name recorded in the file (default: output's stem)
  std::string checkpoint;          // checkpoint path (default: OUTPUT.ckpt)
  std::string log_csv;             // CSV log path (default: OUTPUT.csv)
  bool resume = false;             // continue from the checkpoint
  std::string init;                // start a new run from this checkpoint's weights and shape (not its optimizer or step)
  ModelConfig shape;               // architecture (ignored when resuming or starting from init)
  int64_t steps = 1000;
  int batch = 16;                  // windows per step
  int64_t context = 0;             // bytes per window (default: g_window patches)
  double lr = 2e-3, min_lr_ratio = 0.1, weight_decay = 0.1, clip = 1.0;
  int64_t warmup = 200;
  double qat_start = 0.0;          // fraction of steps trained in plain float before fake quantization starts
  uint64_t seed = 1;
  int threads = 1;
  bool balance = false;            // sample files uniformly instead of by size
  int64_t log_every = 50, valid_every = 500, checkpoint_every = 500;
  int valid_windows = 64;
  bool cuda = false;
  int verbosity = 1;
  int64_t stop_after = 0;          // tests: stop after this step as a killed run would (no export)
};

// Named architecture presets: "tiny", "small", "medium", "large".
ModelConfig shape_preset(const std::string& name);

struct TrainResult {
  int64_t steps = 0;
  double float_bpb = 0;    // held-out bpb of the float model with fake quantization
  double integer_bpb = 0;  // held-out bpb of the exported model, computed by the integer engine
  std::string sha256_hex;  // of the exported model file
};

// Trains (or resumes), writes checkpoints and the CSV log, exports the model,
// and reports the float and integer validation bpb. Throws mbz::Error.
TrainResult run_training(const TrainOptions& opts);

// Exports a checkpoint to a model file without training.
void export_checkpoint(const std::string& checkpoint, const std::string& output, const std::string& name);

}  // namespace mbz::train
