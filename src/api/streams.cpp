// std::istream / std::ostream and one-shot buffer front ends over the
// streaming Compressor and Decompressor.
#include <istream>
#include <ostream>

#include "api/model_impl.hpp"
#include "api/stream_io.hpp"
#include "coder/range_coder.hpp"
#include "container/format.hpp"
#include "container/segment_codec.hpp"
#include "mbz/mbz.hpp"

namespace mbz {

namespace {
constexpr size_t kChunk = size_t{1} << 16;
}

Stats compress_stream(std::istream& in, std::ostream& out, const Model& model, const Options& opts) {
  Compressor c(model, opts);
  std::vector<uint8_t> chunk(kChunk), coded;
  for (;;) {
    const size_t n = read_some(in, chunk.data(), chunk.size());
    if (n == 0) break;
    c.write(chunk.data(), n, coded);
    write_all(out, coded);
    coded.clear();
  }
  c.finish(coded);
  write_all(out, coded);
  out.flush();
  if (!out) throw Error(ErrorCode::io, "write error");
  return c.stats();
}

Stats decompress_stream(std::istream& in, std::ostream* out, const ModelResolver& resolve, const Options& opts) {
  Decompressor d(resolve, opts);
  std::vector<uint8_t> chunk(kChunk), plain;
  for (;;) {
    const size_t n = read_some(in, chunk.data(), chunk.size());
    if (n == 0) break;
    d.write(chunk.data(), n, plain);
    if (out) write_all(*out, plain);
    plain.clear();
  }
  d.finish(plain);
  if (out) {
    write_all(*out, plain);
    out->flush();
    if (!*out) throw Error(ErrorCode::io, "write error");
  }
  return d.stats();
}

namespace {
// Calls visit(offset, codes) for every segment of data, a group at a time (bounded memory).
template <typename Visit>
void for_each_segment_codes(const uint8_t* data, size_t size, const Model& model, const Options& opts, Visit visit) {
  check_options(opts);
  const Engine& engine = model.impl().engine(opts.device);
  set_compute_threads(opts.threads);
  const size_t group = group_segments(opts.segment_size, opts.threads) * opts.segment_size;
  for (size_t start = 0; start < size; start += group) {
    const auto segs = split_segments(data + start, std::min(group, size - start), opts.segment_size);
    const auto codes = engine.evaluate(segs);
    for (size_t k = 0; k < segs.size(); ++k) visit(static_cast<size_t>(segs[k].data - data), codes[k]);
  }
}
}  // namespace

double evaluate(const uint8_t* data, size_t size, const Model& model, const Options& opts) {
  double bits = 0;
  for_each_segment_codes(data, size, model, opts, [&](size_t, const std::vector<SymbolCode>& codes) {
    for (const SymbolCode& c : codes) bits += ideal_bits(c.freq, c.total);
  });
  return bits;
}

std::vector<float> evaluate_costs(const uint8_t* data, size_t size, const Model& model, const Options& opts) {
  std::vector<float> costs(size);
  for_each_segment_codes(data, size, model, opts, [&](size_t at, const std::vector<SymbolCode>& codes) {
    for (size_t i = 0; i < codes.size(); ++i) costs[at + i] = static_cast<float>(ideal_bits(codes[i].freq, codes[i].total));
  });
  return costs;
}

std::vector<uint8_t> compress(const uint8_t* data, size_t size, const Model& model, const Options& opts) {
  Compressor c(model, opts);
  std::vector<uint8_t> out;
  c.write(data, size, out);
  c.finish(out);
  return out;
}

std::vector<uint8_t> decompress(const uint8_t* data, size_t size, const ModelResolver& resolve, const Options& opts) {
  Decompressor d(resolve, opts);
  std::vector<uint8_t> out;
  d.write(data, size, out);
  d.finish(out);
  return out;
}

}  // namespace mbz
