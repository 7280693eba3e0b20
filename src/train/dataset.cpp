// Corpus loading and deterministic window sampling for `mbz train`.
#include "train/dataset.hpp"

#include "codecs/adapter.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "common/splitmix64.hpp"
#include "mbz/error.hpp"

namespace mbz::train {

namespace fs = std::filesystem;

namespace {

void add_path(const fs::path& p, std::vector<std::string>& out) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec)) found.push_back(it->path().string());
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  } else {
    out.push_back(p.string());
  }
}

}  // namespace

ByteCorpus ByteCorpus::load(const std::vector<std::string>& paths, const std::string& adapter,
                            const std::string& layout) {
  std::vector<std::string> names;
  for (const auto& p : paths) add_path(p, names);
  codecs::AdapterOptions adapt;
  adapt.adapter = adapter;
  adapt.layout = layout;
  codecs::check_adapter_options(adapt);
  ByteCorpus c;
  for (const auto& n : names) {
    std::ifstream f(n, std::ios::binary);
    std::vector<uint8_t> bytes;
    if (f) bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    if (!f && !f.eof()) {
      std::cerr << "mbz train: " << n << ": cannot read, skipped\n";
      continue;
    }
    if (bytes.empty()) {
      std::cerr << "mbz train: " << n << ": empty or unreadable, skipped\n";
      continue;
    }
    if (adapter != "bytes") {
      codecs::Flattened flat;
      std::string why;
      if (codecs::flatten(bytes.data(), bytes.size(), adapt, flat, &why)) {
        bytes = std::move(flat.payload);
      } else if (adapter != "auto") {
        std::cerr << "mbz train: " << n << ": not taken by the " << adapter << " adapter (" << why << "), skipped\n";
        continue;
      }
      if (bytes.empty()) continue;
    }
    c.files_.push_back({n, std::move(bytes)});
  }
  if (c.files_.empty()) throw Error(ErrorCode::invalid_argument, "no readable training data");
  return c;
}

ByteCorpus ByteCorpus::split_tail(double fraction) {
  ByteCorpus held;
  for (auto& f : files_) {
    const size_t n = static_cast<size_t>(static_cast<double>(f.bytes.size()) * fraction);
    if (n == 0 || n >= f.bytes.size()) continue;
    held.files_.push_back({f.path, std::vector<uint8_t>(f.bytes.end() - static_cast<std::ptrdiff_t>(n), f.bytes.end())});
    f.bytes.resize(f.bytes.size() - n);
  }
  return held;
}

uint64_t ByteCorpus::total_bytes() const {
  uint64_t n = 0;
  for (const auto& f : files_) n += f.bytes.size();
  return n;
}

std::vector<uint8_t> ByteCorpus::sample(uint64_t seed, uint64_t step, int count, int64_t length, bool balance) const {
  // Only files that hold a whole window can be sampled.
  std::vector<size_t> usable;
  std::vector<uint64_t> cumulative;
  uint64_t total = 0;
  for (size_t i = 0; i < files_.size(); ++i) {
    if (static_cast<int64_t>(files_[i].bytes.size()) < length) continue;
    usable.push_back(i);
    total += balance ? 1 : files_[i].bytes.size() - static_cast<uint64_t>(length) + 1;
    cumulative.push_back(total);
  }
  if (usable.empty())
    throw Error(ErrorCode::invalid_argument, "no training file is at least " + std::to_string(length) +
                                                 " bytes long (the training window; use a shorter --context)");
  std::vector<uint8_t> out(static_cast<size_t>(count * length));
  SplitMix64 rng{seed * 0xD1B54A32D192ED03ull + step};
  for (int w = 0; w < count; ++w) {
    const uint64_t pick = rng.next() % total;
    const size_t k = static_cast<size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), pick) - cumulative.begin());
    const auto& bytes = files_[usable[k]].bytes;
    const uint64_t span = bytes.size() - static_cast<uint64_t>(length) + 1;
    const uint64_t start = rng.next() % span;
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(start), length, out.begin() + w * length);
  }
  return out;
}

std::vector<std::vector<uint8_t>> ByteCorpus::validation_windows(int count, int64_t length) const {
  std::vector<std::vector<uint8_t>> out;
  const uint64_t total = total_bytes();
  if (total == 0 || count <= 0) return out;
  // Window starts every total/count bytes of the concatenated files, each kept inside its file.
  const uint64_t stride = std::max<uint64_t>(1, total / static_cast<uint64_t>(count));
  uint64_t offset = 0;
  for (const auto& f : files_) {
    const uint64_t n = f.bytes.size();
    for (uint64_t pos = (offset % stride == 0) ? 0 : stride - offset % stride; pos < n; pos += stride) {
      if (static_cast<int>(out.size()) == count) return out;
      const uint64_t begin = std::min(pos, n > static_cast<uint64_t>(length) ? n - static_cast<uint64_t>(length) : 0);
      const uint64_t end = std::min(n, begin + static_cast<uint64_t>(length));
      out.emplace_back(f.bytes.begin() + static_cast<std::ptrdiff_t>(begin), f.bytes.begin() + static_cast<std::ptrdiff_t>(end));
    }
    offset += n;
  }
  return out;
}

}  // namespace mbz::train
