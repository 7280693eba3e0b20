// cpu_requant.hpp — requantization of int32 accumulators for the CPU backend:
// rq(acc) = clamp(floor(acc * mant * 2^-shift + 1/2), lo, hi) per column
// (docs/EXACTNESS.md §3), into int8 activations, int32 values, the residual
// stream, or the activation table's input.
//
// Two exact forms: the plain one in int64, (acc * mant + 2^(shift-1)) >> shift;
// the AVX-512 one (wide) in float64, floor(acc * m + 1/2), exact while
// |acc| < 2^27 (K <= 8192 int8 products; the model decides, cpu_model.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/cpu_model.hpp"

namespace mbz {

void requant_to_i8(const int32_t* y, int rows, int n, const Multipliers& m, int8_t* out, bool wide);
void requant_to_i32(const int32_t* y, int rows, int n, const Multipliers& m, int32_t lo, int32_t hi, int32_t* out,
                    bool wide);
// x = clamp(x + rq(y, -R, R), -R, R).
void residual_add(int32_t* x, const int32_t* y, int rows, int n, const Multipliers& m, bool wide);
// act_lut as ActivationBytes (cpu_model.hpp), usable when the CPU has
// AVX-512 VBMI, G <= 128 and every entry is in [-128, 127].
ActivationBytes activation_bytes(const std::vector<int32_t>& lut, int32_t g, bool cpu_has_vbmi);

// out = lut[rq(y, -g, g) + g]. bytes, if usable (and wide), does the lookup.
void activation(int32_t* y, int rows, int n, const Multipliers& m, int32_t g, const int32_t* lut, int8_t* out, bool wide,
                const ActivationBytes* bytes = nullptr);

}  // namespace mbz
