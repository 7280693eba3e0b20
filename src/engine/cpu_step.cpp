// cpu_step.cpp — plain C++ integer decoder steps; see cpu_step.hpp.
// Dimension legend: B batch, D width, H heads, dh head width, F ffn width,
// P patch size, W window (keys a query may see), K inner dimension.
#include "engine/cpu_step.hpp"

#include <algorithm>
#include <cmath>

#include "engine/int_ops.hpp"
#include "mbz/error.hpp"

namespace mbz {

namespace {

constexpr int32_t kR = kResidualMax;

std::vector<int16_t> to_i16(const IntTensor& t) { return std::vector<int16_t>(t.data.begin(), t.data.end()); }

std::vector<double> to_mult(const IntTensor& t) {
  std::vector<double> m(static_cast<size_t>(t.shape[0]));
  for (size_t i = 0; i < m.size(); ++i) m[i] = dyadic_value(&t.data[2 * i]);
  return m;
}

inline int32_t rq(int64_t acc, double m, int32_t lo, int32_t hi) {
  return static_cast<int32_t>(requant_round(static_cast<double>(acc), m, lo, hi));
}

__attribute__((target_clones("avx2", "default")))
int32_t dot(const int16_t* a, const int16_t* b, int k) {
  int32_t s = 0;
  for (int i = 0; i < k; ++i) s += int32_t(a[i]) * int32_t(b[i]);
  return s;
}

// Y[b][n] = X[b] . W[n] for B rows; int8-range operands, exact int32 sums (K < 2^17).
void matmul(const int16_t* x, int b, int k, const std::vector<int16_t>& w, int n, int32_t* y) {
  for (int j = 0; j < n; ++j)
    for (int r = 0; r < b; ++r) y[r * n + j] = dot(x + r * k, w.data() + static_cast<size_t>(j) * k, k);
}

struct Layer {
  std::vector<int16_t> wqkv, wo, w1, w2;
  std::vector<double> mqkv, mav, mo, m1, m2;
  double mscore = 0;
  std::vector<int64_t> slopes;
};

struct Stack {
  int d = 0, heads = 0, dh = 0, ffn = 0, window = 0;
  std::vector<Layer> layers;
};

}  // namespace

struct CpuModel {
  ModelConfig cfg;
  Stack global, local;
  std::vector<int32_t> g_emb, g_pad, l_emb, act_lut, attn_lut, out_lut;
  std::vector<int16_t> g2l, out;
  std::vector<double> g2l_m, out_m;
};

std::shared_ptr<const CpuModel> make_cpu_model(const ModelFile& f) {
  auto m = std::make_shared<CpuModel>();
  m->cfg = f.config();
  const ModelConfig& c = m->cfg;
  auto stack = [&](const std::string& prefix, int64_t layers, int64_t d, int64_t heads, int64_t ffn, int64_t window) {
    Stack s;
    s.d = int(d), s.heads = int(heads), s.dh = int(d / heads), s.ffn = int(ffn), s.window = int(window);
    for (int64_t i = 0; i < layers; ++i) {
      const std::string p = prefix + std::to_string(i) + ".";
      Layer l;
      l.wqkv = to_i16(f.tensor(p + "wqkv"));
      l.wo = to_i16(f.tensor(p + "wo"));
      l.w1 = to_i16(f.tensor(p + "w1"));
      l.w2 = to_i16(f.tensor(p + "w2"));
      l.mqkv = to_mult(f.tensor(p + "mqkv"));
      l.mav = to_mult(f.tensor(p + "mav"));
      l.mo = to_mult(f.tensor(p + "mo"));
      l.m1 = to_mult(f.tensor(p + "m1"));
      l.m2 = to_mult(f.tensor(p + "m2"));
      l.mscore = to_mult(f.tensor(p + "mscore"))[0];
      for (int32_t v : f.tensor(p + "slopes").data) l.slopes.push_back(v);
      s.layers.push_back(std::move(l));
    }
    return s;
  };
  m->global = stack("g.", c.g_layers, c.g_dim, c.g_heads, c.g_ffn, c.g_window);
  m->local = stack("l.", c.l_layers, c.l_dim, c.l_heads, c.l_ffn, c.patch);
  m->g_emb = f.tensor("g.emb").data;
  m->g_pad = f.tensor("g.pad").data;
  m->l_emb = f.tensor("l.emb").data;
  m->act_lut = f.tensor("lut.act").data;
  m->attn_lut = f.tensor("lut.attn_exp").data;
  m->out_lut = f.tensor("lut.out_exp").data;
  m->g2l = to_i16(f.tensor("g2l.w"));
  m->out = to_i16(f.tensor("out.w"));
  m->g2l_m = to_mult(f.tensor("g2l.m"));
  m->out_m = to_mult(f.tensor("out.m"));
  return m;
}

namespace {

// Keys and values of one layer for every batch row: a ring of `window` positions.
struct LayerCache {
  std::vector<int16_t> k, v;  // [B, W, D]
};

class StackRunner {
 public:
  StackRunner(const Stack& s, const ModelConfig& cfg, const CpuModel& m, int batch)
      : s_(s), cfg_(cfg), m_(m), b_(batch), caches_(s.layers.size()) {
    for (auto& c : caches_) {
      c.k.assign(static_cast<size_t>(batch) * s.window * s.d, 0);
      c.v.assign(c.k.size(), 0);
    }
  }

