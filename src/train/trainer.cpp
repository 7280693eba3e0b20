// The training loop of `mbz train`: AdamW with warm-up and cosine decay,
// gradient clipping, fake quantization, validation, checkpoints, CSV log,
// export, and the float-vs-integer check of the exported model.
#include "train/trainer.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>

#include "common/hashes.hpp"
#include "engine/engine.hpp"
#include "mbz/error.hpp"
#include "train/dataset.hpp"
#include "train/qat_model.hpp"

namespace mbz::train {

using torch::Tensor;
using Clock = std::chrono::steady_clock;

namespace {

// The configuration in a checkpoint: the hyper-parameters in model-file order.
std::vector<int64_t> config_vector(const ModelConfig& c) {
  std::vector<int64_t> v;
  for (const ConfigField& f : config_fields()) v.push_back(c.*f.field);
  return v;
}

ModelConfig config_from(const std::vector<int64_t>& v) {
  const auto fields = config_fields();
  if (v.size() != fields.size()) throw Error(ErrorCode::bad_model, "checkpoint: bad configuration record");
  ModelConfig c;
  for (size_t i = 0; i < v.size(); ++i) c.*fields[i].field = v[i];
  return c;
}

// The model name recorded in an exported file: given, or the output's file name stem.
std::string model_name(const std::string& output, const std::string& name) {
  return name.empty() ? std::filesystem::path(output).stem().string() : name;
}

std::string human_duration(double s) {
  char buf[32];
  const long t = static_cast<long>(s);
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  else std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  return buf;
}

void write_file_atomically(const std::string& path, const std::vector<uint8_t>& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!f) throw Error(ErrorCode::io, "cannot write " + path);
  }
  std::filesystem::rename(tmp, path);
}

// The log of a resumed run: its header and the rows up to the checkpoint's
// step. Rows an interrupted run wrote after its last checkpoint are dropped;
// the resumed run writes them again.
void keep_log_rows_up_to(const std::string& csv, int64_t step) {
  std::ifstream in(csv);
  std::string kept, line;
  for (bool header = true; std::getline(in, line) && !in.eof(); header = false)  // eof: a torn last row
    if (header || std::strtoll(line.c_str(), nullptr, 10) <= step) kept += line + "\n";
  in.close();
  write_file_atomically(csv, std::vector<uint8_t>(kept.begin(), kept.end()));
}

// Validation windows cut to whole patches (the float model needs them; the
// engine does not, but both must see the same bytes).
std::vector<std::vector<uint8_t>> whole_patches(std::vector<std::vector<uint8_t>> w, int64_t patch) {
  std::vector<std::vector<uint8_t>> out;
  for (auto& v : w) {
    v.resize(v.size() / static_cast<size_t>(patch) * static_cast<size_t>(patch));
    if (!v.empty()) out.push_back(std::move(v));
  }
  return out;
}

Tensor to_batch(const std::vector<uint8_t>& flat, int64_t rows, int64_t len, const torch::Device& dev) {
  Tensor t = torch::empty({rows, len}, torch::TensorOptions().dtype(torch::kUInt8));
  std::memcpy(t.data_ptr<uint8_t>(), flat.data(), flat.size());
  return t.to(torch::kLong).to(dev);
}

