// fuzz_side_info — what the decoder does with an adapter frame's side
// information (codecs/side_info.cpp, adapter.cpp, sample_layout.cpp) and the
// payload its segments decoded to: validate, describe, restore. The header
// check only proves the bytes are undamaged, not that their writer was
// honest, so every field here is hostile.
// Input: byte 0 picks the adapter (pcm or image), bytes 1..4 the side
// information's length m (little-endian, taken modulo what is there), then m
// bytes of side information, then the payload.
// Checks: only named errors; memory never exceeds a bound tied to the payload
// (libFuzzer's -malloc_limit_mb reports a larger allocation); a restore that
// succeeds returns exactly the side information's original size.
#include "codecs/adapter.hpp"
#include "codecs/side_info.hpp"
#include "common/le_bytes.hpp"
#include "fuzz_util.hpp"

using namespace mbz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  const uint8_t adapter = 1 + (data[0] & 1);
  const size_t m = load_u32le(data + 1) % (size - 5 + 1);
  const std::vector<uint8_t> side(data + 5, data + 5 + m);
  const std::vector<uint8_t> payload(data + 5 + m, data + size);
  try {
    codecs::check_side_info(adapter, side);
  } catch (const Error& e) {
    fuzz::expect_input_error(e);
    return 0;
  }
  try {
    codecs::describe(adapter, side);
    codecs::restores_samples_only(adapter, side);
    const std::vector<uint8_t> out = codecs::restore(adapter, side, payload);
    const codecs::SideInfo s = codecs::decode_side_info(static_cast<codecs::AdapterId>(adapter), side);
    if (!codecs::is_media(s.container) && out.size() != s.original_size) fuzz::bug("restored size differs from the header's");
  } catch (const Error& e) {
    fuzz::expect_input_error(e);
  }
  return 0;
}
