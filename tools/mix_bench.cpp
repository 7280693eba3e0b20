// mix_bench — times the context mixer alone, encode and decode, on one file.
//
//   mix_bench FILE [REPEATS [BYTE_PROFILE]]
//
// The file goes through the modality adapters as the compressor flattens it
// (src/api/compressor.cpp): the payload is cut into segments of the default
// segment size, each coded with the SampleShape the compressor would give it
// (audio profile 8, or 4 as asked; images profile 13; plain bytes as asked). The engine is
// replaced by a fixed stand-in, an order-0 byte frequency table rebuilt every
// kRefresh bytes from the bytes before (piecewise static, so its 257-entry
// cumulative tables can be built once before timing and read by the decoder
// as they would be from the model). Only mixed_encode and MixedDecoder are
// timed, in CPU time (the process's: the mixer runs on one thread), which
// other work on a shared machine disturbs less than the wall clock; the best
// of REPEATS runs (default 1) is reported; plain bytes are coded with
// BYTE_PROFILE (1 or 5; default 5, the compressor's). The XXH64 of the
// coded bytes is printed so that a change to the mixer can be shown not to
// change a single output byte; so is the ideal code length that the
// compressor asks for (it weighs it against the other methods), printed
// exactly as a hexadecimal float; decoding is checked against the input.
#include <algorithm>
#include <ctime>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "codecs/adapter.hpp"
#include "common/hashes.hpp"
#include "mix/mixed_coding.hpp"

namespace {

constexpr size_t kSegment = size_t{1} << 20;  // Options::segment_size's default
constexpr size_t kRefresh = 4096;             // bytes between rebuilds of the stand-in table

// One cumulative table per kRefresh bytes of a segment: order-0 counts of
// the segment's bytes so far, plus one for every byte value.
std::vector<uint32_t> stand_in_tables(const uint8_t* data, size_t size) {
  const size_t blocks = (size + kRefresh - 1) / kRefresh;
  std::vector<uint32_t> cum(blocks * 257);
  std::vector<uint32_t> freq(256, 1);
  for (size_t b = 0; b < blocks; ++b) {
    uint32_t* t = &cum[b * 257];
    t[0] = 0;
    for (int s = 0; s < 256; ++s) t[s + 1] = t[s] + freq[static_cast<size_t>(s)];
    for (size_t i = b * kRefresh; i < std::min(size, (b + 1) * kRefresh); ++i) ++freq[data[i]];
    // A model's tables sum to at most 2^16 (packed_counts.hpp): halve the
    // counts, each kept at least 1, once they would sum past it.
    uint32_t total = 0;
    for (uint32_t f : freq) total += f;
    if (total > 65536 - kRefresh)
      for (uint32_t& f : freq) f = (f + 1) / 2;
  }
  return cum;
}

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 5) {
    std::fprintf(stderr, "usage: mix_bench FILE [REPEATS [BYTE_PROFILE [AUDIO_PROFILE]]]\n");
    return 2;
  }
  const int repeats = argc >= 3 ? std::max(1, std::stoi(argv[2])) : 1;
  // BYTE_PROFILE 1 or 7; anything else (or none): 5.
  const int asked = argc == 4 ? std::stoi(argv[3]) : 5;
  const uint8_t byte_profile = asked == 1   ? mbz::mix::kProfileGeneral
                               : asked == 7 ? mbz::mix::kProfileText7
                                            : mbz::mix::kProfileText5;
  // AUDIO_PROFILE 4; anything else (or none): 8.
  const uint8_t audio_profile = argc == 5 && std::stoi(argv[4]) == 4 ? mbz::mix::kProfileSignal : mbz::mix::kProfileAudio8;
  std::ifstream f(argv[1], std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  std::vector<uint8_t> input((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());

  // The payload and its shape, as Compressor::finish_whole derives them.
  mbz::codecs::Flattened flat;
  std::string why;
  uint32_t stride = 0, row = 0;
  uint8_t value_format = 0;
  std::vector<uint8_t> payload;
  if (mbz::codecs::flatten(input.data(), input.size(), mbz::codecs::AdapterOptions{}, flat, &why)) {
    payload = std::move(flat.payload);
    stride = flat.shape.stride, row = flat.shape.row, value_format = flat.shape.value_format;
  } else {
    payload = std::move(input);
  }

  struct Segment {
    size_t offset, size;
    mbz::mix::SampleShape shape;
    std::vector<uint32_t> cum;              // stand_in_tables
    std::vector<mbz::mix::PackedCounts> paths;  // 8 a byte, read off cum
  };
  std::vector<Segment> segs;
  for (size_t off = 0; off < payload.size(); off += kSegment) {
    Segment s{off, std::min(kSegment, payload.size() - off), mbz::mix::shape_at(stride, row, off, value_format), {}, {}};
    const uint8_t* d = payload.data() + off;
    s.cum = stand_in_tables(d, s.size);
    s.paths.resize(s.size * 8);
    for (size_t i = 0; i < s.size; ++i) {
      mbz::mix::NodeCounts n[8];
      mbz::mix::path_counts(&s.cum[i / kRefresh * 257], d[i], n);
      for (int k = 0; k < 8; ++k) s.paths[i * 8 + k] = mbz::mix::pack(n[k]);
    }
    segs.push_back(std::move(s));
  }

  double best_enc = 1e30, best_dec = 1e30;
  std::vector<std::vector<uint8_t>> coded(segs.size());
  double ideal_bits = 0;
  for (int r = 0; r < repeats; ++r) {
    double t0 = cpu_seconds();
    ideal_bits = 0;
    for (size_t k = 0; k < segs.size(); ++k) {
      double bits = 0;
      coded[k] = mbz::mix::mixed_encode(payload.data() + segs[k].offset, segs[k].size, segs[k].paths.data(),
                                        mbz::mix::profile_of(segs[k].shape, byte_profile, mbz::mix::kProfileImage13, audio_profile), segs[k].shape, &bits);
      ideal_bits += bits;
    }
    best_enc = std::min(best_enc, cpu_seconds() - t0);

    std::vector<uint8_t> decoded(payload.size());
    t0 = cpu_seconds();
    for (size_t k = 0; k < segs.size(); ++k) {
      mbz::mix::MixedDecoder dec(coded[k].data(), coded[k].size(), segs[k].size);
      for (size_t i = 0; i < segs[k].size; ++i)
        decoded[segs[k].offset + i] = dec.decode(&segs[k].cum[i / kRefresh * 257]);
    }
    best_dec = std::min(best_dec, cpu_seconds() - t0);
    if (decoded != payload) {
      std::fprintf(stderr, "%s: decoding does not give the payload back\n", argv[1]);
      return 1;
    }
  }

  mbz::Xxh64Stream h;
  size_t coded_bytes = 0;
  for (const auto& c : coded) h.update(c.data(), c.size()), coded_bytes += c.size();
  const double kb = static_cast<double>(payload.size()) / 1000.0;
  const uint8_t profile = coded.empty() ? 0 : coded[0][0];
  std::printf("%-28s profile %d  %8zu -> %8zu bytes  ideal %a  encode %7.1f KB/s  decode %7.1f KB/s  xxh64 %016" PRIx64 "\n",
              argv[1], profile, payload.size(), coded_bytes, ideal_bits, kb / best_enc, kb / best_dec, h.digest());
  return 0;
}
