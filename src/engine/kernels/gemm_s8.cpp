// gemm_s8.cpp — the int8 GEMM kernels and their packing; see gemm_s8.hpp.
//
// Dimension legend: M rows of X, N rows of W (outputs), K inner, Kp/Np padded.
// The SIMD kernels live in functions with a target attribute (not in files
// built with -mavx512*), so no inline library code is ever compiled for an
// instruction set the running CPU may lack.
#include "engine/kernels/gemm_s8.hpp"

#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <tuple>
#include <utility>

#include "engine/kernels/cpu_features.hpp"
#include "engine/scratch.hpp"
#include "mbz/error.hpp"

namespace mbz::kernels {

namespace {

int round_up(int v, int to) { return (v + to - 1) / to * to; }

// ------------------------------------------------------------ AVX-512 VNNI
// Micro-tile: MR rows of X times NR blocks of 16 outputs, accumulated in
// MR*NR zmm registers. X arrives as u8 = x + 128 (x ^ 0x80), so each
// accumulator holds sum (x+128)*w; subtracting 128 * colsum(W) gives sum x*w.
constexpr int kVnniRows = 6, kVnniBlocks = 4;

// The accumulators are named variables, not an array: GCC 12 keeps an
// array of __m512i in memory beside its registers and stores every
// accumulator on every step of k, which made this kernel 2.7 times slower.
#define MBZ_VNNI_ROW(r)                                                    \
  if constexpr (MR > r) {                                                  \
    int32_t quad;                                                          \
    std::memcpy(&quad, xu + static_cast<size_t>(r) * kp + 4 * k4, 4);      \
    const __m512i a = _mm512_set1_epi32(quad);                             \
    c##r##0 = _mm512_dpbusd_epi32(c##r##0, a, w0);                         \
    if constexpr (NR > 1) c##r##1 = _mm512_dpbusd_epi32(c##r##1, a, w1);   \
    if constexpr (NR > 2) c##r##2 = _mm512_dpbusd_epi32(c##r##2, a, w2);   \
    if constexpr (NR > 3) c##r##3 = _mm512_dpbusd_epi32(c##r##3, a, w3);   \
  }
#define MBZ_VNNI_STORE(r)                                                  \
  if constexpr (MR > r) {                                                  \
    const __m512i row[4] = {c##r##0, c##r##1, c##r##2, c##r##3};           \
    for (int j = 0; j < NR; ++j)                                           \
      _mm512_mask_storeu_epi32(y + static_cast<size_t>(r) * ldy + 16 * j, mask[j], _mm512_sub_epi32(row[j], o[j])); \
  }

template <int MR, int NR>
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void vnni_tile(const uint8_t* xu, int kp, const int8_t* wb,
                                                                         const int32_t* off, int32_t* y, int ldy,
                                                                         int cols) {
  static_assert(MR >= 1 && MR <= 6 && NR >= 1 && NR <= 4, "tile shape");
  const __m512i z = _mm512_setzero_si512();
  __m512i c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z, c20 = z, c21 = z, c22 = z, c23 = z,
          c30 = z, c31 = z, c32 = z, c33 = z, c40 = z, c41 = z, c42 = z, c43 = z, c50 = z, c51 = z, c52 = z, c53 = z;
  const size_t block = static_cast<size_t>(kp) * 16;  // bytes per block of 16 outputs
  for (int k4 = 0; k4 < kp / 4; ++k4) {
    const __m512i w0 = _mm512_loadu_si512(wb + k4 * 64);
    const __m512i w1 = NR > 1 ? _mm512_loadu_si512(wb + block + k4 * 64) : z;
    const __m512i w2 = NR > 2 ? _mm512_loadu_si512(wb + 2 * block + k4 * 64) : z;
    const __m512i w3 = NR > 3 ? _mm512_loadu_si512(wb + 3 * block + k4 * 64) : z;
    MBZ_VNNI_ROW(0) MBZ_VNNI_ROW(1) MBZ_VNNI_ROW(2) MBZ_VNNI_ROW(3) MBZ_VNNI_ROW(4) MBZ_VNNI_ROW(5)
  }
  __m512i o[NR];
  __mmask16 mask[NR];
  for (int j = 0; j < NR; ++j) {
    o[j] = _mm512_loadu_si512(off + 16 * j);
    const int left = cols - 16 * j;
    mask[j] = left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
  }
  MBZ_VNNI_STORE(0) MBZ_VNNI_STORE(1) MBZ_VNNI_STORE(2) MBZ_VNNI_STORE(3) MBZ_VNNI_STORE(4) MBZ_VNNI_STORE(5)
}
#undef MBZ_VNNI_ROW
#undef MBZ_VNNI_STORE

// One row by 8 blocks of 16 outputs (8 independent chains): block j's four
// K-bytes of step k4 at w + j * block + k4 * step. The block layout has
// block = Kp * 16, step = 64 (8 streams); PackedWeights' row copy of a
// group of 8 blocks side by side ([Kp/4][8][16][4]) has block = 64,
// step = 512: one stream, which the hardware prefetcher follows at about the
// cache's speed where the 8 streams reach two thirds of it.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void vnni_1x8(const uint8_t* xu, int kp, const int8_t* wb,
                                                                        size_t block, size_t step, const int32_t* off,
                                                                        int32_t* y, int cols) {
  const __m512i z = _mm512_setzero_si512();
  __m512i c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z;
  for (int k4 = 0; k4 < kp / 4; ++k4) {
    int32_t quad;
    std::memcpy(&quad, xu + 4 * k4, 4);
    const __m512i a = _mm512_set1_epi32(quad);
    const int8_t* w = wb + static_cast<size_t>(k4) * step;
    c0 = _mm512_dpbusd_epi32(c0, a, _mm512_loadu_si512(w));
    c1 = _mm512_dpbusd_epi32(c1, a, _mm512_loadu_si512(w + block));
    c2 = _mm512_dpbusd_epi32(c2, a, _mm512_loadu_si512(w + 2 * block));
    c3 = _mm512_dpbusd_epi32(c3, a, _mm512_loadu_si512(w + 3 * block));
    c4 = _mm512_dpbusd_epi32(c4, a, _mm512_loadu_si512(w + 4 * block));
    c5 = _mm512_dpbusd_epi32(c5, a, _mm512_loadu_si512(w + 5 * block));
    c6 = _mm512_dpbusd_epi32(c6, a, _mm512_loadu_si512(w + 6 * block));
    c7 = _mm512_dpbusd_epi32(c7, a, _mm512_loadu_si512(w + 7 * block));
  }
  const __m512i acc[8] = {c0, c1, c2, c3, c4, c5, c6, c7};
  for (int j = 0; j < 8; ++j) {
    const int left = cols - 16 * j;
    const __mmask16 mask = left >= 16 ? __mmask16(0xFFFF) : left <= 0 ? __mmask16(0) : __mmask16((1u << left) - 1);
    _mm512_mask_storeu_epi32(y + 16 * j, mask, _mm512_sub_epi32(acc[j], _mm512_loadu_si512(off + 16 * j)));
  }
}

template <int MR>
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void vnni_rows(const uint8_t* xu, int kp, const int8_t* w,
                                                                         const int32_t* off, int np, int n, int32_t* y) {
  const size_t block = static_cast<size_t>(kp) * 16;
  int b = 0;
  if (MR == 1)  // one row: 8 blocks per pass, so 8 accumulator chains overlap
    for (; b + 8 <= np / 16; b += 8)
      vnni_1x8(xu, kp, w + b * block, block, 64, off + 16 * b, y + 16 * b, std::min(n - 16 * b, 128));
  for (; b < np / 16; b += kVnniBlocks) {
    const int nb = std::min(kVnniBlocks, np / 16 - b);
    const int cols = std::min(n - 16 * b, 16 * nb);
    const int8_t* wb = w + b * block;
    int32_t* yb = y + 16 * b;
    switch (nb) {
      case 4: vnni_tile<MR, 4>(xu, kp, wb, off + 16 * b, yb, n, cols); break;
      case 3: vnni_tile<MR, 3>(xu, kp, wb, off + 16 * b, yb, n, cols); break;
      case 2: vnni_tile<MR, 2>(xu, kp, wb, off + 16 * b, yb, n, cols); break;
      default: vnni_tile<MR, 1>(xu, kp, wb, off + 16 * b, yb, n, cols); break;
    }
  }
}

void vnni_gemm(const uint8_t* xu, int m, int kp, const int8_t* w, const int32_t* off, int np, int n, int32_t* y) {
  int r = 0;
  for (; r + kVnniRows <= m; r += kVnniRows)
    vnni_rows<kVnniRows>(xu + static_cast<size_t>(r) * kp, kp, w, off, np, n, y + static_cast<size_t>(r) * n);
  const uint8_t* xr = xu + static_cast<size_t>(r) * kp;
  int32_t* yr = y + static_cast<size_t>(r) * n;
  switch (m - r) {
    case 5: vnni_rows<5>(xr, kp, w, off, np, n, yr); break;
    case 4: vnni_rows<4>(xr, kp, w, off, np, n, yr); break;
    case 3: vnni_rows<3>(xr, kp, w, off, np, n, yr); break;
    case 2: vnni_rows<2>(xr, kp, w, off, np, n, yr); break;
    case 1: vnni_rows<1>(xr, kp, w, off, np, n, yr); break;
    default: break;
  }
}

// One row: whole groups of 8 blocks from the row copy, the rest from the
// block layout.
void vnni_gemv(const uint8_t* xu, int kp, const int8_t* w, const int8_t* g, const int32_t* off, int np, int n, int32_t* y) {
  const int groups = np / 128;
  for (int q = 0; q < groups; ++q)
    vnni_1x8(xu, kp, g + static_cast<size_t>(q) * 128 * kp, 64, 512, off + 128 * q, y + 128 * q, std::min(n - 128 * q, 128));
  const int done = 128 * groups;
  if (done < np) vnni_rows<1>(xu, kp, w + static_cast<size_t>(done) * kp, off + done, np - done, n - done, y + done);
}

// --------------------------------------------------------------------- AMX
// Tiles: C0..C3 (tmm0-3) 2x2 blocks of 16x16 int32, A0/A1 (tmm4-5) 16 rows of
// X by 64 bytes of K, B0/B1 (tmm6-7) 16 rows of 4 K-bytes x 16 outputs: the
// VNNI weight layout, 1 KiB per block of 16 outputs and 64 K. X rows are
// padded to a multiple of 16 (padding rows' results are dropped) and K to 64.
constexpr int kAmxK = 64;

struct TileConfig {
  uint8_t palette = 1, start_row = 0, reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};

bool amx_permitted() {
  static const bool ok = [] {
    constexpr long kReqXcompPerm = 0x1023, kXtiledata = 18;  // asm/prctl.h, the tile data state
    return syscall(SYS_arch_prctl, kReqXcompPerm, kXtiledata) == 0;
  }();
  return ok;
}

__attribute__((target("amx-tile,amx-int8"))) void amx_configure() {
  thread_local bool configured = false;
  if (configured) return;
  TileConfig cfg;
  for (int t = 0; t < 8; ++t) cfg.rows[t] = 16, cfg.colsb[t] = 64;
  _tile_loadconfig(&cfg);
  configured = true;
}

// rows % 16 == 0, kp % 64 == 0; y gets rows [0, m) only.
__attribute__((target("amx-tile,amx-int8,avx512f"))) void amx_gemm(const uint8_t* xu, int m, int rows, int kp,
                                                                    const int8_t* w, const int32_t* off, int np, int n,
                                                                    int32_t* y) {
  amx_configure();
  alignas(64) int32_t c[4][16 * 16];
  const size_t block = static_cast<size_t>(kp) * 16;  // bytes per block of 16 outputs
  const int blocks = np / 16;
  for (int r0 = 0; r0 < rows; r0 += 32) {
    const bool two_rows = r0 + 16 < rows;
    for (int b = 0; b < blocks; b += 2) {
      const bool two_cols = b + 1 < blocks;
      _tile_zero(0);
      _tile_zero(1);
      _tile_zero(2);
      _tile_zero(3);
      for (int k0 = 0; k0 < kp; k0 += kAmxK) {
        _tile_loadd(4, xu + static_cast<size_t>(r0) * kp + k0, kp);
        if (two_rows) _tile_loadd(5, xu + static_cast<size_t>(r0 + 16) * kp + k0, kp);
        _tile_loadd(6, w + b * block + static_cast<size_t>(k0) * 16, 64);
        if (two_cols) _tile_loadd(7, w + (b + 1) * block + static_cast<size_t>(k0) * 16, 64);
        _tile_dpbusd(0, 4, 6);
        if (two_cols) _tile_dpbusd(1, 4, 7);
        if (two_rows) _tile_dpbusd(2, 5, 6);
        if (two_rows && two_cols) _tile_dpbusd(3, 5, 7);
      }
      _tile_stored(0, c[0], 64);
      if (two_cols) _tile_stored(1, c[1], 64);
      if (two_rows) _tile_stored(2, c[2], 64);
      if (two_rows && two_cols) _tile_stored(3, c[3], 64);
      for (int t = 0; t < 4; ++t) {
        const int rb = r0 + 16 * (t / 2), cb = 16 * (b + t % 2);
        if ((t / 2 && !two_rows) || (t % 2 && !two_cols) || cb >= n) continue;
        const __m512i o = _mm512_loadu_si512(off + cb);
        const int left = n - cb;
        const __mmask16 mask = left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
        for (int r = 0; r < 16 && rb + r < m; ++r)
          _mm512_mask_storeu_epi32(y + static_cast<size_t>(rb + r) * n + cb, mask,
                                   _mm512_sub_epi32(_mm512_load_si512(c[t] + 16 * r), o));
      }
    }
  }
}

// -------------------------------------------------------------------- AVX2
// Micro-tile: MR rows times NR blocks of 8 outputs; X and W as int16, each
// vpmaddwd adds two exact products per int32 lane.
constexpr int kAvx2Rows = 4, kAvx2Blocks = 3;

// Named accumulators, as in vnni_tile (an array of them is kept in memory).
#define MBZ_AVX2_ROW(r)                                                              \
  if constexpr (MR > r) {                                                            \
    int32_t pair;                                                                    \
    std::memcpy(&pair, xs + static_cast<size_t>(r) * kp + 2 * k2, 4);                \
    const __m256i a = _mm256_set1_epi32(pair);                                       \
    c##r##0 = _mm256_add_epi32(c##r##0, _mm256_madd_epi16(a, w0));                   \
    if constexpr (NR > 1) c##r##1 = _mm256_add_epi32(c##r##1, _mm256_madd_epi16(a, w1)); \
    if constexpr (NR > 2) c##r##2 = _mm256_add_epi32(c##r##2, _mm256_madd_epi16(a, w2)); \
  }
#define MBZ_AVX2_STORE(r)                                                            \
  if constexpr (MR > r) {                                                            \
    const __m256i row[3] = {c##r##0, c##r##1, c##r##2};                              \
    for (int j = 0; j < NR; ++j) store8(y + static_cast<size_t>(r) * ldy + 8 * j, row[j], cols - 8 * j); \
  }

// Lanes [0, min(left, 8)) of v at out.
__attribute__((target("avx2"))) inline void store8(int32_t* out, __m256i v, int left) {
  if (left >= 8) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), v);
  } else {
    alignas(32) int32_t tmp[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), v);
    std::memcpy(out, tmp, sizeof(int32_t) * static_cast<size_t>(std::max(left, 0)));
  }
}

