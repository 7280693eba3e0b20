// surprisal.hpp — pictures of where the model spent its bits (`mbz eval
// --surprisal DIR`): an HTML page of shaded bytes for text, the image beside
// a heat map of bits per pixel for images, the waveform above bits per
// sample for audio; and an index page linking them all.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eval/report.hpp"

namespace mbz::eval {

struct SurprisalInput {
  std::string path;                  // the input, for titles
  uint8_t adapter = 0;               // 0 bytes, 1 pcm, 2 image
  std::vector<uint8_t> side_info;    // the adapter's
  const std::vector<uint8_t>* payload = nullptr;  // what the model coded
  const std::vector<float>* costs = nullptr;      // bits of every payload byte
};

// Writes the picture into dir as `stem` + .html or .png and returns its file name.
std::string write_surprisal(const std::string& dir, const std::string& stem, const SurprisalInput& in);

// dir/index.html: every evaluated file with its figures and picture.
void write_surprisal_index(const std::string& dir, const std::vector<FileRecord>& records,
                           const std::vector<std::string>& pictures);

}  // namespace mbz::eval
