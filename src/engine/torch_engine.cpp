// torch_engine.cpp — exact-integer MEGABYTE on libtorch tensor ops: the
// accelerator backend (CUDA) and, on CPU, the reference the CPU backend's
// kernels are tested against. Built into libmbz-torch.so and the tests only;
// the codec never links it.
//
// Every tensor holds integers. Matmul operands are float32 integers whose
// partial sums stay below 2^24 (exact in any order on any BLAS or GPU);
// element-wise integer arithmetic runs in float64 where every intermediate is
// an integer or dyadic rational below 2^53, so no rounding ever happens except
// the explicit floor() calls. See docs/EXACTNESS.md for the bounds.
//
// Dimension legend: B batch (segments, or patches in the local model),
// C positions in a chunk, K patches, P patch size, D width, H heads,
// dh = D/H head width, F feed-forward width, R rows (positions), T keys.
#include "engine/torch_engine.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/int_ops.hpp"
#include "mbz/error.hpp"

namespace mbz {

using at::Tensor;

namespace {

constexpr int64_t kExactK = 1024;          // float32 GEMM K per exact chunk (bound: 1040)
constexpr double kResid = kResidualMax;    // residual stream clamp
constexpr int64_t kGlobalChunk = 256;      // patches per teacher-forced global chunk
constexpr int64_t kMaxBatchPatches = 4096; // B*C bound of one teacher-forced pass

at::TensorOptions f32(at::Device d) { return at::TensorOptions().dtype(at::kFloat).device(d); }
at::TensorOptions f64(at::Device d) { return at::TensorOptions().dtype(at::kDouble).device(d); }

Tensor host_tensor(const TensorView& t, at::ScalarType type, at::Device dev) {
  Tensor cpu = at::empty(t.shape, at::TensorOptions().dtype(at::kInt));
  int32_t* p = cpu.data_ptr<int32_t>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = t[static_cast<size_t>(i)];
  return cpu.to(type).to(dev);
}

// Dyadic multipliers [N,2] (mantissa, shift) -> float64 [N], exactly mant * 2^-shift.
Tensor multipliers(const TensorView& t, at::Device dev) {
  const int64_t n = t.shape[0];
  Tensor cpu = at::empty({n}, at::TensorOptions().dtype(at::kDouble));
  double* p = cpu.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i) {
    const int32_t pair[2] = {t[static_cast<size_t>(2 * i)], t[static_cast<size_t>(2 * i + 1)]};
    p[i] = dyadic_value(pair);
  }
  return cpu.to(dev);
}

// x [..., K] f32 integers in [-127,127] times wt [K, N] f32 int8 weights -> [..., N]
// integers: float32 when one exact GEMM suffices (K <= 1024), else K is split
// into exact float32 GEMMs whose results are summed in float64.
Tensor int_matmul(const Tensor& x, const Tensor& wt) {
  const int64_t k = wt.size(0);
  if (k <= kExactK) return at::matmul(x, wt);
  Tensor acc;
  for (int64_t k0 = 0; k0 < k; k0 += kExactK) {
    const int64_t n = std::min(kExactK, k - k0);
    Tensor part = at::matmul(x.narrow(-1, k0, n), wt.narrow(0, k0, n)).to(at::kDouble);
    acc = acc.defined() ? acc.add_(part) : part;
  }
  return acc;
}

// Round-half-up requantization: clamp(floor(acc * m + 1/2), lo, hi), float64.
// Round-half-up requantization, float64: clamp(floor(acc * m + 1/2), lo, hi).
Tensor requant(const Tensor& acc, const Tensor& m, double lo, double hi) {
  return acc.to(at::kDouble).mul_(m).add_(0.5).floor_().clamp_(lo, hi);
}

struct LayerW {
  Tensor wqkv_t, mqkv, mscore, slopes, mav, wo_t, mo, w1_t, m1, w2_t, m2;
};

struct StackW {
  int64_t d = 0, heads = 0, dh = 0, window = 0;
  std::vector<LayerW> layers;
};

// Keys and values of one layer for the positions a query may still attend to.
struct LayerCache {
  Tensor k, v;      // [B, H, cap, dh] f32
  int64_t p0 = 0;   // position of slot 0
  int64_t n = 0;    // filled slots
};

struct StackCache {
  std::vector<LayerCache> layers;
};

}  // namespace

