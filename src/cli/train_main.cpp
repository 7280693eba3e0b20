// mbz-train — the trainer as its own program (libtorch); `mbz train ...`
// runs it (train_launcher.hpp), so `mbz-train ARGS` and `mbz train ARGS` are one.
#include <cstdlib>  // defines __GLIBC__ where glibc is the C library
#include <string>
#include <vector>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "cli/train_command.hpp"

namespace {

// Keeps freed memory in the process instead of handing it back to the
// system. A training step allocates and frees the same large tensors every
// time (activations, gradients: tens of MB each); glibc serves blocks over
// its mmap threshold with fresh mappings and unmaps them on free, so every
// step took page faults and had the kernel zero its pages again: a quarter
// of a step's time on two cores. Served from the heap and kept there, a
// step reuses last step's pages: 1.9 times the bytes a second, the same
// weights (bench/RESULTS.md "Training's memory"). The trainer's peak memory
// is what it was; it is simply not returned between steps.
// glibc's knobs; another C library keeps its own habits.
void keep_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);                   // no block gets a mapping of its own
  mallopt(M_TRIM_THRESHOLD, 1 << 30);       // nor is the heap's top given back under 1 GiB
  mallopt(M_TOP_PAD, 256 << 20);            // and it grows 256 MiB at a time
#endif
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();
  return mbz::cli::train_main(std::vector<std::string>(argv + 1, argv + argc));
}
