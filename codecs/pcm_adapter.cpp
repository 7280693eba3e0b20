// The pcm adapter's formats: libsndfile parses the container (WAV, AIFF, AU,
// W64, CAF, RF64; FLAC with --media) from memory. We locate the sample bytes
// where libsndfile left its read position after parsing the header, confirm
// them with sf_read_raw, and find their byte order by comparing libsndfile's
// decoded samples with both readings of the raw bytes. Anything that does
// not check out stays bytes.
#include "codecs/sndfile_api.hpp"

#include <cstring>
#include <memory>

#include "codecs/formats.hpp"
#include "common/le_bytes.hpp"
#include "mbz/error.hpp"

namespace mbz::codecs {

namespace {

// A file in memory for libsndfile's virtual I/O: read from `data`, or write
// into `sink`.
struct MemFile {
  const uint8_t* data = nullptr;
  sf_count_t size = 0, pos = 0;
  std::vector<uint8_t>* sink = nullptr;
};

sf_count_t vio_len(void* u) { return static_cast<MemFile*>(u)->size; }
sf_count_t vio_seek(sf_count_t off, int whence, void* u) {
  auto* f = static_cast<MemFile*>(u);
  const sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->pos : f->size;
  if (base + off < 0) return -1;
  f->pos = base + off;
  return f->pos;
}
sf_count_t vio_read(void* ptr, sf_count_t count, void* u) {
  auto* f = static_cast<MemFile*>(u);
  const sf_count_t n = std::max<sf_count_t>(0, std::min(count, f->size - f->pos));
  if (n > 0) std::memcpy(ptr, f->data + f->pos, static_cast<size_t>(n));
  f->pos += n;
  return n;
}
sf_count_t vio_write(const void* ptr, sf_count_t count, void* u) {
  auto* f = static_cast<MemFile*>(u);
  if (!f->sink) return 0;
  const auto end = static_cast<size_t>(f->pos + count);
  if (f->sink->size() < end) f->sink->resize(end);
  std::memcpy(f->sink->data() + f->pos, ptr, static_cast<size_t>(count));
  f->pos += count;
  f->size = static_cast<sf_count_t>(f->sink->size());
  return count;
}
sf_count_t vio_tell(void* u) { return static_cast<MemFile*>(u)->pos; }

SF_VIRTUAL_IO memory_io() { return SF_VIRTUAL_IO{vio_len, vio_seek, vio_read, vio_write, vio_tell}; }

struct SndfileCloser {
  void operator()(SNDFILE* f) const { sndfile().close(f); }
};
using Sndfile = std::unique_ptr<SNDFILE, SndfileCloser>;

bool container_of(int major, Container& c) {
  switch (major) {
    case SF_FORMAT_WAV: case SF_FORMAT_WAVEX: c = Container::wav; return true;
    case SF_FORMAT_AIFF: c = Container::aiff; return true;
    case SF_FORMAT_AU: c = Container::au; return true;
    case SF_FORMAT_W64: c = Container::w64; return true;
    case SF_FORMAT_CAF: c = Container::caf; return true;
    case SF_FORMAT_RF64: c = Container::rf64; return true;
    case SF_FORMAT_FLAC: c = Container::flac; return true;
  }
  return false;
}

// Sample width in bytes for the integer and float PCM encodings; 0 otherwise.
int width_of(int subtype, bool& is_float, bool& is_unsigned) {
  is_float = subtype == SF_FORMAT_FLOAT || subtype == SF_FORMAT_DOUBLE;
  is_unsigned = subtype == SF_FORMAT_PCM_U8;
  switch (subtype) {
    case SF_FORMAT_PCM_S8: case SF_FORMAT_PCM_U8: return 1;
    case SF_FORMAT_PCM_16: return 2;
    case SF_FORMAT_PCM_24: return 3;
    case SF_FORMAT_PCM_32: case SF_FORMAT_FLOAT: return 4;
    case SF_FORMAT_DOUBLE: return 8;
  }
  return 0;
}

// Integer sample at p as libsndfile's sf_readf_int returns it (left-justified).
int32_t as_sf_int(const uint8_t* p, int w, bool big_endian, bool is_unsigned) {
  uint32_t v = 0;
  for (int k = 0; k < w; ++k) v |= static_cast<uint32_t>(p[big_endian ? w - 1 - k : k]) << (8 * k);
  if (is_unsigned) v ^= 0x80u;  // offset binary -> two's complement (8-bit only)
  return static_cast<int32_t>(v << (32 - 8 * w));
}

double as_double(const uint8_t* p, int w, bool big_endian) {
  uint8_t b[8];
  for (int k = 0; k < w; ++k) b[k] = p[big_endian ? w - 1 - k : k];
  if (w == 4) {
    float f;
    std::memcpy(&f, b, 4);
    return f;
  }
  double d;
  std::memcpy(&d, b, 8);
  return d;
}

// Does libsndfile's decoding of the first frames match the raw bytes read in this byte order?
bool order_matches(SNDFILE* f, const SampleGrid& g, const uint8_t* raw, sf_count_t frames, bool big_endian) {
  const size_t n = static_cast<size_t>(frames) * g.channels;
  sndfile().seek(f, 0, SEEK_SET);
  if (g.is_float) {
    std::vector<double> ref(n);
    if (sndfile().readf_double(f, ref.data(), frames) != frames) return false;
    for (size_t i = 0; i < n; ++i) {
      const double v = as_double(raw + i * g.width, g.width, big_endian);
      if (std::memcmp(&v, &ref[i], sizeof v) != 0 && !(v != v && ref[i] != ref[i])) return false;
    }
    return true;
  }
  std::vector<int32_t> ref(n);
  if (sndfile().readf_int(f, ref.data(), frames) != frames) return false;
  for (size_t i = 0; i < n; ++i)
    if (as_sf_int(raw + i * g.width, g.width, big_endian, g.is_unsigned) != ref[i]) return false;
  return true;
}

bool fail(std::string* why, const std::string& reason) {
  if (why) *why = reason;
  return false;
}

bool starts(const uint8_t* p, size_t n, const char* magic, size_t at = 0) {
  const size_t m = std::strlen(magic);
  return n >= at + m && std::memcmp(p + at, magic, m) == 0;
}

// Decodes FLAC (or any libsndfile integer format) to little-endian signed samples.
bool decode_samples(SNDFILE* f, const SF_INFO& info, SampleGrid& g, std::vector<uint8_t>& out) {
  std::vector<int32_t> buf(static_cast<size_t>(4096) * info.channels);
  // Grown as frames decode, not sized by the frame count the header claims
  // (a few hostile bytes can claim 2^36 frames; found by tests/fuzz/fuzz_media).
  out.clear();
  for (sf_count_t done = 0; done < info.frames;) {
    const sf_count_t got = sndfile().readf_int(f, buf.data(), std::min<sf_count_t>(4096, info.frames - done));
    if (got <= 0) return false;
    for (size_t i = 0; i < static_cast<size_t>(got) * info.channels; ++i) {
      const uint32_t v = static_cast<uint32_t>(buf[i]) >> (32 - 8 * g.width);
      for (int k = 0; k < g.width; ++k) out.push_back(static_cast<uint8_t>(v >> (8 * k)));
    }
    done += got;
  }
  return out.size() == g.sample_bytes();
}

}  // namespace

bool sniff_pcm(const uint8_t* p, size_t n, bool media) {
  static const uint8_t w64_guid[16] = {'r', 'i', 'f', 'f', 0x2E, 0x91, 0xCF, 0x11, 0xA5, 0xD6, 0x28, 0xDB, 0x04, 0xC1, 0x00, 0x00};
  return ((starts(p, n, "RIFF") || starts(p, n, "RIFX") || starts(p, n, "RF64")) && starts(p, n, "WAVE", 8)) ||
         (starts(p, n, "FORM") && (starts(p, n, "AIFF", 8) || starts(p, n, "AIFC", 8))) || starts(p, n, ".snd") ||
         starts(p, n, "dns.") || (n >= 16 && std::memcmp(p, w64_guid, 16) == 0) || starts(p, n, "caff") ||
         (media && starts(p, n, "fLaC"));
}

// In a RIFF/RIFX/RF64 (WAV) or FORM (AIFF) file, does every chunk before
// the samples lie inside the file? libsndfile 1.2 walks a chunk's
// sub-chunks until the claimed size is used up, counting bytes it could not
// read: a LIST chunk claiming 4 GiB in a 38-byte file took it minutes, and
// in an RF64 file it never stopped (both found by tests/fuzz/fuzz_pcm). The
// sample chunk may claim more than is there (streamed WAVs say 0xFFFFFFFF;
// RF64 keeps its real size in ds64); parse_pcm checks the samples themselves.
bool chunks_fit(const uint8_t* p, size_t n) {
  const bool riff = starts(p, n, "RIFF") || starts(p, n, "RF64"), rifx = starts(p, n, "RIFX"), form = starts(p, n, "FORM");
  if (!riff && !rifx && !form) return true;
  const char* samples = form ? "SSND" : "data";
  for (size_t at = 12; at + 8 <= n;) {
    const uint8_t* c = p + at + 4;
    const uint64_t size = riff ? load_u32le(c) : load_u32be(c);
    if (std::memcmp(p + at, samples, 4) == 0) return true;
    if (at + 8 + size > n) return false;
    at += 8 + size + (size & 1);
  }
  return true;
}

bool parse_pcm(const uint8_t* data, size_t n, bool media, Parsed& out, std::string* why) {
  if (!sniff_pcm(data, n, media)) return fail(why, "not a PCM audio container");
  if (!chunks_fit(data, n)) return fail(why, "a chunk runs past the end of the file");
  MemFile mf{data, static_cast<sf_count_t>(n), 0, nullptr};
  SF_VIRTUAL_IO io = memory_io();
  SF_INFO info{};
  Sndfile f(sndfile().open_virtual(&io, SFM_READ, &info, &mf));
  if (!f) return fail(why, std::string("libsndfile cannot parse it: ") + sndfile().strerror(nullptr));
  const sf_count_t data_offset = mf.pos;  // libsndfile seeks to the samples when it opens a file
  SideInfo& s = out.info;
  if (!container_of(info.format & SF_FORMAT_TYPEMASK, s.container)) return fail(why, "not a PCM container mbz adapts");
  if (s.container == Container::flac && !media) return fail(why, "FLAC is already compressed (--media codes its samples)");
  SampleGrid& g = s.grid;
  bool is_float = false, is_unsigned = false;
  const int w = width_of(info.format & SF_FORMAT_SUBMASK, is_float, is_unsigned);
  if (w == 0) return fail(why, "the sample encoding is not integer or float PCM");
  if (info.channels < 1 || info.channels > 4096 || info.frames < 0 || info.samplerate <= 0)
    return fail(why, "implausible channel count, length or rate");
  g.width = static_cast<uint8_t>(w);
  g.is_float = is_float;
  g.is_unsigned = is_unsigned;
  g.channels = static_cast<uint32_t>(info.channels);
  g.rows = 1;
  g.cols = static_cast<uint64_t>(info.frames);
  g.row_stride = g.cols * g.channels * g.width;
  s.sample_rate = static_cast<uint32_t>(info.samplerate);
  if (s.container == Container::flac) {
    if (is_float || w > 3) return fail(why, "FLAC sample depth not supported");
    if (!decode_samples(f.get(), info, g, out.decoded)) return fail(why, "FLAC decoding failed");
    return true;
  }
  const uint64_t len = g.total_bytes();
  if (data_offset < 0 || static_cast<uint64_t>(data_offset) + len > n)
    return fail(why, "the sample data runs past the end of the file");
  std::vector<uint8_t> raw(len);
  sndfile().seek(f.get(), 0, SEEK_SET);
  if (len > 0 && (sndfile().read_raw(f.get(), raw.data(), static_cast<sf_count_t>(len)) != static_cast<sf_count_t>(len) ||
                  std::memcmp(raw.data(), data + data_offset, len) != 0))
    return fail(why, "could not locate the sample data");
  const sf_count_t probe = std::min<sf_count_t>(info.frames, 4096);
  if (w == 1 || probe == 0) g.big_endian = false;
  else if (order_matches(f.get(), g, raw.data(), probe, false)) g.big_endian = false;
  else if (order_matches(f.get(), g, raw.data(), probe, true)) g.big_endian = true;
  else return fail(why, "the samples do not decode as plain PCM");
  out.data_offset = static_cast<uint64_t>(data_offset);
  return true;
}

namespace {
struct RawPcmSpec {
  uint32_t rate = 0, channels = 0;
  int width = 0;
  bool big_endian = false, is_unsigned = false;
};

RawPcmSpec parse_raw_pcm_spec(const std::string& spec) {
  const auto bad = [&](const std::string& what) {
    return Error(ErrorCode::invalid_argument, "--raw-pcm '" + spec + "': " + what +
                                                  " (expected RATE:CHANNELS:FORMAT, e.g. 44100:2:s16le; FORMAT: u8 s8 "
                                                  "s16le s16be s24le s24be s32le s32be)");
  };
  const size_t a = spec.find(':'), b = spec.find(':', a == std::string::npos ? a : a + 1);
  if (a == std::string::npos || b == std::string::npos) throw bad("three fields needed");
  RawPcmSpec r;
  try {
    size_t used = 0;
    const unsigned long rate = std::stoul(spec.substr(0, a), &used);
    if (used != a || rate == 0 || rate > 10000000) throw bad("bad rate");
    const unsigned long ch = std::stoul(spec.substr(a + 1, b - a - 1), &used);
    if (used != b - a - 1 || ch == 0 || ch > 4096) throw bad("bad channel count");
    r.rate = static_cast<uint32_t>(rate);
    r.channels = static_cast<uint32_t>(ch);
  } catch (const std::logic_error&) {
    throw bad("not a number");
  }
  const std::string fmt = spec.substr(b + 1);
  if (fmt == "u8") r = {r.rate, r.channels, 1, false, true};
  else if (fmt == "s8") r = {r.rate, r.channels, 1, false, false};
  else if (fmt.size() == 5 && fmt[0] == 's' && (fmt.substr(3) == "le" || fmt.substr(3) == "be")) {
    const std::string bits = fmt.substr(1, 2);
    if (bits != "16" && bits != "24" && bits != "32") throw bad("unknown format '" + fmt + "'");
    r.width = std::stoi(bits) / 8;
    r.big_endian = fmt.substr(3) == "be";
  } else {
    throw bad("unknown format '" + fmt + "'");
  }
  return r;
}
}  // namespace

void check_raw_pcm_spec(const std::string& spec) { parse_raw_pcm_spec(spec); }

bool parse_raw_pcm(const std::string& spec, size_t n, Parsed& out, std::string* /*why*/) {
  const RawPcmSpec r = parse_raw_pcm_spec(spec);
  SideInfo& s = out.info;
  s.container = Container::raw_pcm;
  s.sample_rate = r.rate;
  SampleGrid& g = s.grid;
  g.width = static_cast<uint8_t>(r.width);
  g.big_endian = r.big_endian;
  g.is_unsigned = r.is_unsigned;
  g.channels = r.channels;
  g.rows = 1;
  g.cols = n / (static_cast<uint64_t>(r.channels) * r.width);  // a partial last frame stays verbatim
  g.row_stride = g.cols * g.channels * g.width;
  out.data_offset = 0;
  return true;
}

std::vector<uint8_t> write_flac(const SideInfo& s, const std::vector<uint8_t>& samples) {
  const SampleGrid& g = s.grid;
  std::vector<uint8_t> file;
  MemFile mf{nullptr, 0, 0, &file};
  SF_VIRTUAL_IO io = memory_io();
  SF_INFO info{};
  info.samplerate = static_cast<int>(s.sample_rate);
  info.channels = static_cast<int>(g.channels);
  const int sub = g.width == 1 ? SF_FORMAT_PCM_S8 : g.width == 2 ? SF_FORMAT_PCM_16 : SF_FORMAT_PCM_24;
  info.format = SF_FORMAT_FLAC | sub;
  Sndfile f(sndfile().open_virtual(&io, SFM_WRITE, &info, &mf));
  if (!f) throw Error(ErrorCode::io, std::string("libsndfile cannot write FLAC: ") + sndfile().strerror(nullptr));
  std::vector<int32_t> buf;
  buf.reserve(static_cast<size_t>(4096) * g.channels);
  const size_t count = samples.size() / g.width;
  for (size_t i = 0; i < count; ++i) {
    buf.push_back(as_sf_int(samples.data() + i * g.width, g.width, false, false));
    if (buf.size() == buf.capacity() || i + 1 == count) {
      const auto frames = static_cast<sf_count_t>(buf.size() / g.channels);
      if (sndfile().writef_int(f.get(), buf.data(), frames) != frames) throw Error(ErrorCode::io, "FLAC encoding failed");
      buf.clear();
    }
  }
  f.reset();  // sf_close writes the final headers
  return file;
}

}  // namespace mbz::codecs
