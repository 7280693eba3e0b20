// aside_task.hpp — a result computed on a thread of its own while the caller
// goes on, or, when no core is spare, by the caller when it asks for it.
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <thread>
#include <utility>

namespace mbz {

template <class T>
class AsideTask {
 public:
  // aside: start f now on its own thread; else run it in get().
  AsideTask(std::function<T()> f, bool aside) : f_(std::move(f)) {
    if (aside) thread_ = std::thread([this] { run(); });
  }
  AsideTask(const AsideTask&) = delete;
  AsideTask& operator=(const AsideTask&) = delete;
  // Joins an unfinished thread (a caller leaving by an exception) and drops its result.
  ~AsideTask() {
    if (thread_.joinable()) thread_.join();
  }

  // The result (once); rethrows what f threw.
  T get() {
    if (thread_.joinable())
      thread_.join();
    else if (!value_ && !error_)
      run();
    if (error_) std::rethrow_exception(error_);
    return std::move(*value_);
  }

 private:
  void run() {
    try {
      value_.emplace(f_());
    } catch (...) {
      error_ = std::current_exception();
    }
  }

  std::function<T()> f_;
  std::optional<T> value_;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace mbz
