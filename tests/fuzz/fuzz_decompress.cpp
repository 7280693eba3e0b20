// fuzz_decompress — the whole decoder through the public C++ API
// (mbz::decompress and mbz::Decompressor), with the small committed model.
// Input: a control byte (fuzz_util.hpp, MbzInput), then .mbz bytes.
// Checks: bad input only ever fails with a named error; decoding in pieces of
// random sizes ends exactly as the one-shot call (the same bytes, or the same
// error).
#include "fuzz_util.hpp"

using namespace mbz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::MbzInput input;
  if (!input.split(data, size)) return 0;
  const uint8_t seed = input.piece_seed;
  data = input.bytes.data(), size = input.bytes.size();
  if (!fuzz::work_is_bounded(data, size)) return -1;  // -1: keep out of the corpus
  const ModelResolver resolve = fuzz::tiny_resolver();
  Options opts;

  std::vector<uint8_t> whole;
  ErrorCode whole_code = ErrorCode::ok;
  try {
    whole = decompress(data, size, resolve, opts);
  } catch (const Error& e) {
    fuzz::expect_input_error(e);
    whole_code = e.code();
  }

  std::vector<uint8_t> pieces;
  ErrorCode pieces_code = ErrorCode::ok;
  try {
    Decompressor d(resolve, opts);
    fuzz::Pieces cut{seed, 1 + size / 2};
    for (size_t at = 0; at < size;) {
      const size_t k = std::min(cut.next(), size - at);
      d.write(data + at, k, pieces);
      at += k;
    }
    d.finish(pieces);
  } catch (const Error& e) {
    fuzz::expect_input_error(e);
    pieces_code = e.code();
  }

  if (whole_code != pieces_code)
    fuzz::bug(std::string("one-shot: ") + error_code_name(whole_code) + ", in pieces: " + error_code_name(pieces_code));
  if (whole_code == ErrorCode::ok && whole != pieces) fuzz::bug("decoding in pieces gives other bytes");
  return 0;
}
