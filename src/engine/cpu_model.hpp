// cpu_model.hpp — a model file unpacked for the CPU backend: weights packed
// for the chosen GEMM kernel, multipliers as integer (mantissa, shift) pairs,
// lookup tables. Built once per engine; read-only afterwards, shared by threads.
//
// Dimension legend: P patch size, D width (Dg global, Dl local), H heads,
// dh = D/H, F feed-forward width, W attention window.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/huge_pages.hpp"
#include "engine/kernels/gemm_s8.hpp"
#include "model/model_file.hpp"

namespace mbz {

// Requantization multipliers of one layer output, per channel:
// rq(acc) = clamp((acc * mant + round) >> shift, lo, hi), which is
// docs/EXACTNESS.md's clamp(floor(acc * mant * 2^-shift + 1/2), lo, hi)
// computed in int64 (|acc * mant| < 2^51).
struct Multipliers {
  std::vector<int64_t> mant, round;  // round = 2^(shift-1), or 0 when shift = 0
  std::vector<int32_t> shift;
  std::vector<double> real;          // mant * 2^-shift, exactly
};

// The activation table as bytes, looked up by byte permutes instead of a
// gather, which took most of the activation step's time (cpu_requant.cpp).
struct ActivationBytes {
  bool usable = false;
  int8_t table[256] = {};  // entries [0, 256)
  int8_t last = 0;         // entry 256 (G = 128)
};

struct CpuLayer {
  kernels::PackedWeights wqkv, wo, w1, w2;  // [3D, D], [D, D], [F, D], [D, F]
  Multipliers mqkv, mav, mo, m1, m2;        // [3D], [D], [D], [F], [D]
  Multipliers mscore;                       // [1]
  std::vector<int64_t> slopes;              // [H]
};

struct CpuStack {
  int d = 0, heads = 0, dh = 0, ffn = 0, window = 0;
  std::vector<CpuLayer> layers;
};

struct CpuModel {
  // Every packed weight matrix below, in one block on huge pages where the
  // system allows (common/huge_pages.hpp): a matrix each cost a thousand
  // page faults in all, most of a small file's set-up.
  HugePageArray<uint8_t> packed;
  ModelConfig cfg;
  kernels::Isa isa = kernels::Isa::portable;
  bool wide_requant = false;  // AVX-512 float64 requantization (cpu_requant.hpp): wide kernels and every K <= 8192
  CpuStack global, local;
  std::vector<int32_t> g_emb;    // [256, Dg/P]
  std::vector<int32_t> g_pad;    // [Dg]
  std::vector<int32_t> l_emb;    // [257, Dl]; row 256: the pad before a patch's first byte
  std::vector<int32_t> act_lut;  // [2G+1]
  ActivationBytes act_bytes;     // the same as bytes, where the wide kernels can use them
  // The exp tables, int32: the loader holds their entries to [0, 2^16] and
  // [0, 2^20] (model_file.cpp), and a gather of 16 such lanes costs about
  // what one of 8 int64 lanes does.
  std::vector<int32_t> attn_lut; // [La], last entry 0
  std::vector<int32_t> out_lut;  // [Lo]
  kernels::PackedWeights g2l, out;  // [P*Dl, Dg], [256, Dl]
  Multipliers g2l_m, out_m;          // [P*Dl], [256]
};

std::shared_ptr<const CpuModel> make_cpu_model(const ModelFile& file, kernels::Isa isa);

}  // namespace mbz
