// A one-line progress bar on stderr, drawn only on a terminal and only for
// work that lasts longer than a moment.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace mbz::cli {

class Progress {
 public:
  Progress(bool enabled, std::string label, std::optional<uint64_t> total);
  ~Progress();
  void update(uint64_t done, uint64_t out_bytes);  // "IN -> OUT"
  void update(uint64_t done, const std::string& detail);  // "IN  detail"
  void finish();  // erases the bar

 private:
  bool enabled_;
  bool drawn_ = false;
  std::string label_;
  std::optional<uint64_t> total_;
  std::chrono::steady_clock::time_point start_;
  void draw(uint64_t done, const std::string& middle);
};

std::string human_bytes(uint64_t n);

}  // namespace mbz::cli