template <int MR, int NR>
__attribute__((target("avx2"))) void avx2_tile(const int16_t* xs, int kp, const int16_t* wb, int32_t* y, int ldy,
                                               int cols) {
  static_assert(MR >= 1 && MR <= 4 && NR >= 1 && NR <= 3, "tile shape");
  const __m256i z = _mm256_setzero_si256();
  __m256i c00 = z, c01 = z, c02 = z, c10 = z, c11 = z, c12 = z, c20 = z, c21 = z, c22 = z, c30 = z, c31 = z, c32 = z;
  const size_t block = static_cast<size_t>(kp) * 8;  // int16 per block of 8 outputs
  for (int k2 = 0; k2 < kp / 2; ++k2) {
    const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb + k2 * 16));
    const __m256i w1 = NR > 1 ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb + block + k2 * 16)) : z;
    const __m256i w2 = NR > 2 ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb + 2 * block + k2 * 16)) : z;
    MBZ_AVX2_ROW(0) MBZ_AVX2_ROW(1) MBZ_AVX2_ROW(2) MBZ_AVX2_ROW(3)
  }
  MBZ_AVX2_STORE(0) MBZ_AVX2_STORE(1) MBZ_AVX2_STORE(2) MBZ_AVX2_STORE(3)
}
#undef MBZ_AVX2_ROW
#undef MBZ_AVX2_STORE

