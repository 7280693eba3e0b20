// train_launcher.hpp — `mbz train ...` runs the separate program mbz-train,
// so that the codec command never loads libtorch (a second of start-up and a
// large framework a user who only compresses does not need).
#pragma once

#include <string>
#include <vector>

namespace mbz::cli {

// Replaces this process with mbz-train (next to this program, else on PATH)
// and the given arguments; returns only on failure, with exit status 1 and
// a message that says what to install.
int exec_train(const std::vector<std::string>& words);

}  // namespace mbz::cli
