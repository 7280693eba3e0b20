// build_prior: builds a mixer profile's weight prior (docs/FORMAT.md "Weight
// priors") from files of the training split.
//
//   build_prior image OUT.prior IMAGE...        profile 11 (src/mix/data/profile11.prior)
//   build_prior image13 OUT.prior IMAGE...      profile 13 (src/mix/data/profile13.prior)
//   build_prior text OUT.prior MODEL.mbzm FILE... profile 12 (src/mix/data/profile12.prior)
//   build_prior text-none OUT.prior FILE...     profile 14 (src/mix/data/profile14.prior)
//
// image, image13: each image is flattened as compression flattens it (the
// image adapter's default layout, MED residuals) and coded as one segment by
// profile 11 (13) with no prior and no model: profile 6's (9's) arithmetic,
// as the levels code images. text: each file is coded as one segment by profile 12
// with no prior (profile 10's arithmetic) and the model's paths over it
// (teacher forcing, as levels 6-9 code bytes); text-none: the same without
// a model (as levels 3-5 code bytes). The weights each ends with
// are summed; the prior is their average, the rows that moved. The output
// depends only on the inputs and their order: scripts/build-image-prior.sh
// and scripts/build-text-prior.sh name them.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "codecs/adapter.hpp"
#include "engine/engine.hpp"
#include "mbz/error.hpp"
#include "mix/mixed_coding.hpp"
#include "mix/node_counts.hpp"
#include "mix/packed_counts.hpp"
#include "mix/profiles/profile11_image.hpp"
#include "mix/profiles/profile12_text.hpp"
#include "mix/profiles/profile13_image.hpp"
#include "mix/weight_prior_builder.hpp"
#include "model/model_file.hpp"

namespace {
using namespace mbz;

std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io, path + ": cannot read");
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), {});
}

// Runs a unit over every bit of data, the model's counts from paths (8 a
// byte) or none.
template <class Unit>
void run(Unit& unit, const std::vector<uint8_t>& data, const mix::PackedCounts* paths) {
  for (size_t i = 0; i < data.size(); ++i)
    for (int d = 0; d < 8; ++d) {
      unit.predict(paths ? mix::unpack(paths[i * 8 + d]) : mix::kNoModel);
      unit.update((data[i] >> (7 - d)) & 1);
    }
}

template <class Unit>
std::vector<uint8_t> image_prior(uint8_t profile, const std::vector<std::string>& images) {
  mix::WeightPriorSums sums(profile, Unit::kInputs, Unit::set_rows(), Unit::kFinalInputs, 256);
  std::vector<int32_t> start;  // a fresh unit's weights (the same for every shape)
  for (const std::string& path : images) {
    const std::vector<uint8_t> data = read_all(path);
    codecs::Flattened f;
    std::string why;
    if (!codecs::flatten(data.data(), data.size(), codecs::AdapterOptions{}, f, &why) || !mix::image_fits_profile6(f.shape))
      throw Error(ErrorCode::invalid_argument, path + ": not an image profile " + std::to_string(profile) + " codes (" + why + ")");
    Unit unit(f.payload.size(), f.shape, nullptr);
    if (start.empty()) start = unit.dense_weights();
    run(unit, f.payload, nullptr);
    sums.add(unit.dense_weights());
    std::fprintf(stderr, "%s: %zu bytes of samples\n", path.c_str(), f.payload.size());
  }
  if (profile == mix::kProfileImage11) return sums.prior_file(start);  // built before clamping was allowed: none is
  size_t clamped = 0;
  std::vector<uint8_t> file = sums.prior_file(start, &clamped);
  std::fprintf(stderr, "%zu weights clamped to the stored range\n", clamped);
  return file;
}

// model_path: the model whose paths the unit gets (profile 12's prior), or
// empty for none (profile 14's).
std::vector<uint8_t> text_prior(const std::string& model_path, const std::vector<std::string>& files) {
  std::unique_ptr<Engine> engine;
  if (!model_path.empty()) engine = std::make_unique<Engine>(ModelFile::load(model_path), DeviceKind::cpu, 2);
  mix::WeightPriorSums sums(engine ? mix::kProfileText12 : mix::kProfileText14, mix::Profile12Text::kInputs,
                            mix::Profile12Text::set_rows(), mix::Profile12Text::kSets, 256);
  std::vector<int32_t> start;
  for (const std::string& path : files) {
    const std::vector<uint8_t> data = read_all(path);
    if (data.empty()) throw Error(ErrorCode::invalid_argument, path + ": empty");
    std::vector<std::vector<mix::PackedCounts>> paths;
    if (engine) paths = engine->evaluate_paths({ByteSpan{data.data(), data.size()}});
    mix::Profile12Text unit(data.size(), mix::SampleShape{}, nullptr);
    if (start.empty()) start = unit.dense_weights();
    run(unit, data, engine ? paths[0].data() : nullptr);
    sums.add(unit.dense_weights());
  }
  std::fprintf(stderr, "%zu files with %s\n", files.size(), engine ? model_path.c_str() : "no model");
  return sums.prior_file(start);
}
}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> a(argv + 1, argv + argc);
  const bool image = a.size() >= 3 && (a[0] == "image" || a[0] == "image13"), text = a.size() >= 4 && a[0] == "text",
             text_none = a.size() >= 3 && a[0] == "text-none";
  if (!image && !text && !text_none) {
    std::fprintf(stderr,
                 "usage: build_prior image OUT.prior IMAGE...\n       build_prior image13 OUT.prior IMAGE...\n"
                 "       build_prior text OUT.prior MODEL.mbzm FILE...\n       build_prior text-none OUT.prior FILE...\n");
    return 2;
  }
  try {
    const std::vector<std::string> inputs(a.begin() + 2, a.end());
    const std::vector<uint8_t> bytes = text              ? text_prior(a[2], {a.begin() + 3, a.end()})
                                       : text_none       ? text_prior("", inputs)
                                       : a[0] == "image" ? image_prior<mix::Profile11Image>(mix::kProfileImage11, inputs)
                                                         : image_prior<mix::Profile13Image>(mix::kProfileImage13, inputs);
    mix::WeightPrior prior;
    std::string why;
    if (!mix::parse_weight_prior(bytes.data(), bytes.size(), prior, &why)) throw Error(ErrorCode::internal, why);
    std::ofstream out(a[1], std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw Error(ErrorCode::io, a[1] + ": cannot write");
    std::fprintf(stderr, "%s: %zu rows, %zu bytes\n", a[1].c_str(), prior.rows(), bytes.size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "build_prior: %s\n", e.what());
    return 1;
  }
  return 0;
}
