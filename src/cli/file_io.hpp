// File handling for the mbz command: inputs, and outputs that appear only
// when complete (written to a temporary file beside the target, renamed on
// success, removed on failure or interrupt).
#pragma once

#include <fstream>
#include <memory>
#include <optional>
#include <string>

namespace mbz::cli {

bool is_stdin_tty();
bool is_stdout_tty();
bool is_stderr_tty();
bool file_exists(const std::string& path);
std::optional<uint64_t> regular_file_size(const std::string& path);
bool ends_with(const std::string& s, const std::string& suffix);

class InputFile {
 public:
  explicit InputFile(const std::string& path);  // "-" is standard input
  std::istream& stream() { return *in_; }

 private:
  std::unique_ptr<std::ifstream> file_;
  std::istream* in_;
};

class OutputFile {
 public:
  // Throws mbz::Error(io) if target exists and !force, or cannot be created.
  // "-" writes to standard output. mode_from: a file whose permission bits the output gets.
  OutputFile(const std::string& target, bool force, const std::string& mode_from);
  ~OutputFile();  // removes the temporary file unless commit() succeeded
  std::ostream& stream() { return *out_; }
  void commit();

 private:
  std::string target_, temp_, mode_from_;
  std::unique_ptr<std::ofstream> file_;
  std::ostream* out_;
  bool committed_ = false;
};

// Removes the output in progress if the process is interrupted (SIGINT/SIGTERM/SIGHUP).
void install_signal_cleanup();

}  // namespace mbz::cli
