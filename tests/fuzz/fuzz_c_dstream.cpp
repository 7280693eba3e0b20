// fuzz_c_dstream — the C API's stream decoder (include/mbz/mbz.h:
// mbz_dstream_*) and its buffer decoder (mbz_decompress), fed the same .mbz
// bytes. Input: a control byte (fuzz_util.hpp, MbzInput), then .mbz bytes.
// Checks: no status but a named input error; the stream ends as the buffer
// call does (same status; same bytes on success), prepared or not; a failing
// sink aborts the call with MBZ_ERROR_IO.
#include <cstring>

#include "fuzz_util.hpp"
#include "mbz/mbz.h"

namespace {

struct Sink {
  std::vector<uint8_t> out;
  size_t fail_after = SIZE_MAX;  // refuse once this many bytes were taken
};

int sink(void* user, const void* data, size_t size) {
  auto* s = static_cast<Sink*>(user);
  if (s->out.size() + size > s->fail_after) return 1;
  const auto* p = static_cast<const uint8_t*>(data);
  s->out.insert(s->out.end(), p, p + size);
  return 0;
}

void expect_named(mbz_status s) {
  if (s == MBZ_ERROR_INTERNAL || s == MBZ_ERROR_INVALID_ARGUMENT)
    mbz::fuzz::bug(std::string("C API status ") + mbz_status_name(s) + ": " + mbz_last_error());
  if (s != MBZ_OK && std::strlen(mbz_last_error()) == 0) mbz::fuzz::bug("failure without a message");
}

mbz_model* tiny() {
  static mbz_model* m = [] {
    mbz_model* p = nullptr;
    if (mbz_model_load((std::string(MBZ_SOURCE_DIR) + "/tests/golden/tiny-golden-v1.mbzm").c_str(), &p) != MBZ_OK)
      mbz::fuzz::bug(std::string("cannot load the tiny model: ") + mbz_last_error());
    return p;
  }();
  return m;
}

// Streams data through a dstream; returns the first failing status. Seeds
// with bit 6 set also ask it to prepare after every piece (as a reader of a
// pipe does before it waits): no status or byte may change.
mbz_status stream(const uint8_t* data, size_t size, uint8_t seed, Sink& s) {
  mbz_options o;
  mbz_options_init(&o);
  mbz_dstream* d = nullptr;
  mbz_status st = mbz_dstream_create(tiny(), &o, &d);
  if (st != MBZ_OK) mbz::fuzz::bug("mbz_dstream_create failed");
  mbz::fuzz::Pieces cut{seed, 1 + size / 2};
  for (size_t at = 0; at < size && st == MBZ_OK;) {
    const size_t k = std::min(cut.next(), size - at);
    st = mbz_dstream_write(d, data + at, k, sink, &s);
    if (st == MBZ_OK && (seed & 0x40)) st = mbz_dstream_prepare(d);
    at += k;
  }
  if (st == MBZ_OK) st = mbz_dstream_finish(d, sink, &s);
  mbz_dstream_free(d);
  return st;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mbz::fuzz::MbzInput input;
  if (!input.split(data, size)) return 0;
  const uint8_t seed = input.piece_seed;
  data = input.bytes.data(), size = input.bytes.size();
  if (!mbz::fuzz::work_is_bounded(data, size)) return -1;

  mbz_options o;
  mbz_options_init(&o);
  void* buf = nullptr;
  size_t buf_size = 0;
  const mbz_status whole = mbz_decompress(tiny(), data, size, &o, &buf, &buf_size);
  expect_named(whole);

  Sink s;
  const mbz_status pieces = stream(data, size, seed, s);
  expect_named(pieces);
  if (pieces != whole)
    mbz::fuzz::bug(std::string("mbz_decompress: ") + mbz_status_name(whole) + ", mbz_dstream: " + mbz_status_name(pieces));
  if (whole == MBZ_OK) {
    if (s.out.size() != buf_size || (buf_size > 0 && std::memcmp(s.out.data(), buf, buf_size) != 0))
      mbz::fuzz::bug("mbz_dstream gives other bytes than mbz_decompress");
    if (buf_size > 0) {  // a sink that refuses part way: MBZ_ERROR_IO, never a crash
      Sink refusing;
      refusing.fail_after = buf_size / 2;
      const mbz_status st = stream(data, size, seed, refusing);
      if (st != MBZ_ERROR_IO) mbz::fuzz::bug(std::string("refusing sink gave ") + mbz_status_name(st));
    }
  }
  mbz_free(buf);
  return 0;
}
