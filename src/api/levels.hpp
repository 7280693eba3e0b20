// levels.hpp — the compression levels of `mbz -1` … `mbz -9` and the C API's
// "level" parameter (man/mbz.1,
// bench/RESULTS.md "Levels").
//
// A level picks six things only, all recorded in the file, so any level's
// output decodes with the same command: whether bytes are coded with the
// neural model or by the context mixer alone (model `none`), the mixer
// profile for bytes (1, fast; 0, by the model: 12 with it and 14 without,
// profile 10 started from a prior, about 10% smaller than 1 at a third of the
// mixer's speed; 10, 7 and 5, what mbz 0.16-0.19, 0.11-0.15 and 0.9-0.10 wrote), the one for images (3, fast; 13, profile 9
// with a weight prior, about 1.5% smaller photos than 6 at two thirds of its speed, 6 itself about 6% smaller than 3 at a
// third of its speed; 0, 13 but 11 (6 with a weight prior) for images under 32 KiB, whose time is mostly profile 13's set-up), the one for audio (4, fast; 8, about 3% smaller at less than
// half its speed), the segment size (the mixer learns from longer segments;
// shorter ones decode in parallel), and with the model, how much of each
// segment it drives (the model prefix: it earns most where the mixer has
// learnt little, and costs most of the time where it runs). Audio and image payloads are coded by the mixer alone at every
// level: their numeric profiles measured no gain from the shipped audio and
// image models on held-out media (bench/RESULTS.md), at a tenth of the speed.
// -m, --byte-profile, --image-profile, --audio-profile, --segment-size and
// --model-prefix (the C API: a model, "byte_profile", "image_profile",
// "audio_profile", "segment_size", "model_prefix") override what a level sets.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace mbz {

struct Level {
  int number;             // 1..9
  bool text_model;        // the neural model for bytes (else the mixer alone)
  uint32_t segment_size;  // bytes
  int byte_profile;       // the mixer profile for bytes (Options::byte_profile): 1, or 0 (by the model: 12 or 14; 5, 7, 10 only when asked for)
  int image_profile;      // the mixer profile for images (Options::image_profile): 3, 13, or 0 (by the size: 11 or 13)
  int audio_profile;      // the mixer profile for audio (Options::audio_profile): 4 or 8
  uint32_t model_prefix;  // with the model: a segment's first bytes it drives (Options::model_prefix; 0: all)
};

constexpr int kDefaultLevel = 6;

// Level n (1..9); throws std::out_of_range for any other.
const Level& level(int n);

class Model;
// What level n codes bytes with when no model is named: the default model
// (levels 6-9) or none, the mixer alone (1-5).
std::shared_ptr<const Model> level_model(int n);
// What every level codes an adapter's payload (audio, images) with when no
// model is named (Options::modality_model): the mixer alone; with the mixer
// off (mix false), each modality's default model.
std::function<std::shared_ptr<const Model>(const std::string&)> level_modality_models(bool mix);

}  // namespace mbz