template <int MR>
__attribute__((target("avx2"))) void avx2_rows(const int16_t* xs, int kp, const int16_t* w, int np, int n, int32_t* y) {
  const size_t block = static_cast<size_t>(kp) * 8;
  for (int b = 0; b < np / 8; b += kAvx2Blocks) {
    const int nb = std::min(kAvx2Blocks, np / 8 - b);
    const int cols = std::min(n - 8 * b, 8 * nb);
    const int16_t* wb = w + b * block;
    int32_t* yb = y + 8 * b;
    switch (nb) {
      case 3: avx2_tile<MR, 3>(xs, kp, wb, yb, n, cols); break;
      case 2: avx2_tile<MR, 2>(xs, kp, wb, yb, n, cols); break;
      default: avx2_tile<MR, 1>(xs, kp, wb, yb, n, cols); break;
    }
  }
}

void avx2_gemm(const int16_t* xs, int m, int kp, const int16_t* w, int np, int n, int32_t* y) {
  int r = 0;
  for (; r + kAvx2Rows <= m; r += kAvx2Rows)
    avx2_rows<kAvx2Rows>(xs + static_cast<size_t>(r) * kp, kp, w, np, n, y + static_cast<size_t>(r) * n);
  const int16_t* xr = xs + static_cast<size_t>(r) * kp;
  int32_t* yr = y + static_cast<size_t>(r) * n;
  switch (m - r) {
    case 3: avx2_rows<3>(xr, kp, w, np, n, yr); break;
    case 2: avx2_rows<2>(xr, kp, w, np, n, yr); break;
    case 1: avx2_rows<1>(xr, kp, w, np, n, yr); break;
    default: break;
  }
}

