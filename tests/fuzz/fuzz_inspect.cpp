// fuzz_inspect — `mbz -l`'s path (src/api/inspect.cpp): one frame's header,
// segment table and footer read from a stream without decoding. Checks: the
// size it reports is the bytes it read, and the segment counts add up.
#include <sstream>

#include "fuzz_util.hpp"

using namespace mbz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* raw, size_t raw_size) {
  fuzz::MbzInput input;  // a control byte, then .mbz bytes (fuzz_util.hpp)
  if (!input.split(raw, raw_size)) return 0;
  const uint8_t* data = input.bytes.data();
  const size_t size = input.bytes.size();
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  FrameInfo info;
  try {
    info = inspect_stream(in);
  } catch (const Error& e) {
    fuzz::expect_input_error(e);
    return 0;
  }
  const auto consumed = static_cast<uint64_t>(in.tellg());
  if (info.compressed_size != consumed)
    fuzz::bug("inspect reports " + std::to_string(info.compressed_size) + " bytes, read " + std::to_string(consumed));
  if (info.segments_mixed > info.segments_model) fuzz::bug("more mixed than model segments");
  const uint64_t segments = info.segments_stored + info.segments_zstd + info.segments_model;
  if (info.original_size > segments * info.segment_size) fuzz::bug("original size exceeds its segments");
  if (info.adapter_description.empty() || info.adapter_name.empty()) fuzz::bug("no adapter description");
  return 0;
}
