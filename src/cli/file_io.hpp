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
  // sparse: blocks of zeros become holes (a file target only; see FdBuf).
  OutputFile(const std::string& target, bool force, const std::string& mode_from, bool sparse = false);
  ~OutputFile();  // removes the temporary file unless commit() succeeded
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  // A write that fails throws mbz::Error(io) naming the output and the
  // system's reason (no space left on device, file too large, ...).
  std::ostream& stream() { return *out_; }
  // Flushes, closes and renames the temporary file to the target; throws
  // mbz::Error(io) with the cause if any step fails (up to the rename, the
  // target is then untouched). durable: first fsync the file, and the folder
  // after the rename (a failure there leaves the output in place), so that
  // the output is on disk before its input is removed (--rm).
  void commit(bool durable = false);

 private:
  class FdBuf;
  std::string target_, temp_, mode_from_;
  std::unique_ptr<FdBuf> buf_;
  std::unique_ptr<std::ostream> out_;
  bool fd_closed_ = false;
  bool committed_ = false;
};

// Removes the output in progress if the process is interrupted
// (SIGINT/SIGTERM/SIGHUP; a signal ignored at start stays ignored), and
// turns a write past the file size limit into an error (SIGXFSZ ignored).
void install_signal_cleanup();

}  // namespace mbz::cli
