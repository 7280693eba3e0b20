// make_random_model — writes a seeded random (untrained) model file.
//
//   make_random_model NAME SEED OUT.mbzm [tiny|small]
// tiny: the test model (P=4, 64/32 wide); small: the shape of a real default
// model (P=8, Dg=256 x4 layers, Dl=128 x2 layers), for speed measurements.
#include <cstdio>
#include <fstream>
#include <string>

#include "model/model_file.hpp"

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    std::fprintf(stderr, "usage: make_random_model NAME SEED OUT.mbzm [tiny|small]\n");
    return 2;
  }
  mbz::ModelConfig cfg = mbz::tiny_model_config();
  const std::string size = argc == 5 ? argv[4] : "tiny";
  if (size == "small") {
    cfg.patch = 8;
    cfg.g_dim = 256; cfg.g_layers = 4; cfg.g_heads = 4; cfg.g_ffn = 1024; cfg.g_window = 256;
    cfg.l_dim = 128; cfg.l_layers = 2; cfg.l_heads = 4; cfg.l_ffn = 512;
  } else if (size != "tiny") {
    std::fprintf(stderr, "unknown size %s\n", size.c_str());
    return 2;
  }
  const auto image = mbz::make_random_model(argv[1], cfg, std::stoull(argv[2]));
  mbz::ModelFile::parse(image, argv[3]);  // validate before writing
  std::ofstream(argv[3], std::ios::binary).write(reinterpret_cast<const char*>(image.data()),
                                                 static_cast<std::streamsize>(image.size()));
  return 0;
}