  // x [B, D] residual at position pos (positions start at 0 and increase by 1).
  void forward(std::vector<int32_t>& x, int64_t pos) {
    const int d = s_.d, f = s_.ffn, b = b_;
    const int32_t g = static_cast<int32_t>(cfg_.act_half);
    std::vector<int16_t> h(static_cast<size_t>(b) * std::max(d, f));
    std::vector<int32_t> acc(static_cast<size_t>(b) * std::max(3 * d, f));
    std::vector<int16_t> qkv(static_cast<size_t>(b) * 3 * d), att(static_cast<size_t>(b) * d);
    for (size_t li = 0; li < s_.layers.size(); ++li) {
      const Layer& l = s_.layers[li];
      LayerCache& c = caches_[li];
      norm(x, d, h);
      matmul(h.data(), b, d, l.wqkv, 3 * d, acc.data());
      for (int r = 0; r < b; ++r)
        for (int j = 0; j < 3 * d; ++j) qkv[r * 3 * d + j] = static_cast<int16_t>(rq(acc[r * 3 * d + j], l.mqkv[j], -127, 127));
      const int slot = static_cast<int>(pos % s_.window);
      for (int r = 0; r < b; ++r) {
        std::copy_n(&qkv[r * 3 * d + d], d, &c.k[(static_cast<size_t>(r) * s_.window + slot) * d]);
        std::copy_n(&qkv[r * 3 * d + 2 * d], d, &c.v[(static_cast<size_t>(r) * s_.window + slot) * d]);
      }
      attend(l, c, qkv, pos, att);
      matmul(att.data(), b, d, l.wo, d, acc.data());
      for (int r = 0; r < b; ++r)
        for (int j = 0; j < d; ++j) {
          const int32_t v = x[r * d + j] + rq(acc[r * d + j], l.mo[j], -kR, kR);
          x[r * d + j] = std::clamp(v, -kR, kR);
        }
      norm(x, d, h);
      matmul(h.data(), b, d, l.w1, f, acc.data());
      for (int r = 0; r < b; ++r)
        for (int j = 0; j < f; ++j) h[r * f + j] = static_cast<int16_t>(m_.act_lut[rq(acc[r * f + j], l.m1[j], -g, g) + g]);
      matmul(h.data(), b, f, l.w2, d, acc.data());
      for (int r = 0; r < b; ++r)
        for (int j = 0; j < d; ++j) {
          const int32_t v = x[r * d + j] + rq(acc[r * d + j], l.m2[j], -kR, kR);
          x[r * d + j] = std::clamp(v, -kR, kR);
        }
    }
  }

