// Progress bar rendering; see progress.hpp.
#include "cli/progress.hpp"

#include <cstdio>

namespace mbz::cli {

std::string human_bytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

Progress::Progress(bool enabled, std::string label, std::optional<uint64_t> total)
    : enabled_(enabled), label_(std::move(label)), total_(total), start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { finish(); }

void Progress::update(uint64_t done, uint64_t out_bytes) {
  draw(done, human_bytes(done) + " -> " + human_bytes(out_bytes));
}

void Progress::update(uint64_t done, const std::string& detail) { draw(done, human_bytes(done) + "  " + detail); }

void Progress::draw(uint64_t done, const std::string& middle) {
  if (!enabled_) return;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (secs < 0.5 && !drawn_) return;  // short jobs never flash a bar
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  char line[384];
  if (total_ && *total_ > 0) {
    const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(*total_));
    const int width = 24, filled = static_cast<int>(frac * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, '.');
    const double eta = rate > 0 ? static_cast<double>(*total_ - std::min(done, *total_)) / rate : 0;
    std::snprintf(line, sizeof line, "\r%s [%s] %3.0f%% %s  %s/s  ETA %.0fs \033[K", label_.c_str(), bar.c_str(), frac * 100,
                  middle.c_str(), human_bytes(static_cast<uint64_t>(rate)).c_str(), eta);
  } else {
    std::snprintf(line, sizeof line, "\r%s %s  %s/s \033[K", label_.c_str(), middle.c_str(),
                  human_bytes(static_cast<uint64_t>(rate)).c_str());
  }
  std::fputs(line, stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (drawn_) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace mbz::cli
