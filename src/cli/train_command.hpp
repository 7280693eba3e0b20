// train_command.hpp — `mbz train ...`: command-line front end of the trainer.
#pragma once

#include <string>
#include <vector>

namespace mbz::cli {

// words: the arguments after "train". Returns the exit status.
int train_main(std::vector<std::string> words);

}  // namespace mbz::cli