struct TorchImpl {
  std::shared_ptr<const ModelFile> model;
  at::Device device = at::kCPU;
  ModelConfig cfg;
  StackW global, local;
  Tensor g_emb;    // [256, Dg/P] f32
  Tensor g_pad;    // [Dg] f32
  Tensor g2l_t;    // [Dg, P*Dl] f32
  Tensor g2l_m;    // [P*Dl] f64
  Tensor l_emb;    // [257, Dl] f32 (row 256: the pad before a patch's first byte)
  Tensor out_t;    // [Dl, 256] f32
  Tensor out_m;    // [256] f64
  Tensor act_lut;  // [2*act_half+1] f32
  Tensor attn_lut; // [La] f64
  Tensor out_lut;  // [Lo] f64

  // --- element-wise steps as plain tensor ops

  // Linear layer requantized to [lo, hi]: f32 [..., N].
  Tensor linear_rq(const Tensor& x, const Tensor& wt, const Tensor& m, double lo, double hi) const {
    return requant(int_matmul(x, wt), m, lo, hi).to(at::kFloat);
  }

  // x = clamp(x + linear(in), -R, R).
  Tensor residual(const Tensor& x, const Tensor& in, const Tensor& wt, const Tensor& m) const {
    Tensor acc = int_matmul(in, wt);
    return (x + requant(acc, m, -kResid, kResid).to(at::kFloat)).clamp_(-kResid, kResid);
  }

  // act_lut[linear(in) requantized to [-G, G] + G]: f32.
  Tensor activation(const Tensor& in, const Tensor& wt, const Tensor& m) const {
    const double g = static_cast<double>(cfg.act_half);
    Tensor acc = int_matmul(in, wt);
    return at::take(act_lut, requant(acc, m, -g, g).add_(g).to(at::kLong));
  }

  StackW load_stack(const std::string& prefix, int64_t layers, int64_t d, int64_t heads, int64_t window) {
    const ModelFile& m = *model;
    StackW s;
    s.d = d;
    s.heads = heads;
    s.dh = d / heads;
    s.window = window;
    for (int64_t i = 0; i < layers; ++i) {
      const std::string p = prefix + std::to_string(i) + ".";
      auto w = [&](const char* n) { return host_tensor(m.tensor(p + n), at::kFloat, device).t().contiguous(); };
      auto mul = [&](const char* n) { return multipliers(m.tensor(p + n), device); };
      LayerW l;
      l.wqkv_t = w("wqkv");
      l.mqkv = mul("mqkv");
      l.mscore = mul("mscore");
      l.slopes = host_tensor(m.tensor(p + "slopes"), at::kDouble, device).view({heads, 1, 1});
      l.mav = mul("mav");
      l.wo_t = w("wo");
      l.mo = mul("mo");
      l.w1_t = w("w1");
      l.m1 = mul("m1");
      l.w2_t = w("w2");
      l.m2 = mul("m2");
      s.layers.push_back(std::move(l));
    }
    return s;
  }

  // x/rms(x) * norm_scale, rounded half up, clamped to int8. x: [..., D] f32 -> f32.
  Tensor rmsnorm(const Tensor& x) const {
    const double d = static_cast<double>(x.size(-1));
    Tensor xd = x.to(at::kDouble);
    Tensor ms = xd.square().sum(-1, true).div_(d).floor_();  // exact integer mean square, < 2^30
    // floor(sqrt(n)) is the exact integer square root for n < 2^52 (docs/EXACTNESS.md §3).
    Tensor r2 = ms.sqrt_().floor_().clamp_min_(1).mul_(2);
    return xd.mul_(static_cast<double>(2 * cfg.norm_scale)).add_(r2 / 2).div_(r2).floor_().clamp_(-127, 127).to(at::kFloat);
  }