// Mean bits per byte of the float model (in its current quantization mode) on the windows.
double float_bpb(MegabyteQat& model, const std::vector<std::vector<uint8_t>>& windows, int batch,
                 const torch::Device& dev) {
  torch::NoGradGuard no_grad;
  model->eval();
  std::map<size_t, std::vector<const std::vector<uint8_t>*>> by_len;
  for (const auto& w : windows) by_len[w.size()].push_back(&w);
  double bits = 0, bytes = 0;
  for (const auto& [len, group] : by_len) {
    for (size_t i = 0; i < group.size(); i += static_cast<size_t>(batch)) {
      const size_t n = std::min(group.size() - i, static_cast<size_t>(batch));
      std::vector<uint8_t> flat;
      for (size_t j = 0; j < n; ++j) flat.insert(flat.end(), group[i + j]->begin(), group[i + j]->end());
      Tensor x = to_batch(flat, static_cast<int64_t>(n), static_cast<int64_t>(len), dev);
      Tensor logits = model->forward(x);
      Tensor nll = torch::nn::functional::cross_entropy(logits.view({-1, 256}), x.view({-1}),
                                                        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
      bits += nll.item<double>() / std::log(2.0);
      bytes += static_cast<double>(n * len);
    }
  }
  model->train();
  return bytes > 0 ? bits / bytes : 0.0;
}

// Bits per byte of the exported integer model, computed by the engine: what
// the coder would pay (up to its <0.1% overhead).
double integer_bpb(std::shared_ptr<const ModelFile> model, const std::vector<std::vector<uint8_t>>& windows) {
  Engine engine(std::move(model), DeviceKind::cpu, 0);
  std::vector<ByteSpan> spans;
  double bytes = 0;
  for (const auto& w : windows) spans.push_back({w.data(), w.size()}), bytes += static_cast<double>(w.size());
  double bits = 0;
  for (const auto& seg : engine.evaluate(spans))
    for (const SymbolCode& s : seg) bits -= std::log2(static_cast<double>(s.freq) / static_cast<double>(s.total));
  return bytes > 0 ? bits / bytes : 0.0;
}

// What a checkpoint holds besides the weights and the optimizer: enough to
// continue exactly where the run was, its log included (the training loss
// summed since the last log row, so the next row averages the same steps).
struct Checkpoint {
  ModelConfig cfg;
  int64_t step = 0;
  double seconds = 0;
  uint64_t bytes_seen = 0;
  double loss_sum = 0;
  int64_t loss_count = 0;
};

void save_checkpoint(const std::string& path, MegabyteQat& model, torch::optim::AdamW& opt, const Checkpoint& c,
                     const TrainOptions& o) {
  torch::serialize::OutputArchive ar, mar, oar;
  model->save(mar);
  opt.save(oar);
  ar.write("model", mar);
  ar.write("optimizer", oar);
  ar.write("config", torch::tensor(config_vector(c.cfg)));
  ar.write("state", torch::tensor(std::vector<double>{static_cast<double>(c.step), c.seconds,
                                                      static_cast<double>(c.bytes_seen), c.loss_sum,
                                                      static_cast<double>(c.loss_count)},
                                  torch::TensorOptions().dtype(torch::kDouble)));
  ar.write("seed", torch::tensor(static_cast<int64_t>(o.seed)));
  const std::string tmp = path + ".tmp";
  ar.save_to(tmp);
  std::filesystem::rename(tmp, path);
}

Checkpoint read_checkpoint_header(torch::serialize::InputArchive& ar) {
  Tensor cfg, state;
  ar.read("config", cfg);
  ar.read("state", state);
  Checkpoint c;
  cfg = cfg.to(torch::kLong).contiguous();
  c.cfg = config_from(std::vector<int64_t>(cfg.data_ptr<int64_t>(), cfg.data_ptr<int64_t>() + cfg.numel()));
  state = state.to(torch::kDouble).contiguous();
  c.step = static_cast<int64_t>(state[0].item<double>());
  c.seconds = state[1].item<double>();
  c.bytes_seen = static_cast<uint64_t>(state[2].item<double>());
  if (state.numel() >= 5) {  // older checkpoints have no loss since the last log row
    c.loss_sum = state[3].item<double>();
    c.loss_count = static_cast<int64_t>(state[4].item<double>());
  }
  return c;
}

torch::serialize::InputArchive open_checkpoint(const std::string& path) {
  if (!std::filesystem::exists(path)) throw Error(ErrorCode::io, "no checkpoint at " + path);
  torch::serialize::InputArchive ar;
  try {
    ar.load_from(path);
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::bad_model, "cannot read checkpoint " + path + ": not a checkpoint or damaged");
  }
  return ar;
}

