// levels.hpp — the compression levels of `mbz -1` … `mbz -9` (man/mbz.1,
// bench/RESULTS.md "Levels").
//
// A level picks two things only, both recorded in the file, so any level's
// output decodes with the same command: whether bytes are coded with the
// neural model or by the context mixer alone (model `none`), and the segment
// size (the mixer learns from longer segments; shorter ones decode in
// parallel). Audio and image payloads are coded by the mixer alone at every
// level: their numeric profiles measured no gain from the shipped audio and
// image models on held-out media (bench/RESULTS.md), at a tenth of the speed.
// -m and --segment-size override what a level sets.
#pragma once

#include <cstdint>

namespace mbz::cli {

struct Level {
  int number;             // 1..9
  bool text_model;        // the neural model for bytes (else the mixer alone)
  uint32_t segment_size;  // bytes
};

constexpr int kDefaultLevel = 6;

// Level n (1..9); throws std::out_of_range for any other.
const Level& level(int n);

}  // namespace mbz::cli
