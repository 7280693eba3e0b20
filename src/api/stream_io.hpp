// Small helpers for the stream-based API: checked writes and bounded reads.
#pragma once

#include <algorithm>
#include <istream>
#include <ostream>
#include <vector>

#include "container/format.hpp"
#include "container/mix_plan.hpp"
#include "mbz/error.hpp"
#include "mbz/mbz.hpp"

namespace mbz {

inline void write_all(std::ostream& out, const uint8_t* p, size_t n) {
  out.write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n));
  if (!out) throw Error(ErrorCode::io, "write error (disk full or output closed?)");
}
inline void write_all(std::ostream& out, const std::vector<uint8_t>& v) { write_all(out, v.data(), v.size()); }

// Reads up to n bytes of what the input has now: at least one, 0 only at its
// end. A stream that can tell what is there without waiting (a file, a
// pipe: the system's count of bytes ready) gives that, so a pipe's bytes
// are passed on as they come: a compressor at the other end writes its
// frame header before it codes, and the reader loads the model meanwhile.
// Other streams fill all n or end.
inline size_t read_some(std::istream& in, uint8_t* p, size_t n) {
  using Traits = std::istream::traits_type;
  std::streamsize ready = 0;
  try {
    std::streambuf* sb = in.rdbuf();
    if (!sb || !in.good()) return 0;
    ready = sb->in_avail();
    if (ready == 0) {  // nothing ready: wait for the next bytes
      if (Traits::eq_int_type(sb->sgetc(), Traits::eof())) {
        in.setstate(std::ios::eofbit);
        return 0;
      }
      ready = sb->in_avail();
    }
    if (ready > 0) {
      const std::streamsize want = std::min(ready, static_cast<std::streamsize>(n));
      return static_cast<size_t>(sb->sgetn(reinterpret_cast<char*>(p), want));
    }
  } catch (...) {
    throw Error(ErrorCode::io, "read error");
  }
  in.read(reinterpret_cast<char*>(p), static_cast<std::streamsize>(n));
  if (in.bad()) throw Error(ErrorCode::io, "read error");
  return static_cast<size_t>(in.gcount());
}

// Segments per group handed to the engine at once: two per thread keeps
// every worker busy, and small groups keep memory bounded and the progress
// bar moving (it advances once per group). Batch size barely changes the
// engine's speed per byte. A group holds up to 16 MiB of segments, or one
// segment a thread where segments are longer (8 MiB at the default level
// since 0.14), up to 128 MiB: a hostile header's segment size cannot make a
// decoder hold more raw bytes than that, whatever -T says.
inline size_t group_segments(uint32_t segment_size, int threads) {
  const size_t t = static_cast<size_t>(std::max(1, threads));
  const size_t by_memory = std::max<size_t>({1, (size_t{16} << 20) / segment_size,
                                             std::min(t, (size_t{128} << 20) / segment_size)});
  return std::min<size_t>(by_memory, std::max<size_t>(4, 2 * t));
}

// Counts one segment of method m in the segment counts of `c` (Stats or
// FrameInfo): a mixed segment is a model segment that went through the mixer.
template <class Counts>
void count_segment(Counts& c, Method m) {
  switch (m) {
    case Method::stored: ++c.segments_stored; break;
    case Method::zstd: ++c.segments_zstd; break;
    case Method::mixed_prefix: ++c.segments_model_prefix; [[fallthrough]];
    case Method::mixed: ++c.segments_mixed; [[fallthrough]];
    case Method::model: ++c.segments_model; break;
  }
}

// Throws Error(invalid_argument) for out-of-range options (compress.cpp).
void check_options(const Options& o);

// evaluate_costs() for part of an adapter's payload: the bytes start
// plan.offset bytes into a payload whose samples have plan's shape and value
// format (as codecs::Flattened gives them), so the mixer sees them as
// compression does. plan.offset must be a multiple of the segment size.
std::vector<float> payload_costs(const uint8_t* data, size_t size, const Model& model, const Options& opts,
                                 const MixPlan& plan);

}  // namespace mbz
