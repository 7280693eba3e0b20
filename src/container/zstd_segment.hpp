// zstd_segment.hpp — segments of method 1: zstd -19, the fallback for what
// the model and the mixer code worse (docs/FORMAT.md "Blocks").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.hpp"

namespace mbz {

std::vector<uint8_t> zstd_encode(ByteSpan raw);
// Throws Error(corrupt) unless the data decodes to exactly raw_len bytes;
// allocates no more than the content really holds (below).
std::vector<uint8_t> zstd_decode(const uint8_t* coded, size_t coded_len, size_t raw_len, const std::string& what);

}  // namespace mbz