// X rows as the unsigned operand: x ^ 0x80 (= x + 128), K padded with 0x80 (x = 0).
__attribute__((target("avx512f,avx512bw"))) void offset_rows_avx512(const int8_t* x, int m, int k, int kp, uint8_t* xu) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  for (int r = 0; r < m; ++r) {
    const int8_t* src = x + static_cast<size_t>(r) * k;
    uint8_t* row = xu + static_cast<size_t>(r) * kp;
    for (int i = 0; i < kp; i += 64) {
      const int left = k - i;
      const __mmask64 in = left >= 64 ? ~__mmask64(0) : left <= 0 ? __mmask64(0) : (__mmask64(1) << left) - 1;
      const __mmask64 out = kp - i >= 64 ? ~__mmask64(0) : (__mmask64(1) << (kp - i)) - 1;
      _mm512_mask_storeu_epi8(row + i, out, _mm512_xor_si512(_mm512_maskz_loadu_epi8(in, src + i), flip));
    }
  }
}

// Per-thread staging of X in the kernel's operand form (grown, never shrunk;
// engine/scratch.hpp).
template <class T>
T* scratch(size_t n) {
  thread_local ScratchVector<T> buf;
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::amx: return "amx";
    case Isa::avx512vnni: return "avx512vnni";
    case Isa::avx2: return "avx2";
    default: return "portable";
  }
}

