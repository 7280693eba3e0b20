// fuzz_model — the model-file loader (src/model/model_file.cpp,
// docs/MODEL_FORMAT.md): parse and validate a .mbzm image; a model that
// passes must be usable, so the CPU engine is built from it and predicts a
// few bytes (every bound the engine relies on is the loader's to enforce).
// Input: a model file without its XXH64 trailer (appended here).
// Checks: only bad_model / unsupported_version for a bad file; an accepted
// model re-serializes to the same bytes.
#include "engine/engine.hpp"
#include "fuzz_util.hpp"
#include "model/model_file.hpp"

using namespace mbz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The input is a model file without its 8-byte XXH64 trailer, which is
  // appended here: mutations reach the parser instead of the checksum.
  std::vector<uint8_t> image(data, data + size);
  const uint64_t check = xxh64(data, size);
  for (int k = 0; k < 8; ++k) image.push_back(static_cast<uint8_t>(check >> (8 * k)));
  std::shared_ptr<const ModelFile> file;
  try {
    file = ModelFile::parse(image, "fuzz");
  } catch (const Error& e) {
    if (e.code() != ErrorCode::bad_model && e.code() != ErrorCode::unsupported_version)
      fuzz::bug(std::string("model parse failed with ") + error_code_name(e.code()) + ": " + e.what());
    return 0;
  }
  const std::vector<uint8_t> again = ModelFile::serialize(file->name(), file->config(), file->copy_tensors());
  if (again != image)
    fuzz::bug("an accepted model does not re-serialize to its bytes");
  try {
    Engine engine(file, DeviceKind::cpu, 1);
    static const uint8_t text[] = "fuzz the engine";
    const std::vector<ByteSpan> segs = {ByteSpan{text, sizeof text - 1}};
    const auto codes = engine.evaluate(segs);
    if (codes.size() != 1 || codes[0].size() != sizeof text - 1) fuzz::bug("engine gives the wrong number of codes");
    for (const SymbolCode& c : codes[0])
      if (c.freq == 0 || c.freq > c.total || c.total > 65536) fuzz::bug("engine gives an impossible symbol code");
  } catch (const Error& e) {
    fuzz::bug(std::string("a model the loader accepted fails in the engine: ") + e.what());
  }
  return 0;
}
