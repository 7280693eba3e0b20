// mbz_params: named settings for the C API (c_params.hpp). Values are
// checked here where the check is cheap (numbers, names from a fixed set);
// layouts and raw formats are checked when a compression starts, as in C++.
#include "api/c_params.hpp"

#include <cerrno>
#include <cstdlib>
#include <initializer_list>
#include <string>

#include "api/levels.hpp"

namespace mbz {

namespace {

[[noreturn]] void bad(const std::string& name, const std::string& value, const std::string& want) {
  throw Error(ErrorCode::invalid_argument, "mbz_params_set: " + name + " = '" + value + "': " + want);
}

// A decimal integer in [lo, hi], the whole string.
long long integer(const std::string& name, const std::string& value, long long lo, long long hi) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno == ERANGE || v < lo || v > hi)
    bad(name, value, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  return v;
}

bool flag(const std::string& name, const std::string& value) { return integer(name, value, 0, 1) == 1; }

const std::string& one_of(const std::string& name, const std::string& value, std::initializer_list<const char*> allowed) {
  std::string list;
  for (const char* a : allowed) {
    if (value == a) return value;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  bad(name, value, "expected one of " + list);
}

}  // namespace

void set_param(mbz_params& p, const std::string& name, const std::string& value) {
  Options& o = p.opts;
  if (name == "threads") o.threads = static_cast<int>(integer(name, value, 1, 1024));
  else if (name == "segment_size") o.segment_size = static_cast<uint32_t>(integer(name, value, 1024, 1 << 24)), p.segment_size_set = true;
  else if (name == "level") p.level = static_cast<int>(integer(name, value, 1, 9));
  else if (name == "device") o.device = one_of(name, value, {"auto", "cpu", "cuda"});
  else if (name == "mix") o.mix = flag(name, value);
  else if (name == "byte_profile") o.byte_profile = std::stoi(one_of(name, value, {"0", "1", "5", "7", "10", "12", "14"})), p.byte_profile_set = true;
  else if (name == "image_profile") o.image_profile = std::stoi(one_of(name, value, {"3", "6", "9", "11", "13"})), p.image_profile_set = true;
  else if (name == "audio_profile") o.audio_profile = one_of(name, value, {"4", "8"}) == "4" ? 4 : 8, p.audio_profile_set = true;
  else if (name == "model_prefix") o.model_prefix = static_cast<uint32_t>(integer(name, value, 0, 1 << 24)), p.model_prefix_set = true;
  else if (name == "force_model") o.force_model = flag(name, value);
  else if (name == "adapter") o.adapter = one_of(name, value, {"auto", "bytes", "pcm", "image"});
  else if (name == "layout") o.layout = value;
  else if (name == "raw_pcm") o.raw_pcm = value;
  else if (name == "raw_image") o.raw_image = value;
  else if (name == "media") o.media = flag(name, value);
  else if (name == "size_hint") o.size_hint = static_cast<uint64_t>(integer(name, value, 0, 1LL << 62));
  else
    throw Error(ErrorCode::invalid_argument, "mbz_params_set: unknown parameter '" + name +
                                                 "' (threads, segment_size, level, device, mix, byte_profile, image_profile, audio_profile, model_prefix, "
                                                 "force_model, "
                                                 "adapter, layout, raw_pcm, raw_image, media, size_hint)");
}

CompressSetup compress_setup(const std::shared_ptr<const Model>& m, const mbz_params* p) {
  static const mbz_params kDefaults;
  const mbz_params& params = p ? *p : kDefaults;
  CompressSetup s{m, params.opts};
  const int n = params.level ? params.level : kDefaultLevel;
  if (!params.segment_size_set) s.opts.segment_size = level(n).segment_size;
  if (!params.byte_profile_set) s.opts.byte_profile = level(n).byte_profile;
  if (!params.image_profile_set) s.opts.image_profile = level(n).image_profile;
  if (!params.audio_profile_set) s.opts.audio_profile = level(n).audio_profile;
  if (!params.model_prefix_set) s.opts.model_prefix = level(n).model_prefix;
  if (!m) {
    s.model = level_model(n);
    s.opts.modality_model = level_modality_models(s.opts.mix);
  }
  return s;
}

}  // namespace mbz
