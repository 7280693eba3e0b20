// release_memory.hpp — what the process does with the memory it frees: the
// codec gives a finished mixer unit's pages back to the system; the trainer
// keeps them for its next step.
//
// A unit's big tables are HugePageArray blocks (huge_pages.hpp): 2 MiB-aligned
// std::aligned_alloc. glibc serves those from its heap and keeps the pages of
// a freed one resident; the next unit's blocks, aligned again, do not all
// land in the holes, so the heap grows segment after segment. Measured on a
// 768 px photograph in 16 segments of profile 9 (about 60 MiB of tables a
// unit), decoded on one thread: the resident memory rose by 33 MiB a segment
// to 385 MiB (profile 6: 32 MiB in all); with the free pages released after
// each unit, 94 MiB. malloc_trim(0) releases them (and trims the heap's
// top); elsewhere than glibc this does nothing. Never changes a value.
#pragma once

#include <cstdlib>  // defines __GLIBC__ where glibc is the C library
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mbz {

// After a mixer unit (and its tables) has been destroyed.
inline void release_freed_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

// For the whole process, at its start (mbz-train): freed memory stays in the
// heap instead of going back to the system. A training step allocates and
// frees the same large tensors every time (tens of MB each); glibc served
// blocks over its mmap threshold with mappings of their own and unmapped
// them on free, so every step took page faults and had the kernel zero its
// pages again, a quarter of its time on two cores. Kept in the heap, a step
// reuses the last one's pages: 1.78 times the steps a second, the same
// weights, +3% peak memory (bench/RESULTS.md "Training's memory"). Not for
// the codec, whose units are sized by their segments (see above).
inline void keep_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);               // no block gets a mapping of its own
  mallopt(M_TRIM_THRESHOLD, 1 << 30);   // nor is the heap's top given back under 1 GiB
  mallopt(M_TOP_PAD, 256 << 20);        // and it grows 256 MiB at a time
#endif
}

}  // namespace mbz
