// adapter_roundtrip.hpp — the body of the adapter targets (fuzz_pcm,
// fuzz_image, fuzz_media): parse an input as the adapter would on
// compression, and when it is taken, check what decompression would do with
// the result: the side information is valid and describes, and restoring
// the payload gives the input back byte for byte (media: a file whose
// decoded samples are the same samples).
#pragma once

#include <algorithm>

#include "codecs/adapter.hpp"
#include "common/hashes.hpp"
#include "fuzz_util.hpp"

namespace mbz::fuzz {

// The layout comes from the input's hash, so every layout meets every format.
inline std::string pick_layout(const uint8_t* data, size_t size) {
  static const char* const layouts[] = {"", "", "native", "msb", "planar", "delta2", "planar-delta2", "med", "planar-med"};
  return layouts[xxh64(data, size) % (sizeof layouts / sizeof *layouts)];
}

inline void adapter_roundtrip(const uint8_t* data, size_t size, codecs::AdapterOptions o) {
  o.layout = pick_layout(data, size);
  codecs::Flattened f;
  std::string why;
  try {
    if (!codecs::flatten(data, size, o, f, &why)) {
      if (why.empty()) bug("an input stays bytes without a reason");
      return;
    }
  } catch (const Error& e) {
    bug(std::string("flatten threw (it must decline instead): ") + e.what());
  }
  if (f.adapter == 0) bug("flatten took an input without an adapter");
  try {
    codecs::check_side_info(f.adapter, f.side_info);
    if (codecs::describe(f.adapter, f.side_info).empty()) bug("empty description");
    const bool samples_only = codecs::restores_samples_only(f.adapter, f.side_info);
    const std::vector<uint8_t> back = codecs::restore(f.adapter, f.side_info, f.payload);
    if (!samples_only) {
      if (back.size() != size || !std::equal(back.begin(), back.end(), data)) bug("restore does not give the input back");
      return;
    }
    // Media: the new file (FLAC or PNG) must decode to the same samples.
    codecs::AdapterOptions again = o;
    again.layout = "native";
    codecs::Flattened g;
    if (!codecs::flatten(back.data(), back.size(), again, g, &why)) bug("the restored media file does not parse: " + why);
    codecs::Flattened ref;
    codecs::AdapterOptions native = o;
    native.layout = "native";
    if (!codecs::flatten(data, size, native, ref, &why)) bug("the input parses with one layout, not with native");
    if (g.payload != ref.payload) bug("the restored media file holds other samples");
  } catch (const Error& e) {
    bug(std::string("a frame flatten() wrote does not restore: ") + e.what());
  }
}

}  // namespace mbz::fuzz
