// mbz-train — the trainer as its own program (libtorch); `mbz train ...`
// runs it (train_launcher.hpp), so `mbz-train ARGS` and `mbz train ARGS` are one.
#include <string>
#include <vector>

#include "cli/train_command.hpp"
#include "common/release_memory.hpp"

int main(int argc, char** argv) {
  mbz::keep_freed_memory();
  return mbz::cli::train_main(std::vector<std::string>(argv + 1, argv + argc));
}
