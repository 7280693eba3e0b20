// fuzz_pcm — the pcm adapter's parse and restore (codecs/pcm_adapter.cpp:
// WAV/WAVEX, AIFF/AIFC, AU, W64, CAF, RF64 through libsndfile), byte-exact
// round trip checked (adapter_roundtrip.hpp).
#include "adapter_roundtrip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mbz::codecs::AdapterOptions o;
  o.adapter = "pcm";
  mbz::fuzz::adapter_roundtrip(data, size, o);
  return 0;
}
