// engine.cpp — exact-integer MEGABYTE on libtorch (the only libtorch TU of the codec).
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
#include "engine/engine.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/cpu_step.hpp"
#include "engine/fused_cpu.hpp"
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

Tensor host_tensor(const IntTensor& t, at::ScalarType type, at::Device dev) {
  Tensor cpu = at::empty(t.shape, at::TensorOptions().dtype(at::kInt));
  std::copy(t.data.begin(), t.data.end(), cpu.data_ptr<int32_t>());
  return cpu.to(type).to(dev);
}

// Dyadic multipliers [N,2] (mantissa, shift) -> float64 [N], exactly mant * 2^-shift.
Tensor multipliers(const IntTensor& t, at::Device dev) {
  const int64_t n = t.shape[0];
  Tensor cpu = at::empty({n}, at::TensorOptions().dtype(at::kDouble));
  double* p = cpu.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i) p[i] = dyadic_value(&t.data[2 * i]);
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

// libtorch's intra-op pool for the fused loops.
void torch_parallel_for(int64_t n, int64_t grain, void* ctx, void (*body)(void*, int64_t, int64_t)) {
  at::parallel_for(0, n, grain, [&](int64_t b, int64_t e) { body(ctx, b, e); });
}

fused::Rows rows_of(const Tensor& t) { return {t.numel() / t.size(-1), t.size(-1)}; }
const float* f32_ptr(const Tensor& t) { return t.scalar_type() == at::kFloat ? t.data_ptr<float>() : nullptr; }
const double* f64_ptr(const Tensor& t) { return t.scalar_type() == at::kDouble ? t.data_ptr<double>() : nullptr; }

struct LayerW {
  Tensor wqkv_t, mqkv, mscore, slopes, mav, wo_t, mo, w1_t, m1, w2_t, m2;
  double mscore_host = 0;              // for the fused loops
  std::vector<int64_t> slopes_host;
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

struct Engine::Impl {
  std::shared_ptr<const ModelFile> model;
  std::shared_ptr<const CpuModel> kernel_model;  // for the CPU step kernel
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
  bool fused = false;  // one-pass CPU element-wise loops instead of tensor ops
  std::vector<int32_t> act_lut_host, attn_lut_host, out_lut_host;

  // --- element-wise steps: fused loops on CPU, tensor ops elsewhere (the reference)

  // Linear layer requantized to [lo, hi]: f32 [..., N].
  Tensor linear_rq(const Tensor& x, const Tensor& wt, const Tensor& m, double lo, double hi) const {
    Tensor acc = int_matmul(x, wt).contiguous();
    if (!fused) return requant(acc, m, lo, hi).to(at::kFloat);
    Tensor out = at::empty(acc.sizes(), acc.options().dtype(at::kFloat));
    fused::requant(f32_ptr(acc), f64_ptr(acc), rows_of(acc), m.data_ptr<double>(), lo, hi, out.data_ptr<float>(),
                   torch_parallel_for);
    return out;
  }

  // x = clamp(x + linear(in), -R, R); x f32 contiguous, updated in place when fused.
  Tensor residual(Tensor x, const Tensor& in, const Tensor& wt, const Tensor& m) const {
    Tensor acc = int_matmul(in, wt).contiguous();
    if (!fused) return (x + requant(acc, m, -kResid, kResid).to(at::kFloat)).clamp_(-kResid, kResid);
    x = x.contiguous();
    fused::residual_add(x.data_ptr<float>(), f32_ptr(acc), f64_ptr(acc), rows_of(acc), m.data_ptr<double>(), kResid,
                        torch_parallel_for);
    return x;
  }

