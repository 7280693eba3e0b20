// cpu_features.hpp — what the running x86-64 CPU and its operating system
// let the int8 kernels use, read from CPUID and XCR0 directly.
//
// An instruction set is usable when the CPU has it (CPUID) and the operating
// system saves its registers on a context switch (XCR0, read with xgetbv
// once CPUID says OSXSAVE): AVX and AVX2 need the SSE and AVX states (XCR0
// bits 1, 2), AVX-512 also the opmask and upper ZMM states (bits 5-7), AMX
// the tile configuration and tile data states (bits 17, 18). The same
// rules as the compilers' __builtin_cpu_supports, which cannot serve here:
// clang before 16 (Debian 12's clang 14 builds the sanitizer and fuzz tree)
// does not know the AMX names. Linux also asks each process to request the
// tile data state before it uses AMX (arch_prctl; gemm_s8.cpp, amx_permitted).
#pragma once

namespace mbz::kernels {

struct CpuFeatures {
  bool avx2 = false;
  bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false, avx512vnni = false;
  bool avx512vbmi = false;  // byte permutes: the activation's table lookup (cpu_requant.cpp)
  bool amx_tile = false, amx_int8 = false;
};

// Read once per process.
const CpuFeatures& cpu_features();

}  // namespace mbz::kernels
