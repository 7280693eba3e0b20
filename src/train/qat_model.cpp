// The float MEGABYTE with fake quantization, and its export to .mbzm.
// Dimension legend as in engine.cpp: B batch, C positions, K patches, P patch
// size, D width, H heads, dh head width, F feed-forward width.
#include "train/qat_model.hpp"

#include <cmath>
#include <limits>
#include <map>

#include "mbz/error.hpp"

namespace mbz::train {

using torch::Tensor;

namespace {

constexpr double kResidMax = kResidualMax;

// x in the forward pass, the gradient of the identity backward (straight-through).
Tensor ste(const Tensor& x, const Tensor& q) { return x + (q - x).detach(); }

// Round to multiples of 1/scale within [lo, hi] integer units; no gradient
// outside the range, straight-through inside.
Tensor fake_quant(const Tensor& x, double scale, double lo, double hi) {
  Tensor c = x.clamp(lo / scale, hi / scale);
  return ste(c, torch::round(c * scale) / scale);
}

Tensor fake_round(const Tensor& x, double scale) { return ste(x, torch::round(x * scale) / scale); }

double gelu(double u) { return 0.5 * u * (1.0 + std::erf(u / std::sqrt(2.0))); }

// Activation LUT output units per 1.0: 127 units at the largest index.
double act_scale(const ModelConfig& c) { return 127.0 * kActUnit / static_cast<double>(c.act_half); }

}  // namespace

std::vector<int64_t> alibi_slopes(int64_t heads) {
  std::vector<int64_t> s;
  for (int64_t h = 0; h < heads; ++h)
    s.push_back(std::llround(kScoreUnit * std::exp2(-8.0 * static_cast<double>(h + 1) / static_cast<double>(heads))));
  return s;
}

MegabyteQatImpl::MegabyteQatImpl(const ModelConfig& cfg, uint64_t seed) : cfg_(cfg) {
  torch::manual_seed(seed);
  const int64_t p = cfg.patch;
  auto normal = [](std::vector<int64_t> shape, double std) { return torch::randn(shape) * std; };
  g_emb_ = register_parameter("g_emb", normal({256, cfg.g_dim / p}, 1.0));
  g_pad_ = register_parameter("g_pad", normal({cfg.g_dim}, 1.0));
  make_stack(global_, "g", cfg.g_layers, cfg.g_dim, cfg.g_heads, cfg.g_ffn, cfg.g_window);
  g_norm_ = register_parameter("g_norm", torch::ones({cfg.g_dim}));
  g2l_ = register_parameter("g2l", normal({p * cfg.l_dim, cfg.g_dim}, 1.0 / std::sqrt(double(cfg.g_dim))));
  l_emb_ = register_parameter("l_emb", normal({257, cfg.l_dim}, 1.0));
  make_stack(local_, "l", cfg.l_layers, cfg.l_dim, cfg.l_heads, cfg.l_ffn, p);
  out_norm_ = register_parameter("out_norm", torch::ones({cfg.l_dim}));
  out_w_ = register_parameter("out_w", normal({256, cfg.l_dim}, 1.0 / std::sqrt(double(cfg.l_dim))));
}

void MegabyteQatImpl::make_stack(StackParams& s, const std::string& prefix, int64_t layers, int64_t dim,
                                 int64_t heads, int64_t ffn, int64_t window) {
  s.dim = dim, s.heads = heads, s.ffn = ffn, s.window = window;
  s.slopes = alibi_slopes(heads);
  // Residual branches start small so the stack starts near the identity.
  const double branch = 1.0 / std::sqrt(2.0 * static_cast<double>(layers));
  for (int64_t i = 0; i < layers; ++i) {
    const std::string p = prefix + std::to_string(i) + "_";
    s.norm1.push_back(register_parameter(p + "norm1", torch::ones({dim})));
    s.wqkv.push_back(register_parameter(p + "wqkv", torch::randn({3 * dim, dim}) / std::sqrt(double(dim))));
    s.wo.push_back(register_parameter(p + "wo", torch::randn({dim, dim}) * (branch / std::sqrt(double(dim)))));
    s.norm2.push_back(register_parameter(p + "norm2", torch::ones({dim})));
    s.w1.push_back(register_parameter(p + "w1", torch::randn({ffn, dim}) / std::sqrt(double(dim))));
    s.w2.push_back(register_parameter(p + "w2", torch::randn({dim, ffn}) * (branch / std::sqrt(double(ffn)))));
    s.amax.push_back(register_buffer(p + "amax", torch::zeros({4})));
  }
}

std::vector<Tensor> MegabyteQatImpl::decayed_parameters() const {
  std::vector<Tensor> v{g2l_, out_w_};
  for (const StackParams* s : {&global_, &local_})
    for (size_t i = 0; i < s->wqkv.size(); ++i)
      for (const Tensor& t : {s->wqkv[i], s->wo[i], s->w1[i], s->w2[i]}) v.push_back(t);
  return v;
}

std::vector<Tensor> MegabyteQatImpl::undecayed_parameters() const {
  std::vector<Tensor> v{g_emb_, g_pad_, g_norm_, l_emb_, out_norm_};
  for (const StackParams* s : {&global_, &local_})
    for (size_t i = 0; i < s->norm1.size(); ++i) v.push_back(s->norm1[i]), v.push_back(s->norm2[i]);
  return v;
}

Tensor MegabyteQatImpl::resid_q(const Tensor& x) const {
  return quantized_ ? fake_quant(x, kResidScale, -kResidMax, kResidMax) : x;
}

Tensor MegabyteQatImpl::norm_q(const Tensor& x) const {
  Tensor y = x * torch::rsqrt(x.square().mean(-1, true) + 1e-10);
  const double nq = static_cast<double>(cfg_.norm_scale);
  return quantized_ ? fake_quant(y, nq, -127, 127) : y;
}

Tensor MegabyteQatImpl::weight_q(const Tensor& w, const Tensor& gain) const {
  Tensor eff = gain.defined() ? w * gain.unsqueeze(0) : w;
  if (!quantized_) return eff;
  Tensor step = eff.detach().abs().amax(1, true).clamp_min(1e-12) / 127.0;
  return ste(eff, torch::round(eff / step) * step);
}

Tensor MegabyteQatImpl::act_q(const Tensor& x, const Tensor& amax, int64_t which) {
  if (is_training()) {
    torch::NoGradGuard no_grad;
    Tensor m = x.detach().abs().max();
    Tensor slot = amax.narrow(0, which, 1);
    if (slot.item<double>() == 0) slot.copy_(m.view({1}));
    else slot.mul_(0.99).add_(m.view({1}) * 0.01);
  }
  if (!quantized_) return x;
  const double scale = 127.0 / std::max(amax[which].item<double>(), 1e-6);
  return fake_quant(x, scale, -127, 127);
}

Tensor MegabyteQatImpl::alibi_bias(const StackParams& s, int64_t len, const torch::Device& dev) const {
  Tensor pos = torch::arange(len, torch::TensorOptions().dtype(torch::kFloat));
  Tensor dist = pos.unsqueeze(1) - pos.unsqueeze(0);  // query minus key, [C, C]
  Tensor slopes = torch::empty({s.heads, 1, 1});
  for (int64_t h = 0; h < s.heads; ++h) slopes[h] = static_cast<double>(s.slopes[h]) / kScoreUnit;
  Tensor bias = -(slopes * dist.unsqueeze(0));
  Tensor invalid = (dist < 0).logical_or(dist >= static_cast<double>(s.window));
  return bias.masked_fill(invalid.unsqueeze(0), -std::numeric_limits<float>::infinity()).to(dev);
}

Tensor MegabyteQatImpl::stack_forward(const StackParams& s, Tensor x) {
  const int64_t b = x.size(0), c = x.size(1), h = s.heads, dh = s.dim / s.heads;
  const double inv_sqrt = 1.0 / std::sqrt(static_cast<double>(dh));
  const double prob_scale = std::ldexp(1.0, static_cast<int>(cfg_.attn_prob_bits));
  const double g = static_cast<double>(cfg_.act_half);
  Tensor bias = alibi_bias(s, c, x.device());
  for (size_t i = 0; i < s.wqkv.size(); ++i) {
    Tensor qkv = torch::matmul(norm_q(x), weight_q(s.wqkv[i], s.norm1[i]).t());
    auto parts = qkv.chunk(3, -1);
    auto heads = [&](const Tensor& t) { return t.reshape({b, c, h, dh}).transpose(1, 2); };
    Tensor q = heads(act_q(parts[0], s.amax[i], 0));
    Tensor k = heads(act_q(parts[1], s.amax[i], 1));
    Tensor v = heads(act_q(parts[2], s.amax[i], 2));
    Tensor score = torch::matmul(q, k.transpose(-1, -2)) * inv_sqrt;
    if (quantized_) score = fake_round(score, kScoreUnit);
    Tensor p = torch::softmax(score + bias, -1);
    if (quantized_) p = fake_round(p, prob_scale);
    Tensor a = act_q(torch::matmul(p, v).transpose(1, 2).reshape({b, c, s.dim}), s.amax[i], 3);
    x = resid_q(x + resid_q(torch::matmul(a, weight_q(s.wo[i], {}).t())));
    Tensor u = torch::matmul(norm_q(x), weight_q(s.w1[i], s.norm2[i]).t());
    if (quantized_) u = fake_quant(u, kActUnit, -g, g);
    Tensor act = torch::gelu(u);
    if (quantized_) act = fake_quant(act, act_scale(cfg_), -127, 127);
    x = resid_q(x + resid_q(torch::matmul(act, weight_q(s.w2[i], {}).t())));
  }
  return x;
}

Tensor MegabyteQatImpl::forward(const Tensor& bytes) {
  const int64_t b = bytes.size(0), len = bytes.size(1), p = cfg_.patch, k = len / p;
  if (len % p != 0 || k < 1) throw Error(ErrorCode::invalid_argument, "training window must be whole patches");
  // Global input: patch k sees the byte embeddings of patch k-1; patch 0 the pad.
  Tensor pad = g_pad_.view({1, 1, cfg_.g_dim}).expand({b, 1, cfg_.g_dim});
  Tensor gin = pad;
  if (k > 1) {
    Tensor prev = bytes.narrow(1, 0, (k - 1) * p).reshape({-1});
    gin = torch::cat({pad, g_emb_.index_select(0, prev).view({b, k - 1, cfg_.g_dim})}, 1);
  }
  Tensor gout = stack_forward(global_, resid_q(gin));
  Tensor cond = resid_q(torch::matmul(norm_q(gout), weight_q(g2l_, g_norm_).t())).view({b * k, p, cfg_.l_dim});
  // Local input: byte j-1 of the same patch (the pad row 256 at j = 0) plus the conditioning.
  Tensor cur = bytes.reshape({b * k, p});
  Tensor prevb = torch::cat({torch::full({b * k, 1}, 256, cur.options()), cur.narrow(1, 0, p - 1)}, 1);
  Tensor lin = resid_q(resid_q(l_emb_.index_select(0, prevb.reshape({-1})).view({b * k, p, cfg_.l_dim})) + cond);
  Tensor lout = stack_forward(local_, lin);
  Tensor logits = torch::matmul(norm_q(lout), weight_q(out_w_, out_norm_).t());
  if (quantized_) logits = fake_quant(logits, kLogitUnit, -(1 << 24), 1 << 24);
  return logits.view({b, len, 256});
}

// ------------------------------------------------------------------ export

namespace {

IntTensor ints(std::vector<int64_t> shape, const Tensor& values) {
  Tensor v = values.to(torch::kCPU).to(torch::kDouble).contiguous();
  IntTensor t{std::move(shape), {}};
  const double* p = v.data_ptr<double>();
  t.data.resize(static_cast<size_t>(v.numel()));
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<int32_t>(std::llround(p[i]));
  return t;
}

IntTensor multipliers(const std::vector<double>& m) {
  IntTensor t{{static_cast<int64_t>(m.size()), 2}, std::vector<int32_t>(2 * m.size())};
  for (size_t i = 0; i < m.size(); ++i) dyadic_from_real(m[i], &t.data[2 * i]);
  return t;
}

// int8 weights of a linear layer (as the forward pass quantizes them) and its
// multipliers from input units `in_scale` to output units `out_scale[row]`.
void export_linear(std::map<std::string, IntTensor>& out, const std::string& wname, const std::string& mname,
                   const Tensor& w, const Tensor& gain, double in_scale, const std::vector<double>& out_scale) {
  Tensor eff = (gain.defined() ? w * gain.unsqueeze(0) : w).detach().to(torch::kCPU).to(torch::kFloat);
  Tensor step = eff.abs().amax(1, true).clamp_min(1e-12) / 127.0;
  out[wname] = ints({eff.size(0), eff.size(1)}, torch::round(eff / step).clamp(-127, 127));
  Tensor st = step.to(torch::kDouble).contiguous();
  std::vector<double> m(static_cast<size_t>(eff.size(0)));
  for (size_t r = 0; r < m.size(); ++r)
    m[r] = st.data_ptr<double>()[r] * out_scale[out_scale.size() == 1 ? 0 : r] / in_scale;
  out[mname] = multipliers(m);
}

}  // namespace

std::vector<uint8_t> MegabyteQatImpl::export_image(const std::string& name) const {
  torch::NoGradGuard no_grad;
  const ModelConfig& c = cfg_;
  const double nq = static_cast<double>(c.norm_scale);
  const double prob_scale = std::ldexp(1.0, static_cast<int>(c.attn_prob_bits));
  std::map<std::string, IntTensor> t;
  auto resid_ints = [](const Tensor& x) { return torch::round(x.detach() * kResidScale).clamp(-kResidMax, kResidMax); };
  t["g.emb"] = ints({256, c.g_dim / c.patch}, resid_ints(g_emb_));
  t["g.pad"] = ints({c.g_dim}, resid_ints(g_pad_));
  t["l.emb"] = ints({257, c.l_dim}, resid_ints(l_emb_));

  auto stack = [&](const StackParams& s, const std::string& prefix) {
    const double dh = static_cast<double>(s.dim / s.heads);
    for (size_t i = 0; i < s.wqkv.size(); ++i) {
      const std::string p = prefix + std::to_string(i) + ".";
      Tensor amax = s.amax[i].to(torch::kCPU).to(torch::kDouble).clamp_min(1e-6);
      const double sq = 127.0 / amax[0].item<double>(), sk = 127.0 / amax[1].item<double>();
      const double sv = 127.0 / amax[2].item<double>(), sa = 127.0 / amax[3].item<double>();
      std::vector<double> qkv_scale(static_cast<size_t>(3 * s.dim));
      for (int64_t r = 0; r < 3 * s.dim; ++r) qkv_scale[static_cast<size_t>(r)] = r < s.dim ? sq : r < 2 * s.dim ? sk : sv;
      export_linear(t, p + "wqkv", p + "mqkv", s.wqkv[i], s.norm1[i], nq, qkv_scale);
      t[p + "mscore"] = multipliers({kScoreUnit / (sq * sk * std::sqrt(dh))});
      IntTensor slopes{{s.heads}, {}};
      for (int64_t v : s.slopes) slopes.data.push_back(static_cast<int32_t>(v));
      t[p + "slopes"] = slopes;
      t[p + "mav"] = multipliers(std::vector<double>(static_cast<size_t>(s.dim), sa / (prob_scale * sv)));
      export_linear(t, p + "wo", p + "mo", s.wo[i], {}, sa, {kResidScale});
      export_linear(t, p + "w1", p + "m1", s.w1[i], s.norm2[i], nq, {kActUnit});
      export_linear(t, p + "w2", p + "m2", s.w2[i], {}, act_scale(c), {kResidScale});
    }
  };
  stack(global_, "g.");
  stack(local_, "l.");
  export_linear(t, "g2l.w", "g2l.m", g2l_, g_norm_, nq, {kResidScale});
  export_linear(t, "out.w", "out.m", out_w_, out_norm_, nq, {kLogitUnit});

  IntTensor act{{2 * c.act_half + 1}, {}};
  for (int64_t i = -c.act_half; i <= c.act_half; ++i) {
    const double v = std::round(gelu(static_cast<double>(i) / kActUnit) * act_scale(c));
    act.data.push_back(static_cast<int32_t>(std::max(-127.0, std::min(127.0, v))));
  }
  t["lut.act"] = act;
  auto exp_lut = [](double top, double unit) {
    IntTensor lut;
    for (int d = 0;; ++d) {
      const auto v = static_cast<int32_t>(std::llround(top * std::exp(-d / unit)));
      lut.data.push_back(v);
      if (v == 0) break;
    }
    lut.shape = {static_cast<int64_t>(lut.data.size())};
    return lut;
  };
  t["lut.attn_exp"] = exp_lut(65536.0, kScoreUnit);
  t["lut.out_exp"] = exp_lut(1048576.0, kLogitUnit);
  return ModelFile::serialize(name, c, t);
}

}  // namespace mbz::train