void check_shape(const ModelConfig& c) {
  auto fail = [](const std::string& why) { throw Error(ErrorCode::invalid_argument, "model shape: " + why); };
  if (c.patch < 1 || c.patch > 64) fail("patch size must be 1..64");
  if (c.g_dim <= 0 || c.g_dim % c.patch != 0) fail("global width must be a positive multiple of the patch size");
  if (c.g_heads <= 0 || c.g_dim % c.g_heads != 0) fail("global heads must divide the global width");
  if (c.l_dim <= 0 || c.l_heads <= 0 || c.l_dim % c.l_heads != 0) fail("local heads must divide the local width");
  if (c.g_layers < 1 || c.l_layers < 1 || c.g_ffn < 1 || c.l_ffn < 1 || c.g_window < 1) fail("layers, widths and window must be >= 1");
}

double learning_rate(const TrainOptions& o, int64_t step) {
  if (step < o.warmup) return o.lr * static_cast<double>(step + 1) / static_cast<double>(o.warmup);
  const double t = static_cast<double>(step - o.warmup) / static_cast<double>(std::max<int64_t>(1, o.steps - o.warmup));
  const double cosine = 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, t)));
  return o.lr * (o.min_lr_ratio + (1.0 - o.min_lr_ratio) * cosine);
}

}  // namespace

ModelConfig shape_preset(const std::string& name) {
  ModelConfig c;
  c.norm_scale = 32;
  c.act_half = 128;
  c.attn_prob_bits = 15;
  c.freq_total = 65536;
  auto set = [&](int64_t p, int64_t gd, int64_t gl, int64_t gh, int64_t gw, int64_t ld, int64_t ll, int64_t lh) {
    c.patch = p, c.g_dim = gd, c.g_layers = gl, c.g_heads = gh, c.g_ffn = 4 * gd, c.g_window = gw;
    c.l_dim = ld, c.l_layers = ll, c.l_heads = lh, c.l_ffn = 4 * ld;
  };
  if (name == "tiny") set(4, 64, 2, 2, 64, 32, 1, 2);
  else if (name == "small") set(8, 256, 4, 4, 256, 128, 2, 4);
  else if (name == "medium") set(8, 320, 5, 5, 256, 160, 2, 4);
  else if (name == "large") set(8, 512, 8, 8, 256, 256, 3, 4);
  else throw Error(ErrorCode::invalid_argument, "unknown model shape '" + name + "' (tiny, small, medium, large)");
  return c;
}

void export_checkpoint(const std::string& checkpoint, const std::string& output, const std::string& name) {
  auto ar = open_checkpoint(checkpoint);
  Checkpoint c = read_checkpoint_header(ar);
  MegabyteQat model(c.cfg);
  torch::serialize::InputArchive mar;
  ar.read("model", mar);
  model->load(mar);
  write_file_atomically(output, model->export_image(model_name(output, name)));
}