bool isa_supported(Isa isa) {
  const CpuFeatures& f = cpu_features();
  switch (isa) {
    case Isa::avx512vnni: return f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq && f.avx512vnni;
    case Isa::avx2: return f.avx2;
    case Isa::amx: return isa_supported(Isa::avx512vnni) && f.amx_tile && f.amx_int8 && amx_permitted();
    default: return true;
  }
}

Isa default_isa() {
  static const Isa chosen = [] {
    if (const char* env = std::getenv("MBZ_KERNEL")) {
      for (Isa isa : {Isa::portable, Isa::avx2, Isa::avx512vnni, Isa::amx})
        if (std::string(env) == isa_name(isa) && isa_supported(isa)) return isa;
    }
    for (Isa isa : {Isa::amx, Isa::avx512vnni, Isa::avx2})
      if (isa_supported(isa)) return isa;
    return Isa::portable;
  }();
  return chosen;
}

void gemm_reference(const int8_t* x, int m, const int8_t* w, int n, int k, int32_t* y) {
  for (int r = 0; r < m; ++r)
    for (int j = 0; j < n; ++j) {
      const int8_t* a = x + static_cast<size_t>(r) * k;
      const int8_t* b = w + static_cast<size_t>(j) * k;
      int32_t s = 0;
      for (int i = 0; i < k; ++i) s += int32_t(a[i]) * int32_t(b[i]);
      y[static_cast<size_t>(r) * n + j] = s;
    }
}

