// File handling for the mbz command; see file_io.hpp.
#include "cli/file_io.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <vector>

#include "mbz/error.hpp"

namespace mbz::cli {

namespace {
// The temporary file being written, for the signal handler (async-signal-safe unlink).
char g_temp_path[4096] = {0};

void on_signal(int sig) {
  if (g_temp_path[0]) unlink(g_temp_path);
  signal(sig, SIG_DFL);
  raise(sig);
}

std::string errno_text() { return std::strerror(errno); }
}  // namespace

bool is_stdin_tty() { return isatty(STDIN_FILENO) == 1; }
bool is_stdout_tty() { return isatty(STDOUT_FILENO) == 1; }
bool is_stderr_tty() { return isatty(STDERR_FILENO) == 1; }

bool file_exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

std::optional<uint64_t> regular_file_size(const std::string& path) {
  struct stat st;
  if (path == "-" || stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return static_cast<uint64_t>(st.st_size);
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void install_signal_cleanup() {
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGHUP, on_signal);
}

InputFile::InputFile(const std::string& path) {
  if (path == "-") {
    in_ = &std::cin;
    return;
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0) throw Error(ErrorCode::io, "cannot open: " + errno_text());
  if (S_ISDIR(st.st_mode)) throw Error(ErrorCode::io, "is a directory -- ignored");
  file_ = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*file_) throw Error(ErrorCode::io, "cannot open: " + errno_text());
  in_ = file_.get();
}

OutputFile::OutputFile(const std::string& target, bool force, const std::string& mode_from)
    : target_(target), mode_from_(mode_from) {
  if (target == "-") {
    out_ = &std::cout;
    return;
  }
  if (!force && file_exists(target)) throw Error(ErrorCode::io, target + " already exists; use -f to overwrite");
  std::string tmpl = target + ".tmp.XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  const int fd = mkstemp(buf.data());
  if (fd < 0) throw Error(ErrorCode::io, "cannot create " + target + ": " + errno_text());
  close(fd);
  temp_ = buf.data();
  std::snprintf(g_temp_path, sizeof g_temp_path, "%s", temp_.c_str());
  file_ = std::make_unique<std::ofstream>(temp_, std::ios::binary | std::ios::trunc);
  if (!*file_) throw Error(ErrorCode::io, "cannot write " + target + ": " + errno_text());
  out_ = file_.get();
}

void OutputFile::commit() {
  if (!file_) {
    out_->flush();
    if (!*out_) throw Error(ErrorCode::io, "write error on standard output");
    committed_ = true;
    return;
  }
  file_->close();
  if (file_->fail()) throw Error(ErrorCode::io, "write error on " + target_ + " (disk full?)");
  struct stat st;
  if (!mode_from_.empty() && mode_from_ != "-" && stat(mode_from_.c_str(), &st) == 0)
    chmod(temp_.c_str(), st.st_mode & 07777);
  if (std::rename(temp_.c_str(), target_.c_str()) != 0)
    throw Error(ErrorCode::io, "cannot rename output to " + target_ + ": " + errno_text());
  g_temp_path[0] = 0;
  committed_ = true;
}

OutputFile::~OutputFile() {
  if (!temp_.empty() && !committed_) {
    file_.reset();
    std::remove(temp_.c_str());
    g_temp_path[0] = 0;
  }
}

}  // namespace mbz::cli