TrainResult run_training(const TrainOptions& o) {
  if (o.output.empty()) throw Error(ErrorCode::invalid_argument, "mbz train needs -o MODEL.mbzm");
  const std::string ckpt = o.checkpoint.empty() ? o.output + ".ckpt" : o.checkpoint;
  const std::string csv = o.log_csv.empty() ? o.output + ".csv" : o.log_csv;
  const std::string name = model_name(o.output, o.name);
  if (o.threads > 0) torch::set_num_threads(o.threads);
  const torch::Device dev = o.cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  if (o.cuda && !torch::cuda::is_available())
    throw Error(ErrorCode::device_unavailable, "CUDA requested but not available; use --device cpu");

  // Model and optimizer: fresh, from the run's checkpoint (resuming), or
  // from another run's weights (init): its shape, weights and activation
  // ranges, with a new optimizer, step 0 and this run's schedule and data
  // order. Resuming an init run reads its own checkpoint, which holds the init.
  Checkpoint state;
  torch::serialize::InputArchive ar;
  const std::string start = o.resume ? ckpt : o.init;  // the checkpoint the weights come from, if any
  if (!start.empty()) {
    ar = open_checkpoint(start);
    const Checkpoint from = read_checkpoint_header(ar);
    if (o.resume) state = from;
    else state.cfg = from.cfg;
  } else {
    state.cfg = o.shape;
    check_shape(state.cfg);
  }
  MegabyteQat model(state.cfg, o.seed);
  if (!start.empty()) {
    torch::serialize::InputArchive mar;
    ar.read("model", mar);
    model->load(mar);
  } else {
    ModelFile::parse(model->export_image(name), "the requested shape");  // every format bound
  }
  model->to(dev);
  model->train();
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(model->decayed_parameters(),
                      std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(o.lr)
                                                                       .betas({0.9, 0.95})
                                                                       .weight_decay(o.weight_decay)));
  groups.emplace_back(model->undecayed_parameters(),
                      std::make_unique<torch::optim::AdamWOptions>(
                          torch::optim::AdamWOptions(o.lr).betas({0.9, 0.95}).weight_decay(0.0)));
  torch::optim::AdamW opt(std::move(groups));
  if (o.resume) {
    torch::serialize::InputArchive oar;
    ar.read("optimizer", oar);
    opt.load(oar);
  }

  // Data.
  ByteCorpus train = ByteCorpus::load(o.data, o.adapter, o.layout);
  ByteCorpus held = o.valid.empty() ? train.split_tail(0.02) : ByteCorpus::load(o.valid, o.adapter, o.layout);
  const ModelConfig& cfg = state.cfg;
  const int64_t context = o.context > 0 ? o.context : cfg.g_window * cfg.patch;
  if (context % cfg.patch != 0) throw Error(ErrorCode::invalid_argument, "--context must be a multiple of the patch size");
  const auto windows = whole_patches(held.validation_windows(o.valid_windows, context), cfg.patch);
  if (o.verbosity >= 1) {
    std::cerr << "mbz train: " << train.file_count() << " files, " << train.total_bytes() << " bytes; held out "
              << held.total_bytes() << " bytes (" << windows.size() << " validation windows of " << context
              << " bytes)\nmbz train: model P=" << cfg.patch << " global " << cfg.g_dim << "x" << cfg.g_layers
              << " local " << cfg.l_dim << "x" << cfg.l_layers << ", " << model->parameters().size()
              << " tensors, context " << context << " bytes, batch " << o.batch << ", " << o.steps << " steps"
              << (o.resume ? ", resuming at step " + std::to_string(state.step) : "") << "\n";
  }

  const bool new_log = !o.resume || !std::filesystem::exists(csv);
  if (!new_log) keep_log_rows_up_to(csv, state.step);
  std::ofstream log(csv, new_log ? std::ios::trunc : std::ios::app);
  if (!log) throw Error(ErrorCode::io, "cannot write " + csv);
  if (new_log) log << "step,bytes,lr,train_bpb,valid_bpb,valid_int_bpb,seconds\n";

  const int64_t qat_step = static_cast<int64_t>(o.qat_start * static_cast<double>(o.steps));
  double& loss_sum = state.loss_sum;  // in the checkpoint
  int64_t& loss_count = state.loss_count;
  const auto t0 = Clock::now();
  const double seconds0 = state.seconds;
  auto elapsed = [&] { return seconds0 + std::chrono::duration<double>(Clock::now() - t0).count(); };
  const int64_t first_step = state.step;

  // Held-out bpb of the float model and, with fake quantization on, of its export.
  struct Validation {
    double float_bpb = -1, integer_bpb = -1;
    std::vector<uint8_t> image;
    std::shared_ptr<const ModelFile> exported;
  };
  auto validate = [&](bool with_integer) {
    Validation v;
    v.float_bpb = float_bpb(model, windows, o.batch, dev);
    if (with_integer) {
      v.image = model->export_image(name);
      v.exported = ModelFile::parse(v.image, o.output);
      v.integer_bpb = integer_bpb(v.exported, windows);
    }
    return v;
  };
  std::optional<Validation> final_check;  // the last step's, when it already measured the export
  auto log_row = [&](double lr, double train_bpb, double vb, double ib) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%lld,%llu,%.6g,%s,%s,%s,%.1f\n", static_cast<long long>(state.step),
                  static_cast<unsigned long long>(state.bytes_seen), lr,
                  train_bpb >= 0 ? std::to_string(train_bpb).c_str() : "",
                  vb >= 0 ? std::to_string(vb).c_str() : "", ib >= 0 ? std::to_string(ib).c_str() : "", elapsed());
    log << buf;
    log.flush();
  };

  for (; state.step < o.steps; ) {
    model->set_quantized(state.step >= qat_step);
    const double lr = learning_rate(o, state.step);
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
    Tensor x = to_batch(train.sample(o.seed, static_cast<uint64_t>(state.step), o.batch, context, o.balance), o.batch, context, dev);
    Tensor logits = model->forward(x);
    Tensor loss = torch::nn::functional::cross_entropy(logits.view({-1, 256}), x.view({-1}));
    // No gradient tensors before backward (not zeroed ones to add to), at
    // every step as at the first step after a resume: the same arithmetic.
    for (Tensor& p : model->parameters()) p.mutable_grad() = Tensor();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(model->parameters(), o.clip);
    opt.step();
    const double l = loss.item<double>();
    if (!std::isfinite(l)) throw Error(ErrorCode::internal, "training diverged (loss is not finite); try a lower --lr");
    loss_sum += l / std::log(2.0);
    ++loss_count;
    ++state.step;
    state.bytes_seen += static_cast<uint64_t>(o.batch * context);

    const bool last = state.step == o.steps;
    const bool do_valid = last || state.step % o.valid_every == 0;
    if (state.step % o.log_every == 0 || do_valid) {
      const double train_bpb = loss_sum / static_cast<double>(loss_count);
      Validation v;
      if (do_valid) v = validate(model->quantized());
      const double vb = v.float_bpb, ib = v.integer_bpb;
      log_row(lr, train_bpb, vb, ib);
      if (o.verbosity >= 1) {
        const double secs = elapsed() - seconds0;
        const double rate = static_cast<double>(state.step - first_step) * static_cast<double>(o.batch * context) / std::max(secs, 1e-9);
        const double eta = static_cast<double>(o.steps - state.step) * static_cast<double>(o.batch * context) / std::max(rate, 1e-9);
        char buf[256];
        std::snprintf(buf, sizeof buf, "step %lld/%lld  %.1f KB/s  lr %.2e  train %.3f bpb", static_cast<long long>(state.step),
                      static_cast<long long>(o.steps), rate / 1000.0, lr, train_bpb);
        std::cerr << buf;
        if (vb >= 0) std::snprintf(buf, sizeof buf, "  valid %.3f bpb", vb), std::cerr << buf;
        if (ib >= 0) std::snprintf(buf, sizeof buf, " (integer %.3f)", ib), std::cerr << buf;
        std::cerr << "  " << (model->quantized() ? "QAT" : "float") << "  ETA " << human_duration(eta) << "\n";
      }
      loss_sum = 0;
      loss_count = 0;
      if (last && v.exported) final_check = std::move(v);
    }
    if (last || state.step % o.checkpoint_every == 0) {
      state.seconds = elapsed();
      save_checkpoint(ckpt, model, opt, state, o);
    }
    if (state.step == o.stop_after) return TrainResult{state.step, 0, 0, ""};  // as if killed here
  }

  // Export and the float-vs-integer check on the held-out windows.
  model->set_quantized(true);
  const Validation done = final_check ? std::move(*final_check) : validate(true);
  const auto& image = done.image;
  const auto& exported = done.exported;
  const double fb = done.float_bpb, ib = done.integer_bpb;
  write_file_atomically(o.output, image);
  if (o.verbosity >= 1) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "mbz train: wrote %s (%zu bytes, SHA-256 %s)\nmbz train: held-out bpb: float (QAT) %.4f, "
                  "exported integer %.4f (%+.2f%%); %lld steps, %s of training\n",
                  o.output.c_str(), image.size(), to_hex(exported->sha256()).c_str(), fb, ib,
                  fb > 0 ? 100.0 * (ib / fb - 1.0) : 0.0, static_cast<long long>(state.step),
                  human_duration(elapsed()).c_str());
    std::cerr << buf;
  }
  return TrainResult{state.step, fb, ib, to_hex(exported->sha256())};
}

}  // namespace mbz::train
