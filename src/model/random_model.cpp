// Seeded random models: the engine's test subjects until trained models ship,
// and a placeholder default. Same seed and config give the same weights on
// every platform (splitmix64, no std:: distributions); see the note in
// model_file.hpp about the LUTs.
#include <algorithm>
#include <cmath>

#include "common/splitmix64.hpp"
#include "model/model_file.hpp"

namespace mbz {

namespace {

IntTensor mult_tensor(int64_t n, double m) {
  IntTensor t{{n, 2}, std::vector<int32_t>(static_cast<size_t>(2 * n))};
  for (int64_t i = 0; i < n; ++i) dyadic_from_real(m, &t.data[2 * i]);
  return t;
}

}  // namespace

ModelConfig tiny_model_config() {
  ModelConfig c;
  c.patch = 4;
  c.g_dim = 64;
  c.g_layers = 2;
  c.g_heads = 2;
  c.g_ffn = 128;
  c.g_window = 16;
  c.l_dim = 32;
  c.l_layers = 1;
  c.l_heads = 2;
  c.l_ffn = 64;
  c.norm_scale = 32;
  c.act_half = 255;
  c.attn_prob_bits = 15;
  c.freq_total = 65536;
  return c;
}

std::vector<uint8_t> make_random_model(const std::string& name, const ModelConfig& c, uint64_t seed) {
  SplitMix64 rng{seed};
  std::map<std::string, IntTensor> t;
  const double wstd = 127.0 / std::sqrt(3.0);  // std of uniform int8 weights
  const double nstd = c.norm_scale;            // typical |norm output|
  const double resid = 1500.0;                 // typical residual magnitude

  for (const auto& s : expected_tensors(c)) {
    IntTensor x;
    x.shape = s.shape;
    switch (s.kind) {
      case TensorKind::weight:
        x.data.resize(static_cast<size_t>(x.numel()));
        for (auto& v : x.data) v = rng.uniform(-127, 127);
        break;
      case TensorKind::embedding:
        x.data.resize(static_cast<size_t>(x.numel()));
        for (auto& v : x.data) v = rng.uniform(-2600, 2600);
        break;
      case TensorKind::slope: {
        const int64_t h = s.shape[0];
        for (int64_t i = 0; i < h; ++i)
          x.data.push_back(static_cast<int32_t>(std::lround(64.0 * std::exp2(-8.0 * double(i + 1) / double(h)))));
        break;
      }
      case TensorKind::act_lut:
        for (int64_t i = -c.act_half; i <= c.act_half; ++i) {
          const double u = double(i) / 16.0;
          const double g = 0.5 * u * (1 + std::tanh(0.7978845608 * (u + 0.044715 * u * u * u)));
          const double q = std::round(g * 127.0 / (double(c.act_half) / 16.0));
          x.data.push_back(static_cast<int32_t>(std::max(-127.0, std::min(127.0, q))));
        }
        break;
      case TensorKind::attn_exp:  // score unit 1/64 nat
        for (int d = 0;; ++d) {
          const int32_t v = static_cast<int32_t>(std::lround(65536.0 * std::exp(-d / 64.0)));
          x.data.push_back(v);
          if (v == 0) break;
        }
        x.shape = {static_cast<int64_t>(x.data.size())};
        break;
      case TensorKind::out_exp:  // logit unit 1/32 nat
        for (int d = 0;; ++d) {
          const int32_t v = static_cast<int32_t>(std::lround(1048576.0 * std::exp(-d / 32.0)));
          x.data.push_back(v);
          if (v == 0) break;
        }
        x.shape = {static_cast<int64_t>(x.data.size())};
        break;
      case TensorKind::multiplier:
        break;  // set below, from the tensor's role
    }
    t[s.name] = std::move(x);
  }

  auto set_stack = [&](const std::string& prefix, int64_t layers, int64_t d, int64_t heads, int64_t ffn) {
    const double dh = double(d / heads);
    for (int64_t i = 0; i < layers; ++i) {
      const std::string p = prefix + std::to_string(i) + ".";
      t[p + "mqkv"] = mult_tensor(3 * d, 30.0 / (nstd * wstd * std::sqrt(double(d))));
      t[p + "mscore"] = mult_tensor(1, 64.0 / (30.0 * 30.0 * std::sqrt(dh)));
      t[p + "mav"] = mult_tensor(d, 1.0 / double(1 << c.attn_prob_bits));
      t[p + "mo"] = mult_tensor(d, 0.3 * resid / (30.0 * wstd * std::sqrt(double(d))));
      t[p + "m1"] = mult_tensor(ffn, 16.0 / (nstd * wstd * std::sqrt(double(d))));
      t[p + "m2"] = mult_tensor(d, 0.3 * resid / (40.0 * wstd * std::sqrt(double(ffn))));
    }
  };
  set_stack("g.", c.g_layers, c.g_dim, c.g_heads, c.g_ffn);
  set_stack("l.", c.l_layers, c.l_dim, c.l_heads, c.l_ffn);
  t["g2l.m"] = mult_tensor(c.patch * c.l_dim, resid / (nstd * wstd * std::sqrt(double(c.g_dim))));
  t["out.m"] = mult_tensor(256, 80.0 / (nstd * wstd * std::sqrt(double(c.l_dim))));
  return ModelFile::serialize(name, c, t);
}

}  // namespace mbz
