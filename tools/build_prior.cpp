// build_prior: builds profile 11's weight prior (src/mix/data/profile11.prior,
// docs/FORMAT.md "Weight priors") from photographs of the training split.
//
//   build_prior OUT.prior IMAGE...
//
// Each image is flattened as compression flattens it (the image adapter's
// default layout, MED residuals), coded as one segment by profile 11 with
// no prior and no model (profile 6's arithmetic, as levels 3-6 code images),
// and its weights at the end are summed; the prior is their average, the
// rows that moved. The output depends only on the images and their order:
// scripts/build-image-prior.sh names them.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "codecs/adapter.hpp"
#include "mbz/error.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/node_counts.hpp"
#include "mix/profiles/profile11_image.hpp"
#include "mix/weight_prior_builder.hpp"

int main(int argc, char** argv) {
  using namespace mbz;
  if (argc < 3) {
    std::fprintf(stderr, "usage: build_prior OUT.prior IMAGE...\n");
    return 2;
  }
  try {
    mix::WeightPriorSums sums(mix::kProfileImage11, mix::Profile11Image::kInputs, mix::Profile11Image::set_rows(),
                              mix::Profile11Image::kFinalInputs, 256);
    std::vector<int32_t> start;  // a fresh unit's weights (the same for every shape)
    for (int a = 2; a < argc; ++a) {
      std::ifstream in(argv[a], std::ios::binary);
      const std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), {});
      if (!in.eof() && !in) throw Error(ErrorCode::io, std::string(argv[a]) + ": cannot read");
      codecs::Flattened f;
      std::string why;
      if (!codecs::flatten(data.data(), data.size(), codecs::AdapterOptions{}, f, &why) || !mix::image_fits_profile6(f.shape))
        throw Error(ErrorCode::invalid_argument, std::string(argv[a]) + ": not an image profile 11 codes (" + why + ")");
      mix::Profile11Image unit(f.payload.size(), f.shape, nullptr);
      if (start.empty()) start = unit.dense_weights();
      for (uint8_t byte : f.payload)
        for (int d = 0; d < 8; ++d) {
          unit.predict(mix::kNoModel);
          unit.update((byte >> (7 - d)) & 1);
        }
      sums.add(unit.dense_weights());
      std::fprintf(stderr, "%s: %zu bytes of samples\n", argv[a], f.payload.size());
    }
    const std::vector<uint8_t> bytes = sums.prior_file(start);
    mix::WeightPrior prior;
    std::string why;
    if (!mix::parse_weight_prior(bytes.data(), bytes.size(), prior, &why)) throw Error(ErrorCode::internal, why);
    std::ofstream out(argv[1], std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw Error(ErrorCode::io, std::string(argv[1]) + ": cannot write");
    std::fprintf(stderr, "%s: %zu images, %zu rows, %zu bytes\n", argv[1], sums.segments(), prior.rows(), bytes.size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "build_prior: %s\n", e.what());
    return 1;
  }
  return 0;
}
