// zstd segments (zstd_segment.hpp).
#include "container/zstd_segment.hpp"

#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <memory>
#include <new>

#include "mbz/error.hpp"

namespace mbz {

namespace {
constexpr int kZstdLevel = 19;
}  // namespace

std::vector<uint8_t> zstd_encode(ByteSpan raw) {
  std::vector<uint8_t> out(ZSTD_compressBound(raw.size));
  const size_t n = ZSTD_compress(out.data(), out.size(), raw.data, raw.size, kZstdLevel);
  if (ZSTD_isError(n)) throw Error(ErrorCode::internal, std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

// The output is allocated only as large as the frame's content can be:
// the size a zstd frame header states (mbz's encoder always writes it) must
// be the segment's raw length, checked before anything is allocated; other
// input (no size stated, several frames, or no frame at all) is decoded into
// a buffer that doubles, up to the raw length, each time the content
// overflows it. A segment thus accepts and refuses exactly what a decode
// into raw_len bytes would, but a few hostile bytes claiming 16 MiB no
// longer allocate them.
std::vector<uint8_t> zstd_decode(const uint8_t* coded, size_t coded_len, size_t raw_len, const std::string& what) {
  const auto corrupt = [&] {
    return Error(ErrorCode::corrupt, (what.empty() ? "" : what + ": ") + "zstd segment does not decode");
  };
  const bool one_frame = ZSTD_findFrameCompressedSize(coded, coded_len) == coded_len;
  const unsigned long long stated = one_frame ? ZSTD_getFrameContentSize(coded, coded_len) : ZSTD_CONTENTSIZE_UNKNOWN;
  const bool known = stated != ZSTD_CONTENTSIZE_UNKNOWN && stated != ZSTD_CONTENTSIZE_ERROR;
  if (known && stated != raw_len) throw corrupt();  // zstd checks that a frame's content has its stated size
  size_t room = known ? raw_len : std::min(raw_len, std::max<size_t>(size_t{1} << 17, 4 * coded_len));
  // One decoding context per thread: ZSTD_decompress would set one up per
  // segment, most of the time of a small segment.
  thread_local const std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!dctx) throw std::bad_alloc();
  for (;;) {
    std::vector<uint8_t> out(room);
    const size_t n = ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), coded, coded_len);
    if (ZSTD_isError(n) && ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall && room < raw_len) {
      room = room > raw_len / 2 ? raw_len : 2 * room;
      continue;
    }
    if (ZSTD_isError(n) || n != raw_len) throw corrupt();
    return out;
  }
}

}  // namespace mbz
