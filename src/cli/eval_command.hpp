// eval_command.hpp — `mbz eval ...`: bits per byte of a model on files and datasets.
#pragma once

#include <string>
#include <vector>

namespace mbz::cli {

// words: the arguments after "eval". Returns the exit status.
int eval_main(std::vector<std::string> words);

}  // namespace mbz::cli
