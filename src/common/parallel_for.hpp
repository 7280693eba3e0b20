// parallel_for.hpp — a plain thread fan-out for independent items.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace mbz {

// Runs f(i, worker) for i in [0, n) on up to `threads` threads, item i on
// worker i % workers; rethrows the first worker's exception after all join.
template <class F>
void parallel_for(size_t n, int threads, F&& f) {
  const size_t workers = std::min<size_t>(n, static_cast<size_t>(std::max(1, threads)));
  if (workers <= 1) {
    for (size_t i = 0; i < n; ++i) f(i, 0);
    return;
  }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(workers);
  for (size_t w = 0; w < workers; ++w)
    pool.emplace_back([&, w] {
      try {
        for (size_t i = w; i < n; i += workers) f(i, w);
      } catch (...) {
        errors[w] = std::current_exception();
      }
    });
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace mbz
