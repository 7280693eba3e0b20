// dataset.hpp — training bytes: files read into memory, windows sampled from
// them as a pure function of (seed, step), and a fixed validation set.
//
// A window is what the model sees as one segment: it starts at the segment's
// first byte (the pad context), so windows starting mid-file teach the model
// the situation every 64 KiB segment of a real file is in.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mbz::train {

struct CorpusFile {
  std::string path;
  std::vector<uint8_t> bytes;
};

class ByteCorpus {
 public:
  // Reads files and directories (recursively, sorted by path). Unreadable or
  // empty files are reported on stderr and skipped; no usable file at all is an error.
  // With an adapter other than "bytes", each file is replaced by the bytes that
  // adapter gives the model (its sample layout), so a model trains on what it
  // will code; with "pcm" or "image", files that adapter does not take are skipped.
  static ByteCorpus load(const std::vector<std::string>& paths, const std::string& adapter = "bytes",
                         const std::string& layout = "");

  // Moves the last `fraction` of every file into a new corpus (a held-out split
  // when no separate validation data is given).
  ByteCorpus split_tail(double fraction);

  // `count` windows of `length` bytes for a training step. Files are chosen in
  // proportion to their size, or uniformly when `balance` is set; the result
  // depends only on (seed, step), so resumed runs see the same data order.
  std::vector<uint8_t> sample(uint64_t seed, uint64_t step, int count, int64_t length, bool balance) const;

  // Up to `count` windows of `length` bytes spread evenly over all files: the
  // same validation set at every evaluation. Shorter files give shorter windows.
  std::vector<std::vector<uint8_t>> validation_windows(int count, int64_t length) const;

  uint64_t total_bytes() const;
  size_t file_count() const { return files_.size(); }
  const std::vector<CorpusFile>& files() const { return files_; }

 private:
  std::vector<CorpusFile> files_;
};

}  // namespace mbz::train
