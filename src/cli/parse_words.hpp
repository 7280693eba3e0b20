// parse_words.hpp — CLI11 parsing of argument words with mbz's exit codes.
#pragma once

#include <CLI/CLI.hpp>

#include <algorithm>
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

}  // namespace mbz::cli