  // Integer RMSNorm of each row of x [B, D] into h (int8 range).
  void norm(const std::vector<int32_t>& x, int d, std::vector<int16_t>& h) const {
    const int64_t nq2 = 2 * cfg_.norm_scale;
    for (int r = 0; r < b_; ++r) {
      const int32_t* row = &x[static_cast<size_t>(r) * d];
      int64_t ss = 0;
      for (int j = 0; j < d; ++j) ss += int64_t(row[j]) * row[j];
      const int64_t root = std::max<int64_t>(1, isqrt(ss / d));
      for (int j = 0; j < d; ++j)
        h[r * d + j] = static_cast<int16_t>(std::clamp<int64_t>(floor_div(nq2 * row[j] + root, 2 * root), -127, 127));
    }
  }

 private:
  void attend(const Layer& l, const LayerCache& c, const std::vector<int16_t>& qkv, int64_t pos, std::vector<int16_t>& out) {
    const int d = s_.d, dh = s_.dh, w = s_.window;
    const int64_t first = std::max<int64_t>(0, pos - w + 1);
    const int n = static_cast<int>(pos - first + 1);
    const int64_t la = static_cast<int64_t>(m_.attn_lut.size());
    const int64_t one = int64_t{1} << (cfg_.attn_prob_bits + 1);
    std::vector<int64_t> score(n), p(n), av(dh);
    for (int r = 0; r < b_; ++r)
      for (int h = 0; h < s_.heads; ++h) {
        const int16_t* q = &qkv[static_cast<size_t>(r) * 3 * d + h * dh];
        int64_t top = INT64_MIN;
        for (int i = 0; i < n; ++i) {
          const int64_t kp = first + i;
          const int16_t* k = &c.k[(static_cast<size_t>(r) * w + kp % w) * d + h * dh];
          score[i] = static_cast<int64_t>(requant_round(static_cast<double>(dot(q, k, dh)), l.mscore, -kScoreBound,
                                                        kScoreBound)) -
                     l.slopes[h] * (pos - kp);
          top = std::max(top, score[i]);
        }
        int64_t sum = 0;
        for (int i = 0; i < n; ++i) sum += (p[i] = m_.attn_lut[std::min(top - score[i], la - 1)]);
        for (int i = 0; i < n; ++i) p[i] = (p[i] * one + sum) / (2 * sum);
        std::fill(av.begin(), av.end(), 0);
        for (int i = 0; i < n; ++i) {
          if (p[i] == 0) continue;
          const int16_t* v = &c.v[(static_cast<size_t>(r) * w + (first + i) % w) * d + h * dh];
          for (int j = 0; j < dh; ++j) av[j] += p[i] * v[j];
        }
        for (int j = 0; j < dh; ++j)
          out[static_cast<size_t>(r) * d + h * dh + j] = static_cast<int16_t>(rq(av[j], l.mav[h * dh + j], -127, 127));
      }
  }

