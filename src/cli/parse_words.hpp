// parse_words.hpp — CLI11 parsing of argument words with mbz's exit codes.
#pragma once

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <optional>
#include <string>
#include <vector>

namespace mbz::cli {

// Parses words (argv without the program, in order). Returns nothing on
// success, or the exit status to return: 0 after --help/--version, 2 for a
// usage error (CLI11 has printed the message).
inline std::optional<int> parse_words(CLI::App& app, std::vector<std::string> words) {
  try {
    std::reverse(words.begin(), words.end());  // CLI11 takes them last-first
    app.parse(words);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return std::nullopt;
}

// "65536", "64K", "1M" (also k/m, KiB/MiB) -> bytes; throws std::invalid_argument.
inline uint32_t parse_size(const std::string& s) {
  size_t pos = 0;
  unsigned long long v = std::stoull(s, &pos);
  const std::string unit = s.substr(pos);
  if (unit == "K" || unit == "k" || unit == "KiB") v <<= 10;
  else if (unit == "M" || unit == "m" || unit == "MiB") v <<= 20;
  else if (!unit.empty()) throw std::invalid_argument("bad size unit");
  if (v > 0xFFFFFFFFull) throw std::invalid_argument("size too large");
  return static_cast<uint32_t>(v);
}

// --model-prefix: a size up to 16 MiB (the largest segment), or "all" (0:
// the whole segment); throws std::invalid_argument.
inline uint32_t parse_prefix(const std::string& s) {
  if (s == "all") return 0;
  const uint32_t v = parse_size(s);
  if (v > (1u << 24)) throw std::invalid_argument("prefix too large");
  return v;
}

}  // namespace mbz::cli