namespace {
// Kp and Np of a kernel's layout.
std::pair<int, int> padded(int n, int k, Isa isa) {
  switch (isa) {
    case Isa::amx:
    case Isa::avx512vnni: return {round_up(k, isa == Isa::amx ? kAmxK : 4), round_up(n, 16)};
    case Isa::avx2: return {round_up(k, 2), round_up(n, 8)};
    default: return {k, n};
  }
}
}  // namespace

size_t PackedWeights::storage_bytes(int n, int k, Isa isa) {
  const auto [kp, np] = padded(n, k, isa);
  const size_t cells = static_cast<size_t>(np) * kp;
  size_t bytes = 0;
  switch (isa) {
    case Isa::amx:
    case Isa::avx512vnni:  // offsets, the weights, then whole groups of 8 blocks again, side by side (one-row products)
      bytes = 4 * static_cast<size_t>(np) + cells + static_cast<size_t>(np / 128) * 128 * kp;
      break;
    case Isa::avx2: bytes = 2 * cells; break;
    default: bytes = cells; break;
  }
  return (bytes + 63) / 64 * 64;
}

PackedWeights::PackedWeights(const int8_t* w, int n, int k, Isa isa)
    : PackedWeights(w, n, k, isa, nullptr) {}

PackedWeights::PackedWeights(const int8_t* w, int n, int k, Isa isa, uint8_t* storage) : isa_(isa), n_(n), k_(k) {
  if (n < 1 || k < 1 || k > kMaxInner) throw Error(ErrorCode::internal, "gemm: matrix shape out of range");
  if (!isa_supported(isa)) throw Error(ErrorCode::internal, std::string("gemm: this CPU has no ") + isa_name(isa));
  if (!storage) {
    own_.reset(new uint8_t[storage_bytes(n, k, isa)]);  // not zeroed: every byte is written below
    storage = own_.get();
  }
  std::tie(kp_, np_) = padded(n, k, isa);
  auto at = [&](int row, int col) -> int8_t { return row < n && col < k ? w[static_cast<size_t>(row) * k + col] : 0; };
  switch (isa) {
    case Isa::amx:
    case Isa::avx512vnni:
      offset_ = reinterpret_cast<int32_t*>(storage);
      w8_ = reinterpret_cast<int8_t*>(storage + 4 * static_cast<size_t>(np_));
      std::fill_n(offset_, np_, 0);
      // Four K-bytes of a row at a time where the row and all four are in
      // the matrix (all but the padding): packing runs at every model load,
      // in each process, before its first product.
      for (int b = 0; b < np_ / 16; ++b)
        for (int k4 = 0; k4 < kp_ / 4; ++k4)
          for (int c = 0; c < 16; ++c) {
            int8_t* quad = w8_ + ((static_cast<size_t>(b) * (kp_ / 4) + k4) * 16 + c) * 4;
            const int row = 16 * b + c;
            if (row < n && 4 * k4 + 4 <= k)
              std::memcpy(quad, w + static_cast<size_t>(row) * k + 4 * k4, 4);
            else
              for (int t = 0; t < 4; ++t) quad[t] = at(row, 4 * k4 + t);
          }
      for (int row = 0; row < n; ++row) {
        const int8_t* r = w + static_cast<size_t>(row) * k;
        int32_t sum = 0;
        for (int col = 0; col < k; ++col) sum += r[col];
        offset_[row] = 128 * sum;
      }
      // The row copy: group q, step k4, block j of the group at ((q * Kp/4 + k4) * 8 + j) * 64.
      g8_ = w8_ + static_cast<size_t>(np_) * kp_;
      for (int q = 0; q < np_ / 128; ++q)
        for (int k4 = 0; k4 < kp_ / 4; ++k4)
          for (int j = 0; j < 8; ++j)
            std::memcpy(g8_ + ((static_cast<size_t>(q) * (kp_ / 4) + k4) * 8 + j) * 64,
                        w8_ + ((static_cast<size_t>(8 * q + j) * (kp_ / 4)) + k4) * 64, 64);
      break;
    case Isa::avx2:
      w16_ = reinterpret_cast<int16_t*>(storage);
      for (int b = 0; b < np_ / 8; ++b)
        for (int k2 = 0; k2 < kp_ / 2; ++k2)
          for (int c = 0; c < 8; ++c)
            for (int t = 0; t < 2; ++t)
              w16_[((static_cast<size_t>(b) * (kp_ / 2) + k2) * 8 + c) * 2 + t] = at(8 * b + c, 2 * k2 + t);
      break;
    default:
      w8_ = reinterpret_cast<int8_t*>(storage);
      std::copy_n(w, static_cast<size_t>(n) * k, w8_);
      break;
  }
}

