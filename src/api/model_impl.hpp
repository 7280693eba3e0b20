// Model::Impl — a parsed model file plus the engines built from it, one per
// device, created on first use and shared by every thread.
#pragma once

#include <map>
#include <mutex>

#include "engine/engine.hpp"
#include "mbz/mbz.hpp"
#include "model/model_file.hpp"

namespace mbz {

// The name a frame coded without a model records (with an all-zero SHA-256).
inline constexpr const char* kNoModelName = "none";

struct Model::Impl {
  std::shared_ptr<const ModelFile> file;  // null for Model::none()
  std::string path;
  // Throws Error(internal) for Model::none(), which has no engine.
  const Engine& engine(const std::string& device) const;

 private:
  mutable std::mutex mu_;
  mutable std::map<DeviceKind, std::unique_ptr<Engine>> engines_;
};

}  // namespace mbz