  const Stack& s_;
  const ModelConfig& cfg_;
  const CpuModel& m_;
  int b_;
  std::vector<LayerCache> caches_;
};

}  // namespace

struct CpuStepper::State {
  std::shared_ptr<const CpuModel> m;
  int b = 0;
  int64_t pos = 0;
  std::unique_ptr<StackRunner> global, local;
  std::vector<uint8_t> patch, prev_patch;  // [B, P]
  std::vector<int32_t> cond;               // [B, P, Dl]
  std::vector<uint32_t> tables;            // [B, 257]
  bool ready = false;
};

CpuStepper::CpuStepper(std::shared_ptr<const CpuModel> model, int batch) : st_(std::make_unique<State>()) {
  State& s = *st_;
  s.m = std::move(model);
  s.b = batch;
  const ModelConfig& c = s.m->cfg;
  s.global = std::make_unique<StackRunner>(s.m->global, c, *s.m, batch);
  s.patch.assign(static_cast<size_t>(batch) * c.patch, 0);
  s.prev_patch = s.patch;
  s.cond.assign(static_cast<size_t>(batch) * c.patch * c.l_dim, 0);
  s.tables.assign(static_cast<size_t>(batch) * 257, 0);
}

CpuStepper::~CpuStepper() = default;

const std::vector<uint32_t>& CpuStepper::tables() {
  State& s = *st_;
  if (s.ready) return s.tables;
  const CpuModel& m = *s.m;
  const ModelConfig& c = m.cfg;
  const int p = static_cast<int>(c.patch), dg = static_cast<int>(c.g_dim), dl = static_cast<int>(c.l_dim), b = s.b;
  const int64_t k = s.pos / p;
  const int j = static_cast<int>(s.pos % p);
  if (j == 0) {  // one global step: patch k sees patch k-1
    const int eg = dg / p;
    std::vector<int32_t> x(static_cast<size_t>(b) * dg);
    for (int r = 0; r < b; ++r)
      for (int i = 0; i < p; ++i)
        for (int e = 0; e < eg; ++e)
          x[r * dg + i * eg + e] = k == 0 ? m.g_pad[i * eg + e] : m.g_emb[s.prev_patch[r * p + i] * eg + e];
    s.global->forward(x, k);
    std::vector<int16_t> h(x.size());
    s.global->norm(x, dg, h);
    std::vector<int32_t> acc(static_cast<size_t>(b) * p * dl);
    matmul(h.data(), b, dg, m.g2l, p * dl, acc.data());
    for (size_t i = 0; i < acc.size(); ++i) s.cond[i] = rq(acc[i], m.g2l_m[i % (p * dl)], -kR, kR);
    s.local = std::make_unique<StackRunner>(m.local, c, m, b);
  }
  std::vector<int32_t> x(static_cast<size_t>(b) * dl);
  for (int r = 0; r < b; ++r) {
    const int prev = j == 0 ? 256 : s.patch[r * p + j - 1];
    for (int e = 0; e < dl; ++e)
      x[r * dl + e] = std::clamp(m.l_emb[prev * dl + e] + s.cond[(r * p + j) * dl + e], -kR, kR);
  }
  s.local->forward(x, j);
  std::vector<int16_t> h(x.size());
  s.local->norm(x, dl, h);
  std::vector<int32_t> acc(static_cast<size_t>(b) * 256);
  matmul(h.data(), b, dl, m.out, 256, acc.data());
  const int64_t lo = static_cast<int64_t>(m.out_lut.size()), scale = c.freq_total - 256;
  for (int r = 0; r < b; ++r) {
    int32_t logit[256];
    int32_t top = INT32_MIN;
    for (int t = 0; t < 256; ++t) top = std::max(top, logit[t] = rq(acc[r * 256 + t], m.out_m[t], -(1 << 24), 1 << 24));
    int64_t e[256], sum = 0;
    for (int t = 0; t < 256; ++t) sum += (e[t] = m.out_lut[std::min<int64_t>(int64_t(top) - logit[t], lo - 1)]);
    uint32_t* cum = &s.tables[static_cast<size_t>(r) * 257];
    cum[0] = 0;
    for (int t = 0; t < 256; ++t) cum[t + 1] = cum[t] + static_cast<uint32_t>(1 + e[t] * scale / sum);
  }
  s.ready = true;
  return s.tables;
}

void CpuStepper::push(const uint8_t* bytes) {
  State& s = *st_;
  if (!s.ready) tables();
  const int p = static_cast<int>(s.m->cfg.patch);
  const int j = static_cast<int>(s.pos % p);
  for (int r = 0; r < s.b; ++r) s.patch[r * p + j] = bytes[r];
  ++s.pos;
  s.ready = false;
  if (s.pos % p == 0) s.prev_patch = s.patch;
}

}  // namespace mbz
