// fuzz_image — the image adapter's parse and restore
// (codecs/image_adapter.cpp: binary PNM, BMP, TGA, checked against
// stb_image), byte-exact round trip checked (adapter_roundtrip.hpp).
#include "adapter_roundtrip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mbz::codecs::AdapterOptions o;
  o.adapter = "image";
  mbz::fuzz::adapter_roundtrip(data, size, o);
  return 0;
}
