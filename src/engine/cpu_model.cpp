// cpu_model.cpp — unpacks and packs a model file for the CPU backend.
#include "engine/cpu_model.hpp"

#include <algorithm>
#include <string>

#include "engine/int_ops.hpp"

namespace mbz {

namespace {

kernels::PackedWeights pack(const IntTensor& t, kernels::Isa isa) {
  // Validated at load: int8 values in [-127, 127], shape [N, K].
  std::vector<int8_t> w(t.data.begin(), t.data.end());
  return kernels::PackedWeights(w.data(), static_cast<int>(t.shape[0]), static_cast<int>(t.shape[1]), isa);
}

Multipliers multipliers(const IntTensor& t) {
  Multipliers m;
  const size_t n = static_cast<size_t>(t.shape[0]);
  for (size_t i = 0; i < n; ++i) {
    const int32_t mant = t.data[2 * i], shift = t.data[2 * i + 1];
    m.mant.push_back(mant);
    m.shift.push_back(shift);
    m.round.push_back(shift > 0 ? int64_t{1} << (shift - 1) : 0);
    m.real.push_back(dyadic_value(&t.data[2 * i]));
  }
  return m;
}

CpuStack stack(const ModelFile& f, const std::string& prefix, int64_t layers, int64_t d, int64_t heads, int64_t ffn,
               int64_t window, kernels::Isa isa) {
  CpuStack s;
  s.d = int(d), s.heads = int(heads), s.dh = int(d / heads), s.ffn = int(ffn), s.window = int(window);
  for (int64_t i = 0; i < layers; ++i) {
    const std::string p = prefix + std::to_string(i) + ".";
    CpuLayer l;
    l.wqkv = pack(f.tensor(p + "wqkv"), isa);
    l.wo = pack(f.tensor(p + "wo"), isa);
    l.w1 = pack(f.tensor(p + "w1"), isa);
    l.w2 = pack(f.tensor(p + "w2"), isa);
    l.mqkv = multipliers(f.tensor(p + "mqkv"));
    l.mav = multipliers(f.tensor(p + "mav"));
    l.mo = multipliers(f.tensor(p + "mo"));
    l.m1 = multipliers(f.tensor(p + "m1"));
    l.m2 = multipliers(f.tensor(p + "m2"));
    l.mscore = multipliers(f.tensor(p + "mscore"));
    for (int32_t v : f.tensor(p + "slopes").data) l.slopes.push_back(v);
    s.layers.push_back(std::move(l));
  }
  return s;
}

}  // namespace

std::shared_ptr<const CpuModel> make_cpu_model(const ModelFile& f, kernels::Isa isa) {
  auto m = std::make_shared<CpuModel>();
  m->cfg = f.config();
  m->isa = isa;
  const ModelConfig& c = m->cfg;
  m->global = stack(f, "g.", c.g_layers, c.g_dim, c.g_heads, c.g_ffn, c.g_window, isa);
  m->local = stack(f, "l.", c.l_layers, c.l_dim, c.l_heads, c.l_ffn, c.patch, isa);
  m->g_emb = f.tensor("g.emb").data;
  m->g_pad = f.tensor("g.pad").data;
  m->l_emb = f.tensor("l.emb").data;
  m->act_lut = f.tensor("lut.act").data;
  for (int32_t v : f.tensor("lut.attn_exp").data) m->attn_lut.push_back(v);
  for (int32_t v : f.tensor("lut.out_exp").data) m->out_lut.push_back(v);
  m->g2l = pack(f.tensor("g2l.w"), isa);
  m->out = pack(f.tensor("out.w"), isa);
  m->g2l_m = multipliers(f.tensor("g2l.m"));
  m->out_m = multipliers(f.tensor("out.m"));
  // |acc| < 127^2 * K < 2^27 keeps acc * m + 1/2 exact in float64.
  const int64_t widest_k = std::max({c.g_dim, c.l_dim, c.g_ffn, c.l_ffn});
  m->wide_requant = kernels::wide_vectors(isa) && widest_k <= 8192;
  return m;
}

}  // namespace mbz
