// `mbz train`: options -> mbz::train::TrainOptions (docs/TRAINING.md).
#include "cli/train_command.hpp"
#include "cli/parse_words.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <thread>

#include "mbz/error.hpp"
#include "train/trainer.hpp"

namespace mbz::cli {

int train_main(std::vector<std::string> words) {
  train::TrainOptions o;
  std::string shape = "small", device = "cpu", export_from;
  bool quiet = false;
  int64_t patch = 0, g_dim = 0, g_layers = 0, g_heads = 0, g_window = 0, l_dim = 0, l_layers = 0, l_heads = 0;

  CLI::App app{"mbz train: train a MEGABYTE model on files and export it for mbz -m"};
  app.add_option("--data", o.data, "Training files or directories (recursive)")->expected(1, -1);
  app.add_option("--valid", o.valid, "Held-out files or directories (default: the last 2% of every training file)")
      ->expected(1, -1);
  app.add_option("--adapter", o.adapter, "Train on what this adapter gives the model: bytes (default), auto, pcm, image")
      ->check(CLI::IsMember({"auto", "bytes", "pcm", "image"}));
  app.add_option("--layout", o.layout, "The adapter's sample layout (default: its default; see mbz --help)");
  app.add_option("-o,--output", o.output, "Exported model file (.mbzm)")->required();
  app.add_option("--name", o.name, "Model name recorded in the file (default: the output's file name stem)");
  app.add_option("--shape", shape, "Architecture preset: tiny, small, medium, large")
      ->check(CLI::IsMember({"tiny", "small", "medium", "large"}));
  app.add_option("--patch", patch, "Override: bytes per patch");
  app.add_option("--global-dim", g_dim, "Override: global model width (feed-forward 4x)");
  app.add_option("--global-layers", g_layers, "Override: global model layers");
  app.add_option("--global-heads", g_heads, "Override: global attention heads");
  app.add_option("--window", g_window, "Override: global attention window, in patches");
  app.add_option("--local-dim", l_dim, "Override: local model width (feed-forward 4x)");
  app.add_option("--local-layers", l_layers, "Override: local model layers");
  app.add_option("--local-heads", l_heads, "Override: local attention heads");
  app.add_option("--steps", o.steps, "Optimizer steps (total, also when resuming)")->check(CLI::PositiveNumber);
  app.add_option("--batch", o.batch, "Windows per step")->check(CLI::Range(1, 65536));
  app.add_option("--context", o.context, "Bytes per training window (default: the global window)");
  app.add_option("--lr", o.lr, "Peak learning rate (AdamW)");
  app.add_option("--warmup", o.warmup, "Linear warm-up steps, then cosine decay to lr/10");
  app.add_option("--weight-decay", o.weight_decay, "AdamW weight decay of the matrices");
  app.add_option("--clip", o.clip, "Gradient norm clipping");
  app.add_option("--qat-start", o.qat_start, "Fraction of the steps trained without fake quantization")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--seed", o.seed, "Seed of the initial weights and of the data order");
  app.add_flag("--balance", o.balance, "Sample every training file equally often (default: by size)");
  app.add_option("-T,--threads", o.threads, "CPU threads (0: one per core)")->check(CLI::Range(0, 1024));
  app.add_option("--device", device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--log-every", o.log_every, "Steps between progress lines")->check(CLI::PositiveNumber);
  app.add_option("--valid-every", o.valid_every, "Steps between validations")->check(CLI::PositiveNumber);
  app.add_option("--valid-windows", o.valid_windows, "Held-out windows per validation")->check(CLI::PositiveNumber);
  app.add_option("--checkpoint", o.checkpoint, "Checkpoint file (default: OUTPUT.ckpt)");
  app.add_option("--checkpoint-every", o.checkpoint_every, "Steps between checkpoints")->check(CLI::PositiveNumber);
  app.add_flag("--resume", o.resume, "Continue from the checkpoint (same data and options)");
  app.add_option("--init", o.init,
                 "Start from this checkpoint's weights and shape: a new run (new optimizer, step 0, this command's "
                 "schedule and seed)");
  app.add_option("--log", o.log_csv, "CSV log (default: OUTPUT.csv; plot it with scripts/plot-training.sh)");
  app.add_option("--export", export_from, "Only export this checkpoint to OUTPUT, no training");
  app.add_flag("-q,--quiet", quiet, "No progress lines");
  if (auto rc = parse_words(app, words)) return *rc;
  o.verbosity = quiet ? 0 : 1;
  o.cuda = device == "cuda";
  if (o.threads == 0) o.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  try {
    if (!export_from.empty()) {
      train::export_checkpoint(export_from, o.output, o.name);
      return 0;
    }
    if (o.data.empty()) {
      std::cerr << "mbz train: --data is required\n";
      return 2;
    }
    if (!o.init.empty())
      for (const char* opt : {"--shape", "--patch", "--global-dim", "--global-layers", "--global-heads", "--window",
                              "--local-dim", "--local-layers", "--local-heads"})
        if (app.count(opt)) {
          std::cerr << "mbz train: " << opt << " with --init: the model's shape is the checkpoint's\n";
          return 2;
        }
    o.shape = train::shape_preset(shape);
    ModelConfig& c = o.shape;
    for (auto [value, field] : {std::pair{patch, &c.patch}, {g_dim, &c.g_dim}, {g_layers, &c.g_layers},
                                {g_heads, &c.g_heads}, {g_window, &c.g_window}, {l_dim, &c.l_dim},
                                {l_layers, &c.l_layers}, {l_heads, &c.l_heads}})
      if (value > 0) *field = value;
    if (g_dim > 0) c.g_ffn = 4 * g_dim;
    if (l_dim > 0) c.l_ffn = 4 * l_dim;
    train::run_training(o);
    return 0;
  } catch (const Error& e) {
    std::cerr << "mbz train: " << e.what() << "\n";
    return e.code() == ErrorCode::invalid_argument ? 2 : 1;
  } catch (const std::exception& e) {
    std::cerr << "mbz train: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace mbz::cli
