// File handling for the mbz command; see file_io.hpp.
#include "cli/file_io.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <vector>

#include "mbz/error.hpp"

namespace mbz::cli {

namespace {
// The temporary file being written, for the signal handler: published whole
// (an atomic pointer to a string that outlives it) so a signal on any thread
// sees either no path or all of it.
std::atomic<const char*> g_temp_path{nullptr};

void on_signal(int sig) {
  if (const char* p = g_temp_path.load()) unlink(p);
  signal(sig, SIG_DFL);
  raise(sig);
}

std::string errno_text() { return std::strerror(errno); }
}  // namespace

// Writes to a file descriptor through a 64 KiB buffer, and throws
// Error(io) naming the output and the system's reason (no space left on
// device, file too large, ...) at the first write that fails. The stream
// over it has badbit in its exception mask, so the error reaches the caller
// through std::ostream as it is, instead of a failed stream that someone
// reports later without the cause.
//
// Sparse (a regular file being written from its start): a 4 KiB block of
// the file that is all zeros is skipped with lseek instead of written, so it
// stays a hole that takes no disk space (as zstd, cp and tar do); finish()
// sets the size if the file ends in one. The bytes read back are the same.
class OutputFile::FdBuf : public std::streambuf {
 public:
  FdBuf(int fd, std::string name, bool sparse)
      : fd_(fd), name_(std::move(name)), buf_(size_t{1} << 16), sparse_(sparse) {
    reset();
  }
  int fd() const { return fd_; }
  // After the last write: a file that ends in a hole gets its full size.
  void finish() {
    drain();
    if (offset_ > written_end_ && ftruncate(fd_, static_cast<off_t>(offset_)) != 0)
      throw Error(ErrorCode::io, "cannot write " + name_ + ": " + errno_text());
  }

 protected:
  int_type overflow(int_type c) override {
    drain();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (n > epptr() - pptr()) {
      drain();
      if (n >= static_cast<std::streamsize>(buf_.size())) {
        put(s, static_cast<size_t>(n));
        return n;
      }
    }
    std::memcpy(pptr(), s, static_cast<size_t>(n));
    pbump(static_cast<int>(n));
    return n;
  }
  int sync() override {
    drain();
    return 0;
  }

 private:
  void reset() { setp(buf_.data(), buf_.data() + buf_.size()); }
  void drain() {
    put(pbase(), static_cast<size_t>(pptr() - pbase()));
    reset();
  }
  void put(const char* p, size_t n) {
    if (!sparse_) return write_all(p, n);
    // Pieces that end at the file's 4 KiB boundaries: a whole block of zeros
    // is skipped, the pieces between such blocks are written as one run.
    size_t run = 0;  // bytes at p not yet written
    auto write_run = [&] {
      write_all(p, run);
      offset_ += run;
      if (run) written_end_ = offset_;
      p += run;
      n -= run;
      run = 0;
    };
    while (run < n) {
      const size_t piece = std::min<size_t>(n - run, kBlock - (offset_ + run) % kBlock);
      if (piece < kBlock || !all_zero(p + run, kBlock)) {
        run += piece;
        continue;
      }
      write_run();
      if (lseek(fd_, static_cast<off_t>(kBlock), SEEK_CUR) < 0)
        throw Error(ErrorCode::io, "cannot write " + name_ + ": " + errno_text());
      offset_ += kBlock;
      p += kBlock;
      n -= kBlock;
    }
    write_run();
  }
  void write_all(const char* p, size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) throw Error(ErrorCode::io, "cannot write " + name_ + ": " + (w < 0 ? errno_text() : "no progress"));
      p += w;
      n -= static_cast<size_t>(w);
    }
  }
  static bool all_zero(const char* p, size_t n) {
    uint64_t acc = 0;
    for (size_t i = 0; i + 8 <= n; i += 8) {
      uint64_t v;
      std::memcpy(&v, p + i, 8);
      acc |= v;
    }
    for (size_t i = n & ~size_t{7}; i < n; ++i) acc |= static_cast<uint8_t>(p[i]);
    return acc == 0;
  }

  static constexpr size_t kBlock = 4096;
  int fd_;
  std::string name_;
  std::vector<char> buf_;
  bool sparse_;
  uint64_t offset_ = 0;       // the file position (sparse: where the next byte goes)
  uint64_t written_end_ = 0;  // the end of the last bytes written (sparse)
};

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
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    // A signal ignored when mbz starts (nohup; a background job of a
    // script) stays ignored, as in gzip and xz: otherwise `nohup mbz` would
    // die with its terminal.
    struct sigaction old;
    if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    signal(sig, on_signal);
  }
  // Past the file size limit (ulimit -f), a write fails with EFBIG and is
  // reported like a full disk, instead of SIGXFSZ killing the process
  // with its temporary file left behind.
  signal(SIGXFSZ, SIG_IGN);
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

