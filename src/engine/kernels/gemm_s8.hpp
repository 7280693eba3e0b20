// gemm_s8.hpp — exact int8 x int8 -> int32 matrix products for the CPU backend.
//
// Y[m][n] = sum_k X[m][k] * W[n][k], every operand an integer in [-127, 127].
// The products are exact in int32 for K <= 65536 (127 * 255 * K < 2^31 also
// holds for the unsigned-offset form the VNNI kernel uses), so every kernel
// below returns the very integers the plain reference loop returns, in any
// order of summation: docs/EXACTNESS.md §2.
//
// Kernels, chosen once per process from what the CPU has (MBZ_KERNEL=portable|
// avx2|avx512vnni|amx forces one, if the CPU has it):
//   amx         AMX tiles (tdpbusd) for 16 or more rows, the VNNI kernel below that;
//               the same unsigned-offset form and weight layout as avx512vnni
//   avx512vnni  vpdpbusd on (x + 128) as u8 times W as s8, minus 128 * colsum(W)
//   avx2        vpmaddwd on int16 pairs
//   portable    plain loops (the oracle the others are tested against)
// Weights are packed once, at model load, in the layout of the kernel that
// will use them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace mbz::kernels {

enum class Isa { portable, avx2, avx512vnni, amx };

const char* isa_name(Isa isa);
// Whether the element-wise steps that go with this kernel may use AVX-512.
inline bool wide_vectors(Isa isa) { return isa == Isa::avx512vnni || isa == Isa::amx; }
bool isa_supported(Isa isa);
// The fastest supported kernel, or the one MBZ_KERNEL names when the CPU has it.
Isa default_isa();

constexpr int kMaxInner = 65536;  // K bound of exact int32 sums

// W [N, K] int8, packed for one kernel.
class PackedWeights {
 public:
  PackedWeights() = default;
  PackedWeights(const int8_t* w, int n, int k, Isa isa);
  // The same into storage the caller owns and keeps while this is used:
  // storage_bytes(n, k, isa) bytes, 64-byte aligned, of any content (what
  // the kernel reads is written here). A model packs all its matrices into
  // one block.
  PackedWeights(const int8_t* w, int n, int k, Isa isa, uint8_t* storage);
  static size_t storage_bytes(int n, int k, Isa isa);  // a multiple of 64

  // y [m, N] = x [m, K] (row-major, int8 in [-127, 127]) times W^T.
  void multiply(const int8_t* x, int m, int32_t* y) const;

  int n() const { return n_; }
  int k() const { return k_; }
  Isa isa() const { return isa_; }

 private:
  Isa isa_ = Isa::portable;
  int n_ = 0, k_ = 0;
  int kp_ = 0, np_ = 0;              // K and N padded to the kernel's blocks
  std::shared_ptr<uint8_t[]> own_;   // the storage, unless the caller's
  int8_t* w8_ = nullptr;             // portable: [N, K]; vnni, amx: [Np/16][Kp/4][16][4]
  int8_t* g8_ = nullptr;             // vnni, amx: whole groups of 8 blocks again, [Np/128][Kp/4][8][16][4] (one-row products)
  int16_t* w16_ = nullptr;           // avx2: [Np/8][Kp/2][8][2]
  int32_t* offset_ = nullptr;        // vnni, amx: 128 * sum_k W[n][k], [Np]
};

// Plain reference: y[m][n] = sum_k x[m][k] * w[n][k], w [N, K] row-major.
void gemm_reference(const int8_t* x, int m, const int8_t* w, int n, int k, int32_t* y);

}  // namespace mbz::kernels