  // Integer softmax attention. q [B,H,C,dh], k,v [B,H,T,dh] f32; qpos [C], kpos [T] f64.
  // Returns [B, C, D] f64 integers in [-127, 127].
  Tensor attend(const StackW& s, const LayerW& l, const Tensor& q, const Tensor& k, const Tensor& v,
                const Tensor& qpos, const Tensor& kpos, int64_t /*qpos0*/, int64_t /*kpos0*/) const {
    const int64_t b = q.size(0), c = q.size(2);
    Tensor score = at::matmul(q, k.transpose(-1, -2)).to(at::kDouble).mul_(l.mscore).add_(0.5).floor_();
    Tensor dist = qpos.unsqueeze(1) - kpos.unsqueeze(0);            // [C, T]
    Tensor invalid = (dist < 0).logical_or_(dist >= static_cast<double>(s.window));
    // ALiBi bias per head, +inf where the key is out of reach: [H, C, T].
    Tensor bias = (l.slopes * dist).masked_fill_(invalid, std::numeric_limits<double>::infinity());
    score.sub_(bias);                                               // [B,H,C,T]
    Tensor top = std::get<0>(score.max(-1, true));
    Tensor idx = score.neg_().add_(top).clamp_max_(static_cast<double>(attn_lut.size(0) - 1)).to(at::kLong);
    Tensor e = at::take(attn_lut, idx);                             // last LUT entry is 0
    Tensor sum2 = e.sum(-1, true).mul_(2);
    const double one = std::ldexp(1.0, static_cast<int>(cfg.attn_prob_bits) + 1);
    Tensor p = e.mul_(one).add_(sum2 / 2).div_(sum2).floor_();      // round(e / sum * 2^bits)
    Tensor av = at::matmul(p.to(at::kFloat), v);                    // [B,H,C,dh]
    av = av.transpose(1, 2).reshape({b, c, s.d});
    return requant(av, l.mav, -127, 127).to(at::kFloat);
  }

  // Appends this chunk's keys/values at positions [pos0, pos0+C) and returns
  // the slots a query of the chunk may attend to, with their positions.
  void cache_append(LayerCache& lc, const StackW& s, const Tensor& k, const Tensor& v, int64_t pos0,
                    Tensor& keys, Tensor& values, Tensor& kpos, int64_t& kpos0) const {
    const int64_t c = k.size(2);
    const int64_t keep_max = s.window - 1;
    if (!lc.k.defined()) {
      const int64_t cap = keep_max + std::max(c, s.window);
      lc.k = at::empty({k.size(0), k.size(1), cap, k.size(3)}, k.options());
      lc.v = at::empty_like(lc.k);
      lc.p0 = pos0;
      lc.n = 0;
    }
    if (lc.p0 + lc.n != pos0) throw Error(ErrorCode::internal, "engine: KV cache out of sequence");
    if (lc.n + c > lc.k.size(2)) {  // drop slots no query can see any more
      const int64_t keep = std::min(lc.n, keep_max);
      if (keep > 0) {
        lc.k.narrow(2, 0, keep).copy_(lc.k.narrow(2, lc.n - keep, keep).clone());
        lc.v.narrow(2, 0, keep).copy_(lc.v.narrow(2, lc.n - keep, keep).clone());
      }
      lc.p0 += lc.n - keep;
      lc.n = keep;
      if (lc.n + c > lc.k.size(2)) {
        Tensor nk = at::empty({k.size(0), k.size(1), keep + c + s.window, k.size(3)}, k.options());
        Tensor nv = at::empty_like(nk);
        nk.narrow(2, 0, keep).copy_(lc.k.narrow(2, 0, keep));
        nv.narrow(2, 0, keep).copy_(lc.v.narrow(2, 0, keep));
        lc.k = nk;
        lc.v = nv;
      }
    }
    lc.k.narrow(2, lc.n, c).copy_(k);
    lc.v.narrow(2, lc.n, c).copy_(v);
    lc.n += c;
    const int64_t start = std::max<int64_t>(0, lc.n - c - keep_max);
    keys = lc.k.narrow(2, start, lc.n - start);
    values = lc.v.narrow(2, start, lc.n - start);
    kpos0 = lc.p0 + start;
    kpos = at::arange(static_cast<double>(kpos0), static_cast<double>(lc.p0 + lc.n), f64(device));
  }