namespace {
// The rename is durable once the folder holding the name is synced.
void sync_folder_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const int fd = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  // A folder one may write but not read (mode 0333) cannot be opened to sync;
  // the file itself is on disk, and failing here would leave the output in
  // place with its input kept, so a second try meets "already exists".
  if (fd < 0 && (errno == EACCES || errno == EPERM)) return;
  if (fd < 0) throw Error(ErrorCode::io, "cannot sync " + folder + ": " + errno_text());
  const int rc = fsync(fd);
  const int err = errno;
  close(fd);
  // Some file systems cannot sync a folder (EINVAL); the file itself is on disk.
  if (rc != 0 && err != EINVAL) throw Error(ErrorCode::io, "cannot sync " + folder + ": " + std::strerror(err));
}
}  // namespace

OutputFile::OutputFile(const std::string& target, bool force, const std::string& mode_from, bool sparse)
    : target_(target), mode_from_(mode_from) {
  if (target == "-") {
    std::cout.flush();  // anything written through std::cout before goes first
    // Never sparse: a pipe cannot seek, and a file behind standard output
    // may be appended to (>>) or already hold data.
    buf_ = std::make_unique<FdBuf>(STDOUT_FILENO, "standard output", false);
  } else {
    if (!force && file_exists(target)) throw Error(ErrorCode::io, target + " already exists; use -f to overwrite");
    std::string tmpl = target + ".tmp.XXXXXX";
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    const int fd = mkstemp(name.data());
    if (fd < 0) throw Error(ErrorCode::io, "cannot create " + target + ": " + errno_text());
    temp_ = name.data();
    g_temp_path.store(temp_.c_str());
    buf_ = std::make_unique<FdBuf>(fd, target, sparse);  // a new, empty regular file
  }
  out_ = std::make_unique<std::ostream>(buf_.get());
  out_->exceptions(std::ios::badbit);
}

void OutputFile::commit(bool durable) {
  out_->flush();  // throws Error(io) with the cause
  buf_->finish();
  if (temp_.empty()) {
    committed_ = true;
    return;
  }
  const int fd = buf_->fd();
  struct stat st;
  if (!mode_from_.empty() && mode_from_ != "-" && stat(mode_from_.c_str(), &st) == 0) fchmod(fd, st.st_mode & 07777);
  // Without fsync a crash soon after --rm could leave neither the input nor
  // the output's data on disk; it is also where a delayed ENOSPC or EIO
  // shows (network and copy-on-write file systems).
  if (durable && fsync(fd) != 0) throw Error(ErrorCode::io, "cannot write " + target_ + ": " + errno_text());
  fd_closed_ = true;
  if (close(fd) != 0) throw Error(ErrorCode::io, "cannot write " + target_ + ": " + errno_text());
  if (std::rename(temp_.c_str(), target_.c_str()) != 0)
    throw Error(ErrorCode::io, "cannot rename output to " + target_ + ": " + errno_text());
  g_temp_path.store(nullptr);
  committed_ = true;
  if (durable) sync_folder_of(target_);
}

OutputFile::~OutputFile() {
  if (temp_.empty()) return;
  if (!fd_closed_) close(buf_->fd());
  if (!committed_) {
    g_temp_path.store(nullptr);
    unlink(temp_.c_str());
  }
}

}  // namespace mbz::cli
