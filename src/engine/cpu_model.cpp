// cpu_model.cpp — unpacks and packs a model file for the CPU backend.
#include "engine/cpu_model.hpp"

#include "engine/cpu_requant.hpp"
#include "engine/kernels/cpu_features.hpp"

#include <algorithm>
#include <string>

#include "engine/int_ops.hpp"
#include "mbz/error.hpp"

namespace mbz {

namespace {

// Packs weight matrices one after another into the model's block.
class Packer {
 public:
  Packer(CpuModel& m, const ModelFile& f, kernels::Isa isa) : isa_(isa) {
    size_t total = 0;
    for (const TensorSpec& s : expected_tensors(f.config()))
      if (s.kind == TensorKind::weight) total += bytes(f.tensor(s.name));
    m.packed = HugePageArray<uint8_t>(total, Uninitialized{});
    next_ = m.packed.data();
    end_ = next_ + total;
  }
  // Validated at load: int8 values in [-127, 127], shape [N, K], packed
  // straight from the file's image.
  kernels::PackedWeights operator()(const TensorView& t) {
    const size_t n = bytes(t);
    if (n > static_cast<size_t>(end_ - next_)) throw Error(ErrorCode::internal, "packed weights overrun their block");
    kernels::PackedWeights w(t.int8_data(), rows(t), cols(t), isa_, next_);
    next_ += n;
    return w;
  }

 private:
  static int rows(const TensorView& t) { return static_cast<int>(t.shape[0]); }
  static int cols(const TensorView& t) { return static_cast<int>(t.shape[1]); }
  size_t bytes(const TensorView& t) const { return kernels::PackedWeights::storage_bytes(rows(t), cols(t), isa_); }
  kernels::Isa isa_;
  uint8_t* next_ = nullptr;
  uint8_t* end_ = nullptr;
};

Multipliers multipliers(const TensorView& t) {
  Multipliers m;
  const size_t n = static_cast<size_t>(t.shape[0]);
  // Sized once: grown a push at a time, the model's 50 tables took ~150
  // first touches of fresh heap pages at load (~11 µs each on the virtual
  // machines measured).
  m.mant.reserve(n), m.shift.reserve(n), m.round.reserve(n), m.real.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const int32_t pair[2] = {t[2 * i], t[2 * i + 1]};  // mantissa, shift
    m.mant.push_back(pair[0]);
    m.shift.push_back(pair[1]);
    m.round.push_back(pair[1] > 0 ? int64_t{1} << (pair[1] - 1) : 0);
    m.real.push_back(dyadic_value(pair));
  }
  return m;
}

CpuStack stack(const ModelFile& f, const std::string& prefix, int64_t layers, int64_t d, int64_t heads, int64_t ffn,
               int64_t window, Packer& pack) {
  CpuStack s;
  s.d = int(d), s.heads = int(heads), s.dh = int(d / heads), s.ffn = int(ffn), s.window = int(window);
  for (int64_t i = 0; i < layers; ++i) {
    const std::string p = prefix + std::to_string(i) + ".";
    CpuLayer l;
    l.wqkv = pack(f.tensor(p + "wqkv"));
    l.wo = pack(f.tensor(p + "wo"));
    l.w1 = pack(f.tensor(p + "w1"));
    l.w2 = pack(f.tensor(p + "w2"));
    l.mqkv = multipliers(f.tensor(p + "mqkv"));
    l.mav = multipliers(f.tensor(p + "mav"));
    l.mo = multipliers(f.tensor(p + "mo"));
    l.m1 = multipliers(f.tensor(p + "m1"));
    l.m2 = multipliers(f.tensor(p + "m2"));
    l.mscore = multipliers(f.tensor(p + "mscore"));
    l.slopes = f.tensor(p + "slopes").values<int64_t>();
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
  Packer pack(*m, f, isa);
  m->global = stack(f, "g.", c.g_layers, c.g_dim, c.g_heads, c.g_ffn, c.g_window, pack);
  m->local = stack(f, "l.", c.l_layers, c.l_dim, c.l_heads, c.l_ffn, c.patch, pack);
  m->g_emb = f.tensor("g.emb").values();
  m->g_pad = f.tensor("g.pad").values();
  m->l_emb = f.tensor("l.emb").values();
  m->act_lut = f.tensor("lut.act").values();
  m->attn_lut = f.tensor("lut.attn_exp").values();
  m->out_lut = f.tensor("lut.out_exp").values();
  m->g2l = pack(f.tensor("g2l.w"));
  m->out = pack(f.tensor("out.w"));
  m->g2l_m = multipliers(f.tensor("g2l.m"));
  m->out_m = multipliers(f.tensor("out.m"));
  // |acc| < 127^2 * K < 2^27 keeps acc * m + 1/2 exact in float64.
  const int64_t widest_k = std::max({c.g_dim, c.l_dim, c.g_ffn, c.l_ffn});
  m->wide_requant = kernels::wide_vectors(isa) && widest_k <= 8192;
  m->act_bytes = activation_bytes(m->act_lut, static_cast<int32_t>(c.act_half), kernels::cpu_features().avx512vbmi);
  return m;
}

}  // namespace mbz
