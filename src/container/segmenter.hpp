// segmenter.hpp — where a payload's segments begin and end: fixed-size
// pieces of the frame's segment size (the last may be shorter), each coded
// and decoded on its own (segment_encoder.hpp, segment_decoder.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/engine.hpp"

namespace mbz {

// Cuts data[0, size) into segments of segment_size bytes (the last may be shorter).
std::vector<ByteSpan> split_segments(const uint8_t* data, size_t size, uint32_t segment_size);

}  // namespace mbz
