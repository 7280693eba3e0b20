// fuzz_media — the --media paths: FLAC decoded by libsndfile, PNG and GIF by
// stb_image, restored as FLAC / PNG files that must decode to the same
// samples or pixels (adapter_roundtrip.hpp). Byte-exact formats reached by
// the same options are checked byte for byte.
#include "adapter_roundtrip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mbz::codecs::AdapterOptions o;
  o.media = true;
  mbz::fuzz::adapter_roundtrip(data, size, o);
  return 0;
}
