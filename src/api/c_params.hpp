// c_params.hpp — the C API's parameter sets (mbz_params, include/mbz/mbz.h):
// every compression and decompression setting of the C++ API, set by name so
// that new settings never change the size of a struct a caller allocates.
#pragma once

#include <memory>

#include "mbz/mbz.h"
#include "mbz/mbz.hpp"

struct mbz_params {
  mbz::Options opts;               // every setting but the level's
  int level = 0;                   // 1..9; 0: none set (the default level)
  bool segment_size_set = false;   // set by name: a level leaves it alone
  bool byte_profile_set = false;   // the same
  bool image_profile_set = false;  // the same
  bool audio_profile_set = false;  // the same
  bool model_prefix_set = false;   // the same
};

namespace mbz {

// What compressing with params p (null: the defaults) and model m (null: the
// level's) uses, as `mbz` with the same options and -m would: a given model
// codes every frame; without one, bytes get the level's model and adapted
// payloads the mixer alone (levels.hpp).
struct CompressSetup {
  std::shared_ptr<const Model> model;
  Options opts;
};
CompressSetup compress_setup(const std::shared_ptr<const Model>& m, const mbz_params* p);

// mbz_params_set: throws Error(invalid_argument) naming the setting.
void set_param(mbz_params& p, const std::string& name, const std::string& value);

}  // namespace mbz
