// The level table (levels.hpp). Levels 1-5 run no neural model (the context
// mixer alone, ~10x faster both ways), 6-9 code bytes with the model; within
// each, more as the level rises. Chosen on held-out text (bench/RESULTS.md
// "Levels", "The model prefix"): cutting 1 MiB segments to 256 KiB cost the
// mixer alone 6.5%, about what the model saves, so no level uses segments
// under 1 MiB; and the model over a segment's first 1 MiB, the mixer alone
// after it, in 8 MiB segments, codes held-out text 1.1% smaller than the
// model over all of 1 MiB segments, at about twice the speed.
#include "api/levels.hpp"

#include <array>
#include <stdexcept>

#include "mbz/mbz.hpp"

namespace mbz {

namespace {
constexpr uint32_t KiB = 1024, MiB = 1024 * KiB;
// Image profile 0: by the image's size, 11 under kSmallImageBytes of samples
// and 13 from there (Options::image_profile): levels 7-9 take 13 at every size.
// Byte profile 0: by the model, 12 with one and 14 without (Options::byte_profile).
//                                 level  model  segment size  byte, image, audio profile  model prefix
constexpr std::array<Level, 9> kLevels{{{1, false, 1 * MiB, 1, 3, 4, 0},
                                        {2, false, 2 * MiB, 1, 3, 4, 0},
                                        {3, false, 4 * MiB, 0, 0, 8, 0},
                                        {4, false, 8 * MiB, 0, 0, 8, 0},
                                        {5, false, 16 * MiB, 0, 0, 8, 0},
                                        {6, true, 8 * MiB, 0, 0, 8, 1 * MiB},
                                        {7, true, 8 * MiB, 0, 13, 8, 2 * MiB},
                                        {8, true, 8 * MiB, 0, 13, 8, 4 * MiB},
                                        {9, true, 8 * MiB, 0, 13, 8, 0}}};
}  // namespace

const Level& level(int n) {
  if (n < 1 || n > 9) throw std::out_of_range("compression level must be 1..9");
  return kLevels[static_cast<size_t>(n - 1)];
}

std::shared_ptr<const Model> level_model(int n) { return level(n).text_model ? Model::load_default() : Model::none(); }

std::function<std::shared_ptr<const Model>(const std::string&)> level_modality_models(bool mix) {
  if (!mix) return default_modality_models();
  return [](const std::string&) { return Model::none(); };
}

}  // namespace mbz
