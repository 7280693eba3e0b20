// example.cpp — compress and decompress a buffer with the C++ API, using the
// default model found on the model search path (no flags, no paths).
#include <mbz/mbz.hpp>

#include <cstdio>
#include <string>

int main() {
  try {
    auto model = mbz::Model::load_default();
    std::string text;
    for (int i = 0; i < 200; ++i) text += "line " + std::to_string(i) + ": the quick brown fox jumps over the lazy dog\n";
    const auto* data = reinterpret_cast<const uint8_t*>(text.data());
    const std::vector<uint8_t> packed = mbz::compress(data, text.size(), *model, mbz::Options{});
    const std::vector<uint8_t> back =
        mbz::decompress(packed.data(), packed.size(), mbz::default_model_resolver(), mbz::Options{});
    if (std::string(back.begin(), back.end()) != text) {
      std::fprintf(stderr, "example_cpp: round trip differs\n");
      return 1;
    }
    std::printf("example_cpp: %zu -> %zu bytes with model %s from %s: OK\n", text.size(), packed.size(),
                model->name().c_str(), model->path().c_str());
    return 0;
  } catch (const mbz::Error& e) {
    std::fprintf(stderr, "example_cpp: %s (%s)\n", e.what(), mbz::error_code_name(e.code()));
    return 1;
  }
}
