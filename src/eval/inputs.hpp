// inputs.hpp — the file list of `mbz eval`: paths, directories and @lists
// expanded to a sorted list, and its deterministic shards.
#pragma once

#include <string>
#include <vector>

namespace mbz::eval {

// Files named by `args`: a file, a directory (recursively), or @LIST (a file
// with one path per line; blank lines and lines starting with # are skipped).
// The result is sorted and free of duplicates. Paths that do not exist or
// cannot be listed are appended to `problems` as "PATH: reason".
std::vector<std::string> expand_inputs(const std::vector<std::string>& args, std::vector<std::string>& problems);

// The files of shard `index` (1-based) of `count`: every count-th file of the
// sorted list starting at index-1, so shards are disjoint, cover every file,
// and have sizes within one of each other.
std::vector<std::string> shard(const std::vector<std::string>& files, int index, int count);

// Parses "I/N" (1 <= I <= N); throws Error(invalid_argument).
void parse_shard(const std::string& spec, int& index, int& count);

}  // namespace mbz::eval