  // One transformer stack over a chunk. x [B, C, D] f32 at positions [pos0, pos0+C).
  Tensor stack_forward(const StackW& s, StackCache& cache, Tensor x, int64_t pos0) const {
    const int64_t b = x.size(0), c = x.size(1);
    if (cache.layers.size() != s.layers.size()) cache.layers.resize(s.layers.size());
    Tensor qpos;
    qpos = at::arange(static_cast<double>(pos0), static_cast<double>(pos0 + c), f64(device));
    for (size_t i = 0; i < s.layers.size(); ++i) {
      const LayerW& l = s.layers[i];
      Tensor qkv = linear_rq(rmsnorm(x), l.wqkv_t, l.mqkv, -127, 127);
      qkv = qkv.view({b, c, 3, s.heads, s.dh}).permute({2, 0, 3, 1, 4});  // [3,B,H,C,dh]
      Tensor keys, values, kpos;
      int64_t kpos0 = 0;
      cache_append(cache.layers[i], s, qkv[1], qkv[2], pos0, keys, values, kpos, kpos0);
      Tensor a = attend(s, l, qkv[0], keys, values, qpos, kpos, pos0, kpos0);
      x = residual(x, a, l.wo_t, l.mo);
      x = residual(x, activation(rmsnorm(x), l.w1_t, l.m1), l.w2_t, l.m2);
    }
    return x;
  }

  // Global output [B, C, Dg] -> local conditioning [B*C, P, Dl] f32.
  Tensor global_to_local(const Tensor& gout) const {
    const int64_t b = gout.size(0), c = gout.size(1);
    return linear_rq(rmsnorm(gout), g2l_t, g2l_m, -kResid, kResid).view({b * c, cfg.patch, cfg.l_dim});
  }

  // Global input of patches [a, a+C): patch k sees the bytes of patch k-1, patch 0 the pad.
  // bytes: [B, >= (a+C)*P] long.
  Tensor global_input(const Tensor& bytes, int64_t a, int64_t c) const {
    const int64_t b = bytes.size(0), p = cfg.patch;
    Tensor in = at::empty({b, c, cfg.g_dim}, f32(device));
    const int64_t first = a == 0 ? 1 : 0;
    if (first) in.select(1, 0).copy_(g_pad.expand({b, cfg.g_dim}));
    if (c > first) {
      Tensor src = bytes.narrow(1, (a + first - 1) * p, (c - first) * p).reshape({-1});
      in.narrow(1, first, c - first).copy_(g_emb.index_select(0, src).view({b, c - first, cfg.g_dim}));
    }
    return in;
  }

  // Byte frequency tables from final local states x [R, Dl] f32 -> [R, 256] f64.
  Tensor head(const Tensor& x) const {
    Tensor logits = requant(int_matmul(rmsnorm(x), out_t), out_m, -(1 << 24), 1 << 24);
    Tensor top = std::get<0>(logits.max(-1, true));
    Tensor idx = logits.neg_().add_(top).clamp_max_(static_cast<double>(out_lut.size(0) - 1)).to(at::kLong);
    Tensor e = at::take(out_lut, idx);
    Tensor sum = e.sum(-1, true);
    return e.mul_(static_cast<double>(cfg.freq_total - 256)).div_(sum).floor_().add_(1);  // every freq >= 1
  }

  // Teacher forcing over a batch of segments. bytes: [B, K*P] long, zero-padded.
  // sink(patch_begin, patch_count, freqs [B, count*P, 256] f64) is called in order.
  template <class Sink>
  void teacher_force(const Tensor& bytes, Sink&& sink) const {
    const int64_t b = bytes.size(0), p = cfg.patch, k = bytes.size(1) / p;
    const int64_t chunk = std::max<int64_t>(1, std::min(kGlobalChunk, kMaxBatchPatches / b));
    StackCache gcache;
    for (int64_t a = 0; a < k; a += chunk) {
      const int64_t c = std::min(chunk, k - a);
      Tensor gout = stack_forward(global, gcache, global_input(bytes, a, c), a);
      Tensor cond = global_to_local(gout);                                         // [B*C, P, Dl]
      Tensor cur = bytes.narrow(1, a * p, c * p).reshape({b * c, p});
      Tensor prev = at::cat({at::full({b * c, 1}, 256, cur.options()), cur.narrow(1, 0, p - 1)}, 1);
      Tensor lin = (l_emb.index_select(0, prev.reshape({-1})).view({b * c, p, cfg.l_dim}) + cond)
                       .clamp_(-kResid, kResid);
      StackCache lcache;
      Tensor lout = stack_forward(local, lcache, lin, 0);
      sink(a, c, head(lout.view({b * c * p, cfg.l_dim})).view({b, c * p, 256}));
    }
  }
};