  // act_lut[linear(in) requantized to [-G, G] + G]: f32.
  Tensor activation(const Tensor& in, const Tensor& wt, const Tensor& m) const {
    const double g = static_cast<double>(cfg.act_half);
    Tensor acc = int_matmul(in, wt).contiguous();
    if (!fused) return at::take(act_lut, requant(acc, m, -g, g).add_(g).to(at::kLong));
    Tensor out = at::empty(acc.sizes(), acc.options().dtype(at::kFloat));
    fused::activation(f32_ptr(acc), f64_ptr(acc), rows_of(acc), m.data_ptr<double>(), static_cast<int32_t>(cfg.act_half),
                      act_lut_host.data(), out.data_ptr<float>(), torch_parallel_for);
    return out;
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
      l.mscore_host = dyadic_value(m.tensor(p + "mscore").data.data());
      l.slopes = host_tensor(m.tensor(p + "slopes"), at::kDouble, device).view({heads, 1, 1});
      for (int32_t v : m.tensor(p + "slopes").data) l.slopes_host.push_back(v);
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
    if (fused) {
      Tensor xc = x.contiguous(), out = at::empty_like(xc);
      fused::rmsnorm(xc.data_ptr<float>(), rows_of(xc), cfg.norm_scale, out.data_ptr<float>(), torch_parallel_for);
      return out;
    }
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
                const Tensor& qpos, const Tensor& kpos, int64_t qpos0, int64_t kpos0) const {
    const int64_t b = q.size(0), c = q.size(2);
    if (fused) {
      Tensor scores = at::matmul(q, k.transpose(-1, -2)).contiguous();  // [B,H,C,T] exact
      Tensor p = at::empty_like(scores);
      fused::attention_weights(scores.data_ptr<float>(), b * s.heads, s.heads, c, scores.size(3), l.mscore_host,
                               l.slopes_host.data(), qpos0, kpos0, s.window, attn_lut_host.data(),
                               static_cast<int64_t>(attn_lut_host.size()), static_cast<int>(cfg.attn_prob_bits),
                               p.data_ptr<float>(), torch_parallel_for);
      Tensor av = at::matmul(p, v).transpose(1, 2).reshape({b, c, s.d}).contiguous();
      Tensor out = at::empty_like(av);
      fused::requant(av.data_ptr<float>(), nullptr, rows_of(av), l.mav.data_ptr<double>(), -127, 127,
                     out.data_ptr<float>(), torch_parallel_for);
      return out;
    }
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
    if (!fused) kpos = at::arange(static_cast<double>(kpos0), static_cast<double>(lc.p0 + lc.n), f64(device));
  }

