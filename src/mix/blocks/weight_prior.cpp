// Weight priors (weight_prior.hpp).
#include "mix/blocks/weight_prior.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace mbz::mix {

namespace {
constexpr char kMagic[8] = {'M', 'B', 'Z', 'P', 'R', 'I', 'O', 'R'};
constexpr uint8_t kVersion = 1;

// Little-endian fields from a buffer; ok() turns false at the first read
// past its end (the reads after it give 0).
class Reader {
 public:
  Reader(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  const uint8_t* take(size_t k) {
    if (n_ - at_ < k) {
      ok_ = false;
      at_ = n_;
      return nullptr;
    }
    const uint8_t* q = p_ + at_;
    at_ += k;
    return q;
  }
  uint64_t le(size_t k) {
    const uint8_t* q = take(k);
    uint64_t v = 0;
    for (size_t i = q ? k : 0; i-- > 0;) v = v << 8 | q[i];
    return v;
  }
  bool ok() const { return ok_; }
  bool done() const { return at_ == n_; }

 private:
  const uint8_t* p_;
  size_t n_, at_ = 0;
  bool ok_ = true;
};

bool fail(std::string* why, const char* what) {
  if (why) *why = std::string("weight prior: ") + what;
  return false;
}
}  // namespace

bool parse_weight_prior(const uint8_t* data, size_t size, WeightPrior& out, std::string* why) {
  Reader r(data, size);
  const uint8_t* magic = r.take(8);
  if (!magic || std::memcmp(magic, kMagic, 8) != 0) return fail(why, "no MBZPRIOR magic");
  if (r.le(1) != kVersion) return fail(why, "an unknown version");
  WeightPrior w;
  w.profile = static_cast<uint8_t>(r.le(1));
  w.inputs = static_cast<uint32_t>(r.le(2));
  const uint32_t sets = static_cast<uint32_t>(r.le(2));
  w.final_inputs = static_cast<uint32_t>(r.le(2));
  w.final_rows = static_cast<uint32_t>(r.le(4));
  for (uint32_t s = 0; s < sets && r.ok(); ++s) w.set_rows.push_back(static_cast<uint32_t>(r.le(4)));
  const uint32_t rows = static_cast<uint32_t>(r.le(4));
  // Room for the rows the file can hold (not what a damaged count says).
  const size_t fit = std::min<size_t>(rows, size / (8 + 2 * size_t{w.inputs}));
  w.row_set.reserve(fit);
  w.row_index.reserve(fit);
  w.row_bytes = data + std::min<size_t>(size, 24 + 4 * size_t{sets});
  for (uint32_t k = 0; k < rows && r.ok(); ++k) {
    const uint32_t set = static_cast<uint32_t>(r.le(2)), zero = static_cast<uint32_t>(r.le(2)), row = static_cast<uint32_t>(r.le(4));
    if (!r.ok()) break;
    const bool ordered = k == 0 || set > w.row_set.back() || (set == w.row_set.back() && row > w.row_index.back());
    if (zero != 0 || set >= sets || row >= w.set_rows[set] || !ordered) return fail(why, "a row out of order or out of its set");
    w.row_set.push_back(static_cast<uint16_t>(set));
    w.row_index.push_back(row);
    r.take(2 * size_t{w.inputs});  // its weights (copy_row)
  }
  for (uint64_t k = 0; k < uint64_t{w.final_rows} * w.final_inputs && r.ok(); ++k)
    w.final_weights.push_back(static_cast<int32_t>(static_cast<uint32_t>(r.le(4))));
  if (!r.ok()) return fail(why, "truncated");
  if (!r.done()) return fail(why, "bytes after its end");
  out = std::move(w);
  return true;
}

}  // namespace mbz::mix