namespace {

// Segments [first, last) padded to the longest one's whole patches: [B, K*P] long.
Tensor pack_segments(const std::vector<ByteSpan>& segs, size_t first, size_t last, int64_t patch, at::Device dev) {
  size_t longest = 0;
  for (size_t i = first; i < last; ++i) longest = std::max(longest, segs[i].size);
  const int64_t k = std::max<int64_t>(1, static_cast<int64_t>((longest + patch - 1) / patch));
  Tensor host = at::zeros({static_cast<int64_t>(last - first), k * patch}, at::TensorOptions().dtype(at::kByte));
  uint8_t* p = host.data_ptr<uint8_t>();
  for (size_t i = first; i < last; ++i)
    if (segs[i].size) std::copy(segs[i].data, segs[i].data + segs[i].size, p + (i - first) * k * patch);
  return host.to(at::kLong).to(dev);
}

class TorchStepper;

class TorchEngine : public AcceleratorEngine {
 public:
  TorchEngine(std::shared_ptr<const ModelFile> model, at::Device device) {
    c10::InferenceMode guard;
    TorchImpl& m = impl_;
    m.device = device;
    if (m.device.is_cuda()) at::globalContext().setAllowTF32CuBLAS(false);  // TF32 would round operands
    m.model = std::move(model);
    m.cfg = m.model->config();
    const ModelConfig& c = m.cfg;
    const ModelFile& f = *m.model;
    m.global = m.load_stack("g.", c.g_layers, c.g_dim, c.g_heads, c.g_window);
    m.local = m.load_stack("l.", c.l_layers, c.l_dim, c.l_heads, c.patch);
    m.g_emb = host_tensor(f.tensor("g.emb"), at::kFloat, m.device);
    m.g_pad = host_tensor(f.tensor("g.pad"), at::kFloat, m.device);
    m.g2l_t = host_tensor(f.tensor("g2l.w"), at::kFloat, m.device).t().contiguous();
    m.g2l_m = multipliers(f.tensor("g2l.m"), m.device);
    m.l_emb = host_tensor(f.tensor("l.emb"), at::kFloat, m.device);
    m.out_t = host_tensor(f.tensor("out.w"), at::kFloat, m.device).t().contiguous();
    m.out_m = multipliers(f.tensor("out.m"), m.device);
    m.act_lut = host_tensor(f.tensor("lut.act"), at::kFloat, m.device);
    m.attn_lut = host_tensor(f.tensor("lut.attn_exp"), at::kDouble, m.device);
    m.out_lut = host_tensor(f.tensor("lut.out_exp"), at::kDouble, m.device);
  }

  std::string device_name() const override { return impl_.device.str() + " (libtorch)"; }

  // Batches segments of equal length (the common case: full-size segments).
  void teacher_force(const std::vector<ByteSpan>& segments, const Engine::TableSink& sink,
                     const std::function<void(double)>& progress) const override {
    c10::InferenceMode guard;
    const int64_t p = impl_.cfg.patch;
    size_t total = 0, done = 0;
    for (const ByteSpan& s : segments) total += s.size;
    size_t first = 0;
    while (first < segments.size()) {
      size_t last = first + 1;
      while (last < segments.size() && segments[last].size == segments[first].size &&
             static_cast<int64_t>(last - first) < kMaxBatchPatches / std::max<int64_t>(1, kGlobalChunk / 4))
        ++last;
      if (segments[first].size == 0) { first = last; continue; }
      Tensor bytes = pack_segments(segments, first, last, p, impl_.device);
      impl_.teacher_force(bytes, [&](int64_t a, int64_t c, const Tensor& freq) {
        Tensor f = freq.to(at::kInt).to(at::kCPU).contiguous();  // [B, C*P, 256]
        const uint32_t* q = reinterpret_cast<const uint32_t*>(f.data_ptr<int32_t>());
        for (size_t s = first; s < last; ++s) {
          const size_t begin = static_cast<size_t>(a * p);
          const size_t end = std::min(segments[s].size, static_cast<size_t>((a + c) * p));
          const uint32_t* rows = q + (s - first) * c * p * 256;
          for (size_t i = begin; i < end; ++i) sink(s, i, rows + (i - begin) * 256);
          done += end > begin ? end - begin : 0;
        }
        if (progress && total > 0) progress(static_cast<double>(done) / static_cast<double>(total));
      });
      first = last;
    }
  }

  std::unique_ptr<AcceleratorStepper> stepper(int batch) const override;

