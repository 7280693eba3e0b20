// Segment boundaries (segmenter.hpp).
#include "container/segmenter.hpp"

#include <algorithm>

namespace mbz {

std::vector<ByteSpan> split_segments(const uint8_t* data, size_t size, uint32_t segment_size) {
  std::vector<ByteSpan> segs;
  for (size_t off = 0; off < size; off += segment_size) segs.push_back({data + off, std::min<size_t>(segment_size, size - off)});
  return segs;
}

}  // namespace mbz
