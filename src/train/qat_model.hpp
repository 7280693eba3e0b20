// qat_model.hpp — the float MEGABYTE that `mbz train` optimizes, with fake
// quantization that mirrors the integer engine (docs/EXACTNESS.md §4), and its
// export to the integer model format (docs/TRAINING.md explains the mapping).
//
// Every place where the engine rounds or clamps an integer, the float model
// rounds or clamps the same real value on the same grid, with a
// straight-through gradient:
//   residual stream     multiples of 1/kResidScale, clamped to ±32767 units
//   RMSNorm output      multiples of 1/norm_scale, clamped to ±127 units
//   int8 weights        per-row scale max|row|/127 (norm gains folded in first)
//   q, k, v, attention  int8 with per-layer scales from running max-abs observers
//   scores              multiples of 1/kScoreUnit nat; ALiBi slopes are integers
//   attention weights   multiples of 2^-attn_prob_bits
//   pre-activation      multiples of 1/kActUnit, clamped to ±act_half units
//   activation (GELU)   int8 LUT output, 127 units = act_half/kActUnit
//   logits              multiples of 1/kLogitUnit nat
// Export turns the same quantities into integers and dyadic multipliers, so
// the engine computes what the float model computed, up to the LUT rounding
// of exp.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "model/model_file.hpp"

namespace mbz::train {

constexpr double kResidScale = 256;  // residual-stream integer units per 1.0
constexpr double kActUnit = 16;      // activation LUT index units per 1.0 of pre-activation
constexpr double kScoreUnit = 64;    // attention score units per nat (attention exp LUT step)
constexpr double kLogitUnit = 32;    // logit units per nat (output exp LUT step)

// Integer ALiBi slopes (score units per position) of a stack with `heads` heads.
std::vector<int64_t> alibi_slopes(int64_t heads);

struct StackParams {
  std::vector<torch::Tensor> norm1, wqkv, wo, norm2, w1, w2;
  std::vector<torch::Tensor> amax;  // buffers [4]: running max |q|, |k|, |v|, |attention output|
  std::vector<int64_t> slopes;
  int64_t dim = 0, heads = 0, ffn = 0, window = 0;
};

class MegabyteQatImpl : public torch::nn::Module {
 public:
  explicit MegabyteQatImpl(const ModelConfig& cfg, uint64_t seed = 1);

  // bytes [B, L] int64 with L a multiple of the patch size -> logits [B, L, 256] in nats.
  torch::Tensor forward(const torch::Tensor& bytes);

  // Fake quantization on (QAT) or off (plain float). Observers update in
  // training mode either way, so their scales are ready when QAT starts.
  void set_quantized(bool on) { quantized_ = on; }
  bool quantized() const { return quantized_; }
  const ModelConfig& config() const { return cfg_; }

  // Parameters that get weight decay (matrices) and those that do not.
  std::vector<torch::Tensor> decayed_parameters() const;
  std::vector<torch::Tensor> undecayed_parameters() const;

  // The integer model file image of the current weights and observer scales.
  std::vector<uint8_t> export_image(const std::string& name) const;

 private:
  torch::Tensor stack_forward(const StackParams& s, torch::Tensor x);
  torch::Tensor norm_q(const torch::Tensor& x) const;
  torch::Tensor weight_q(const torch::Tensor& w, const torch::Tensor& gain) const;
  torch::Tensor act_q(const torch::Tensor& x, const torch::Tensor& amax, int64_t which);
  torch::Tensor resid_q(const torch::Tensor& x) const;
  torch::Tensor alibi_bias(const StackParams& s, int64_t len, const torch::Device& dev) const;
  void make_stack(StackParams& s, const std::string& prefix, int64_t layers, int64_t dim, int64_t heads,
                  int64_t ffn, int64_t window);

  ModelConfig cfg_;
  bool quantized_ = true;
  StackParams global_, local_;
  torch::Tensor g_emb_, g_pad_, g_norm_, g2l_, l_emb_, out_norm_, out_w_;
};
TORCH_MODULE(MegabyteQat);

}  // namespace mbz::train