void PackedWeights::multiply(const int8_t* x, int m, int32_t* y) const {
  if (m <= 0) return;
  switch (isa_) {
    case Isa::amx:
    case Isa::avx512vnni: {
      // Below 16 rows a tile would be mostly padding: the VNNI kernel reads
      // the same layout (its K padding to 64 adds only zero products).
      const bool tiles = isa_ == Isa::amx && m >= 16;
      const int rows = tiles ? round_up(m, 16) : m;
      uint8_t* xu = scratch<uint8_t>(static_cast<size_t>(rows) * kp_);
      offset_rows_avx512(x, m, k_, kp_, xu);
      std::memset(xu + static_cast<size_t>(m) * kp_, 0x80, static_cast<size_t>(rows - m) * kp_);
      if (tiles)
        amx_gemm(xu, m, rows, kp_, w8_, offset_, np_, n_, y);
      else if (m == 1)
        vnni_gemv(xu, kp_, w8_, g8_, offset_, np_, n_, y);
      else
        vnni_gemm(xu, m, kp_, w8_, offset_, np_, n_, y);
      break;
    }
    case Isa::avx2: {
      int16_t* xs = scratch<int16_t>(static_cast<size_t>(m) * kp_);
      for (int r = 0; r < m; ++r) {
        int16_t* row = xs + static_cast<size_t>(r) * kp_;
        const int8_t* src = x + static_cast<size_t>(r) * k_;
        for (int i = 0; i < k_; ++i) row[i] = src[i];
        for (int i = k_; i < kp_; ++i) row[i] = 0;
      }
      avx2_gemm(xs, m, kp_, w16_, np_, n_, y);
      break;
    }
    default:
      gemm_reference(x, m, w8_, n_, k_, y);
      break;
  }
}

}  // namespace mbz::kernels