  TorchImpl impl_;
};

// One global step per patch and one local step per byte, as tensor ops.
class TorchStepper : public AcceleratorStepper {
 public:
  TorchStepper(const TorchImpl& e, int batch) : e_(e), batch_(batch) {
    patch_bytes_.assign(static_cast<size_t>(batch) * e.cfg.patch, 0);
    tables_.resize(static_cast<size_t>(batch) * 257);
  }

  const std::vector<uint32_t>& tables() override {
    if (ready_) return tables_;
    c10::InferenceMode guard;
    const TorchImpl& m = e_;
    const int64_t p = m.cfg.patch, b = batch_;
    const int64_t k = pos_ / p, j = pos_ % p;
    if (j == 0) {
      Tensor in = k == 0 ? m.global_input(at::zeros({b, p}, at::TensorOptions().dtype(at::kLong).device(m.device)), 0, 1)
                         : m.g_emb.index_select(0, prev_patch_.reshape({-1})).view({b, 1, m.cfg.g_dim});
      cond_ = m.global_to_local(m.stack_forward(m.global, gcache_, in, k));  // [B, P, Dl]
      lcache_ = StackCache{};
    }
    Tensor prev = at::full({b}, 256, at::TensorOptions().dtype(at::kLong));
    if (j > 0) {
      int64_t* pp = prev.data_ptr<int64_t>();
      for (int64_t i = 0; i < b; ++i) pp[i] = patch_bytes_[i * p + j - 1];
    }
    Tensor lin = (m.l_emb.index_select(0, prev.to(m.device)) + cond_.select(1, j)).clamp_(-kResid, kResid);
    Tensor lout = m.stack_forward(m.local, lcache_, lin.view({b, 1, m.cfg.l_dim}), j);
    Tensor freq = m.head(lout.view({b, m.cfg.l_dim}));
    Tensor cum = at::cat({at::zeros({b, 1}, freq.options()), freq.cumsum(-1)}, -1).to(at::kInt).to(at::kCPU).contiguous();
    const int32_t* q = cum.data_ptr<int32_t>();
    for (size_t i = 0; i < tables_.size(); ++i) tables_[i] = static_cast<uint32_t>(q[i]);
    ready_ = true;
    return tables_;
  }

  void push(const uint8_t* bytes) override {
    if (!ready_) tables();  // keeps the caches in step even if the caller skipped tables()
    const int64_t p = e_.cfg.patch, j = pos_ % p;
    for (int i = 0; i < batch_; ++i) patch_bytes_[static_cast<size_t>(i) * p + j] = bytes[i];
    ++pos_;
    ready_ = false;
    if (pos_ % p == 0) {
      Tensor host = at::empty({batch_, p}, at::TensorOptions().dtype(at::kLong));
      int64_t* hp = host.data_ptr<int64_t>();
      for (size_t i = 0; i < patch_bytes_.size(); ++i) hp[i] = patch_bytes_[i];
      prev_patch_ = host.to(e_.device);
    }
  }

 private:
  const TorchImpl& e_;
  int batch_;
  int64_t pos_ = 0;
  StackCache gcache_, lcache_;
  std::vector<uint8_t> patch_bytes_;  // [batch, P] bytes of the patch being decoded
  Tensor prev_patch_;                 // [batch, P] long: bytes of the previous patch
  Tensor cond_;                       // [batch, P, Dl] f32: this patch's global conditioning
  std::vector<uint32_t> tables_;      // [batch, 257] cumulative frequencies
  bool ready_ = false;
};

std::unique_ptr<AcceleratorStepper> TorchEngine::stepper(int batch) const {
  return std::make_unique<TorchStepper>(impl_, batch);
}

}  // namespace

std::unique_ptr<AcceleratorEngine> make_torch_engine(std::shared_ptr<const ModelFile> model, DeviceKind device) {
  const bool cuda = at::hasCUDA();
  if (device == DeviceKind::cuda && !cuda)
    throw Error(ErrorCode::device_unavailable,
                "CUDA requested but not available (this libtorch has no CUDA support or no GPU is present); use --device cpu");
  if (!cuda) return nullptr;
  return std::make_unique<TorchEngine>(std::move(model), at::Device(at::kCUDA));
}

std::unique_ptr<AcceleratorEngine> make_torch_reference(std::shared_ptr<const ModelFile> model) {
  return std::make_unique<TorchEngine>(std::move(model), at::Device(at::kCPU));
}

}  // namespace mbz