  // One transformer stack over a chunk. x [B, C, D] f32 at positions [pos0, pos0+C).
  Tensor stack_forward(const StackW& s, StackCache& cache, Tensor x, int64_t pos0) const {
    const int64_t b = x.size(0), c = x.size(1);
    if (cache.layers.size() != s.layers.size()) cache.layers.resize(s.layers.size());
    Tensor qpos;
    if (!fused) qpos = at::arange(static_cast<double>(pos0), static_cast<double>(pos0 + c), f64(device));
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
    if (fused) {
      Tensor acc = int_matmul(rmsnorm(x), out_t).contiguous();
      Tensor freq = at::empty(acc.sizes(), acc.options().dtype(at::kDouble));
      fused::byte_tables(f32_ptr(acc), f64_ptr(acc), acc.size(0), out_m.data_ptr<double>(), out_lut_host.data(),
                         static_cast<int64_t>(out_lut_host.size()), cfg.freq_total, freq.data_ptr<double>(),
                         torch_parallel_for);
      return freq;
    }
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

void set_compute_threads(int threads) {
  if (threads > 0 && at::get_num_threads() != threads) at::set_num_threads(threads);
}

DeviceKind parse_device(const std::string& s) {
  if (s == "auto") return DeviceKind::automatic;
  if (s == "cpu") return DeviceKind::cpu;
  if (s == "cuda") return DeviceKind::cuda;
  throw Error(ErrorCode::invalid_argument, "unknown device '" + s + "' (expected auto, cpu or cuda)");
}

Engine::Engine(std::shared_ptr<const ModelFile> model, DeviceKind device, int threads, bool reference_ops)
    : impl_(std::make_unique<Impl>()) {
  c10::InferenceMode guard;
  set_compute_threads(threads);
  const bool cuda = at::hasCUDA();
  if (device == DeviceKind::cuda && !cuda)
    throw Error(ErrorCode::device_unavailable,
                "CUDA requested but not available (this libtorch has no CUDA support or no GPU is present); use --device cpu");
  Impl& m = *impl_;
  m.device = (device == DeviceKind::cuda || (device == DeviceKind::automatic && cuda)) ? at::Device(at::kCUDA)
                                                                                      : at::Device(at::kCPU);
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
  m.kernel_model = make_cpu_model(f);
  m.fused = m.device.is_cpu() && !reference_ops;
  m.act_lut_host = f.tensor("lut.act").data;
  m.attn_lut_host = f.tensor("lut.attn_exp").data;
  m.out_lut_host = f.tensor("lut.out_exp").data;
}

Engine::~Engine() = default;

const ModelFile& Engine::model() const { return *impl_->model; }
std::string Engine::device_name() const { return impl_->device.str(); }

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

}  // namespace

namespace {

// Teacher forcing over all segments, batching segments of equal length (the
// common case: full-size segments). extract(freq [B, C*P, 256] f64, sym [B, C*P, 1]
// long) gives [B, C*P, K] values per byte; store(segment, byte, row of K int32) keeps them.
template <class Extract, class Store>
void batched_teacher_force(const Engine::Impl& m, const std::vector<ByteSpan>& segments,
                           const std::function<void(double)>& progress, Extract&& extract, Store&& store) {
  const int64_t p = m.cfg.patch;
  size_t total = 0, done = 0;
  for (const ByteSpan& s : segments) total += s.size;
  size_t first = 0;
  while (first < segments.size()) {
    size_t last = first + 1;
    while (last < segments.size() && segments[last].size == segments[first].size &&
           static_cast<int64_t>(last - first) < kMaxBatchPatches / std::max<int64_t>(1, kGlobalChunk / 4))
      ++last;
    if (segments[first].size == 0) { first = last; continue; }
    Tensor bytes = pack_segments(segments, first, last, p, m.device);
    m.teacher_force(bytes, [&](int64_t a, int64_t c, const Tensor& freq) {
      Tensor sym = bytes.narrow(1, a * p, c * p).unsqueeze(-1);  // [B, C*P, 1]
      Tensor values = extract(freq, sym).to(at::kInt).to(at::kCPU).contiguous();
      const int64_t k = values.size(-1);
      const int32_t* q = values.data_ptr<int32_t>();
      for (size_t s = first; s < last; ++s) {
        const size_t begin = static_cast<size_t>(a * p);
        const size_t end = std::min(segments[s].size, static_cast<size_t>((a + c) * p));
        const int32_t* row = q + (s - first) * c * p * k;
        for (size_t i = begin; i < end; ++i) store(s, i, row + (i - begin) * k);
        done += end > begin ? end - begin : 0;
      }
      if (progress && total > 0) progress(static_cast<double>(done) / static_cast<double>(total));
    });
    first = last;
  }
}

}  // namespace

std::vector<std::vector<SymbolCode>> Engine::evaluate(const std::vector<ByteSpan>& segments,
                                                      const std::function<void(double)>& progress) const {
  c10::InferenceMode guard;
  std::vector<std::vector<SymbolCode>> out(segments.size());
  for (size_t i = 0; i < segments.size(); ++i) out[i].resize(segments[i].size);
  batched_teacher_force(
      *impl_, segments, progress,
      [](const Tensor& freq, const Tensor& sym) {
        Tensor cum = freq.cumsum(-1) - freq;
        return at::cat({cum.gather(-1, sym), freq.gather(-1, sym), freq.sum(-1, true)}, -1);
      },
      [&](size_t s, size_t i, const int32_t* r) {
        out[s][i] = SymbolCode{static_cast<uint32_t>(r[0]), static_cast<uint32_t>(r[1]), static_cast<uint32_t>(r[2])};
      });
  return out;
}

std::vector<std::vector<mix::NodeCounts>> Engine::evaluate_paths(const std::vector<ByteSpan>& segments,
                                                                 const std::function<void(double)>& progress) const {
  c10::InferenceMode guard;
  std::vector<std::vector<mix::NodeCounts>> out(segments.size());
  for (size_t i = 0; i < segments.size(); ++i) out[i].resize(segments[i].size * 8);
  batched_teacher_force(
      *impl_, segments, progress,
      [](const Tensor& freq, const Tensor& sym) {
        // cum[j] = sum of freq[0, j); node d of the byte's path spans [lo, lo + w), w = 256 >> d.
        Tensor cum = at::cat({at::zeros_like(freq.narrow(-1, 0, 1)), freq.cumsum(-1)}, -1);
        std::vector<Tensor> parts;
        for (int64_t d = 0; d < 8; ++d) {
          const int64_t w = 256 >> d;
          Tensor lo = sym - at::remainder(sym, w);
          Tensor hi = cum.gather(-1, lo + w);
          parts.push_back(hi - cum.gather(-1, lo + w / 2));  // ones
          parts.push_back(hi - cum.gather(-1, lo));          // total
        }
        return at::cat(parts, -1);
      },
      [&](size_t s, size_t i, const int32_t* r) {
        for (int d = 0; d < 8; ++d)
          out[s][i * 8 + d] = mix::NodeCounts{static_cast<uint32_t>(r[2 * d]), static_cast<uint32_t>(r[2 * d + 1])};
      });
  return out;
}

std::vector<uint32_t> Engine::frequency_tables(ByteSpan segment) const {
  c10::InferenceMode guard;
  const Impl& m = *impl_;
  std::vector<uint32_t> out(segment.size * 256);
  if (segment.size == 0) return out;
  std::vector<ByteSpan> one{segment};
  Tensor bytes = pack_segments(one, 0, 1, m.cfg.patch, m.device);
  m.teacher_force(bytes, [&](int64_t a, int64_t c, const Tensor& freq) {
    Tensor f = freq.to(at::kInt).to(at::kCPU).contiguous();
    const int32_t* q = f.data_ptr<int32_t>();
    const size_t begin = static_cast<size_t>(a * m.cfg.patch);
    const size_t end = std::min(segment.size, static_cast<size_t>((a + c) * m.cfg.patch));
    for (size_t i = begin; i < end; ++i)
      for (int s = 0; s < 256; ++s) out[i * 256 + s] = static_cast<uint32_t>(q[(i - begin) * 256 + s]);
  });
  return out;
}

// ---------------------------------------------------------------- StepDecoder

struct StepDecoder::State {
  const Engine::Impl* e = nullptr;
  int batch = 0;
  int64_t pos = 0;
  StackCache gcache, lcache;
  std::vector<uint8_t> patch_bytes;  // [batch, P] bytes of the patch being decoded
  Tensor prev_patch;                 // [batch, P] long: bytes of the previous patch
  Tensor cond;                       // [batch, P, Dl] f32: this patch's global conditioning
  std::vector<uint32_t> tables;      // [batch, 257] cumulative frequencies
  bool ready = false;
};

StepDecoder::StepDecoder(const Engine& engine, int batch, Path path) : st_(std::make_unique<State>()) {
  if (batch < 1) throw Error(ErrorCode::invalid_argument, "decoder batch must be >= 1");
  const bool cpu = engine.impl_->device.is_cpu();
  if (path == Path::kernel && !cpu) throw Error(ErrorCode::invalid_argument, "the step kernel runs on CPU only");
  if (path == Path::kernel || (path == Path::automatic && cpu)) {
    kernel_ = std::make_unique<CpuStepper>(engine.impl_->kernel_model, batch);
    st_->batch = batch;
    return;
  }
  st_->e = engine.impl_.get();
  st_->batch = batch;
  st_->patch_bytes.assign(static_cast<size_t>(batch) * st_->e->cfg.patch, 0);
  st_->tables.resize(static_cast<size_t>(batch) * 257);
}

StepDecoder::~StepDecoder() = default;
int StepDecoder::batch() const { return st_->batch; }

const std::vector<uint32_t>& StepDecoder::tables() {
  if (kernel_) return kernel_->tables();
  if (st_->ready) return st_->tables;
  c10::InferenceMode guard;
  State& s = *st_;
  const Engine::Impl& m = *s.e;
  const int64_t p = m.cfg.patch, b = s.batch;
  const int64_t k = s.pos / p, j = s.pos % p;
  if (j == 0) {
    Tensor in = k == 0 ? m.global_input(at::zeros({b, p}, at::TensorOptions().dtype(at::kLong).device(m.device)), 0, 1)
                       : m.g_emb.index_select(0, s.prev_patch.reshape({-1})).view({b, 1, m.cfg.g_dim});
    s.cond = m.global_to_local(m.stack_forward(m.global, s.gcache, in, k));  // [B, P, Dl]
    s.lcache = StackCache{};
  }
  Tensor prev = at::full({b}, 256, at::TensorOptions().dtype(at::kLong));
  if (j > 0) {
    int64_t* pp = prev.data_ptr<int64_t>();
    for (int64_t i = 0; i < b; ++i) pp[i] = s.patch_bytes[i * p + j - 1];
  }
  Tensor lin = (m.l_emb.index_select(0, prev.to(m.device)) + s.cond.select(1, j)).clamp_(-kResid, kResid);
  Tensor lout = m.stack_forward(m.local, s.lcache, lin.view({b, 1, m.cfg.l_dim}), j);
  Tensor freq = m.head(lout.view({b, m.cfg.l_dim}));
  Tensor cum = at::cat({at::zeros({b, 1}, freq.options()), freq.cumsum(-1)}, -1).to(at::kInt).to(at::kCPU).contiguous();
  const int32_t* q = cum.data_ptr<int32_t>();
  for (size_t i = 0; i < s.tables.size(); ++i) s.tables[i] = static_cast<uint32_t>(q[i]);
  s.ready = true;
  return s.tables;
}

void StepDecoder::push(const uint8_t* bytes) {
  if (kernel_) return kernel_->push(bytes);
  State& s = *st_;
  if (!s.ready) tables();  // keeps the caches in step even if the caller skipped tables()
  const int64_t p = s.e->cfg.patch, j = s.pos % p;
  for (int i = 0; i < s.batch; ++i) s.patch_bytes[static_cast<size_t>(i) * p + j] = bytes[i];
  ++s.pos;
  s.ready = false;
  if (s.pos % p == 0) {
    Tensor host = at::empty({s.batch, p}, at::TensorOptions().dtype(at::kLong));
    int64_t* hp = host.data_ptr<int64_t>();
    for (size_t i = 0; i < s.patch_bytes.size(); ++i) hp[i] = s.patch_bytes[i];
    s.prev_patch = host.to(s.e->device);
  }
}

}  // namespace mbz
