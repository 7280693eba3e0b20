// Modality adapters: every layout inverts; every PCM container and sample
// format libsndfile writes, and every image format, comes back byte-exact
// through compress/decompress; malformed and odd inputs fall back or keep
// their extra bytes; --media restores identical samples and pixels.
#include <gtest/gtest.h>
#include <sndfile.h>
#include <stb_image.h>
#include <stb_image_write.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "codecs/adapter.hpp"
#include "codecs/sample_layout.hpp"
#include "container/format.hpp"
#include "test_util.hpp"

namespace mbz {
namespace {

using codecs::AdapterOptions;
using codecs::Flattened;

const char* kLayouts[] = {"native", "msb", "planar", "planar-native", "delta2", "planar-delta2", "med", "planar-med"};

TEST(SampleLayout, EveryLayoutInvertsOnEveryGrid) {
  uint64_t seed = 1;
  for (int width : {1, 2, 3, 4})
    for (bool big_endian : {false, true})
      for (bool is_unsigned : {false, true})
        for (uint32_t channels : {1u, 2u, 3u})
          for (uint64_t pad : {0u, 3u})
            for (const char* name : kLayouts) {
              codecs::SampleGrid g;
              g.width = static_cast<uint8_t>(width);
              g.big_endian = big_endian;
              g.is_unsigned = is_unsigned;
              g.channels = channels;
              g.rows = 5;
              g.cols = 7;
              g.row_stride = g.cols * channels * width + pad;
              const auto data = test::seeded_bytes(g.total_bytes(), seed++);
              const codecs::Layout l = codecs::parse_layout(name);
              EXPECT_EQ(codecs::layout_name(l), name);
              const auto flat = codecs::flatten_samples(g, l, data.data());
              ASSERT_EQ(flat.size(), data.size());
              EXPECT_EQ(codecs::restore_samples(g, l, flat.data()), data) << name << " w" << width << " ch" << channels;
            }
}

TEST(SampleLayout, PredictorsTurnSmoothSignalsIntoSmallResiduals) {
  codecs::SampleGrid g;  // a slow 16-bit ramp: delta2 predicts it exactly after two samples
  g.width = 2;
  g.channels = 1;
  g.cols = 1000;
  g.row_stride = 2000;
  std::vector<uint8_t> data(2000);
  for (int i = 0; i < 1000; ++i) {
    const auto v = static_cast<uint16_t>(static_cast<int16_t>(-8000 + 17 * i));
    data[2 * i] = static_cast<uint8_t>(v), data[2 * i + 1] = static_cast<uint8_t>(v >> 8);
  }
  const auto flat = codecs::flatten_samples(g, codecs::parse_layout("delta2"), data.data());
  for (int i = 2; i < 1000; ++i) EXPECT_EQ(flat[2 * i] | flat[2 * i + 1], 0) << i;
}

TEST(SampleLayout, RejectsUnknownNames) {
  EXPECT_THROW(codecs::parse_layout("zigzag"), Error);
}

// ---- audio files written by libsndfile ----


// A second of a chord with a little noise: smooth like real audio.
std::vector<double> signal(int frames, int channels) {
  std::vector<double> s(static_cast<size_t>(frames) * channels);
  uint64_t r = 7;
  for (int t = 0; t < frames; ++t)
    for (int c = 0; c < channels; ++c) {
      r = r * 6364136223846793005ull + 1442695040888963407ull;
      const double noise = static_cast<double>(r >> 40) / double(1 << 24) - 0.5;
      s[static_cast<size_t>(t) * channels + c] =
          0.4 * std::sin(0.031 * t + c) + 0.2 * std::sin(0.0473 * t) + 0.01 * noise;
    }
  return s;
}

std::vector<uint8_t> write_audio(int format, int channels, int frames, int rate = 16000) {
  const test::Scratch file("mbz_adapters_audio.tmp");
  const std::string& path = file.path();
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  EXPECT_NE(f, nullptr) << sf_strerror(nullptr) << " format " << std::hex << format;
  if (!f) return {};
  const auto s = signal(frames, channels);
  sf_writef_double(f, s.data(), frames);
  sf_close(f);
  return test::read_file(path);
}

// Through the container and the model: compress, decompress, compare.
Stats round_trip(const std::vector<uint8_t>& input, const Options& o, std::vector<uint8_t>* restored = nullptr) {
  const std::vector<uint8_t> packed = compress(input.data(), input.size(), *test::golden_model(), o);
  Decompressor d(test::only(test::golden_model()), o);
  std::vector<uint8_t> back;
  d.write(packed.data(), packed.size(), back);
  d.finish(back);
  if (restored) *restored = back;
  else EXPECT_EQ(back, input);
  return d.stats();
}

// Through the adapter alone (fast): flatten, restore, compare; returns the adapter id.
uint8_t adapter_round_trip(const std::vector<uint8_t>& input, const AdapterOptions& o) {
  Flattened flat;
  if (!codecs::flatten(input.data(), input.size(), o, flat, nullptr)) return 0;
  EXPECT_EQ(codecs::restore(flat.adapter, flat.side_info, flat.payload), input);
  return flat.adapter;
}

uint8_t adapter_of(const std::vector<uint8_t>& input, const Options& o = {}) {
  const auto packed = compress(input.data(), input.size(), *test::golden_model(), o);
  FrameHeader h;
  parse_header(packed.data(), packed.size(), h, "");
  return h.adapter;
}

TEST(PcmAdapter, EveryContainerAndSampleFormatIsByteExact) {
  const int majors[] = {SF_FORMAT_WAV, SF_FORMAT_WAVEX, SF_FORMAT_AIFF, SF_FORMAT_AU, SF_FORMAT_W64, SF_FORMAT_CAF, SF_FORMAT_RF64};
  const int subs[] = {SF_FORMAT_PCM_U8, SF_FORMAT_PCM_S8, SF_FORMAT_PCM_16, SF_FORMAT_PCM_24, SF_FORMAT_PCM_32, SF_FORMAT_FLOAT, SF_FORMAT_DOUBLE};
  int adapted = 0, tried = 0;
  for (int major : majors)
    for (int sub : subs)
      for (int channels : {1, 2, 3}) {
        SF_INFO probe{};
        probe.samplerate = 16000;
        probe.channels = channels;
        probe.format = major | sub;
        if (!sf_format_check(&probe)) continue;
        const auto file = write_audio(major | sub, channels, 1000);
        ASSERT_FALSE(file.empty());
        ++tried;
        for (const char* layout : {"", "native", "planar", "delta2", "planar-delta2"})
          adapted += adapter_round_trip(file, AdapterOptions{"auto", "", "", layout, false}) == 1;
        // Through the whole codec (the adapter chosen, its side information
        // in the frame): every sample format once in WAV, every container
        // once at 16 bits; the adapter round trips above cover each pair.
        if (channels == 2 && (major == SF_FORMAT_WAV || sub == SF_FORMAT_PCM_16))
          EXPECT_EQ(round_trip(file, {}).adapter, 1) << std::hex << (major | sub);
      }
  EXPECT_GT(tried, 50);
  EXPECT_EQ(adapted, tried * 5);
}

TEST(PcmAdapter, DescribesWhatItFound) {
  const auto wav = write_audio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 44100, 44100);
  Flattened flat;
  ASSERT_TRUE(codecs::flatten(wav.data(), wav.size(), AdapterOptions{}, flat, nullptr));
  EXPECT_EQ(flat.description, "pcm: WAV, 16-bit, 2 ch, 44100 Hz, 1.0 s, layout delta2");
  EXPECT_EQ(flat.payload.size(), 44100u * 4);
  const auto aiff = write_audio(SF_FORMAT_AIFF | SF_FORMAT_PCM_24, 1, 100);
  ASSERT_TRUE(codecs::flatten(aiff.data(), aiff.size(), AdapterOptions{}, flat, nullptr));
  EXPECT_NE(flat.description.find("AIFF, 24-bit, 1 ch"), std::string::npos);
}

TEST(PcmAdapter, OddFilesKeepEveryByte) {
  auto wav = write_audio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 5000);
  // Trailing garbage and a trailing chunk stay verbatim.
  auto trailing = wav;
  const char junk[] = "LIST\x10\0\0\0INFOISFT\x04\0\0\0mbz!trailing garbage";
  trailing.insert(trailing.end(), junk, junk + sizeof junk);
  EXPECT_EQ(round_trip(trailing, {}).adapter, 1);
  // Zero-length data chunk.
  EXPECT_EQ(round_trip(write_audio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 0), {}).adapter, 1);
  // Odd sample count with 8-bit (the data chunk gets a pad byte).
  EXPECT_EQ(round_trip(write_audio(SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 1, 4999), {}).adapter, 1);
  // Truncated anywhere: whatever the adapter makes of it, nothing is lost.
  for (size_t cut : {size_t{10}, size_t{40}, size_t{44}, size_t{45}, wav.size() / 2, wav.size() - 1}) {
    const std::vector<uint8_t> part(wav.begin(), wav.begin() + static_cast<std::ptrdiff_t>(cut));
    round_trip(part, {});
  }
  // A damaged format chunk: bytes, still exact.
  auto bad = wav;
  bad[20] = 0x55;  // wFormatTag
  bad[21] = 0x55;
  EXPECT_EQ(round_trip(bad, {}).adapter, 0);
}

TEST(PcmAdapter, RawPcmWithPartialLastFrame) {
  auto raw = test::seeded_bytes(1001, 3);  // 250 stereo s16 frames and one byte
  Options o;
  o.raw_pcm = "8000:2:s16be";
  EXPECT_EQ(round_trip(raw, o).adapter, 1);
  Flattened flat;
  ASSERT_TRUE(codecs::flatten(raw.data(), raw.size(), codecs::AdapterOptions{"auto", "8000:2:s16be", "", "", false}, flat, nullptr));
  EXPECT_NE(flat.description.find("raw PCM, 16-bit, 2 ch, 8000 Hz"), std::string::npos);
  for (const char* bad : {"8000:2", "x:2:s16le", "8000:0:s16le", "8000:2:s12le", "8000:2:f32le"}) {
    o.raw_pcm = bad;
    EXPECT_THROW(compress(raw.data(), raw.size(), *test::golden_model(), o), Error) << bad;
  }
}

TEST(PcmAdapter, BytesAdapterAndUnknownInputStayBytes) {
  const auto wav = write_audio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 2000);
  Options o;
  o.adapter = "bytes";
  EXPECT_EQ(round_trip(wav, o).adapter, 0);
  const auto text = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  EXPECT_EQ(round_trip(text, {}).adapter, 0);
  o.adapter = "pcm";  // asked for, not possible: bytes, and the reason is reported
  const auto packed = compress(text.data(), text.size(), *test::golden_model(), o);
  Compressor c(*test::golden_model(), o);
  std::vector<uint8_t> out;
  c.write(text.data(), text.size(), out);
  c.finish(out);
  EXPECT_EQ(c.stats().adapter, 0);
  EXPECT_FALSE(c.stats().adapter_declined.empty());
}

TEST(PcmAdapter, FlacMediaRestoresIdenticalSamples) {
  const auto flac = write_audio(SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 2, 8000, 22050);
  EXPECT_EQ(adapter_of(flac), 0);  // without --media FLAC is bytes
  Options o;
  o.media = true;
  std::vector<uint8_t> restored;
  const Stats st = round_trip(flac, o, &restored);
  EXPECT_EQ(st.adapter, 1);
  EXPECT_TRUE(st.samples_only);
  const auto decode = [](const std::vector<uint8_t>& bytes) {
    const test::Scratch file("mbz_adapters_decode.flac");
    const std::string& path = file.path();
    test::write_file(path, bytes);
    SF_INFO info{};
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
    std::vector<int> s(static_cast<size_t>(info.frames) * info.channels);
    if (f) sf_readf_int(f, s.data(), info.frames), sf_close(f);
    return std::make_pair(info.samplerate * 16 + info.channels, s);
  };
  const auto a = decode(flac), b = decode(restored);
  EXPECT_EQ(a.first, b.first);
  EXPECT_EQ(a.second.size(), 16000u);
  EXPECT_EQ(a.second, b.second);
}

// ---- images ----

std::vector<uint8_t> photo_like(int w, int h, int comp, uint64_t seed) {
  std::vector<uint8_t> px(static_cast<size_t>(w) * h * comp);
  const auto noise = test::seeded_bytes(px.size(), seed);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < comp; ++c) {
        const size_t i = (static_cast<size_t>(y) * w + x) * comp + c;
        px[i] = static_cast<uint8_t>(std::clamp(128.0 + 60 * std::sin(0.05 * x + c) + 40 * std::cos(0.07 * y) + (noise[i] % 9), 0.0, 255.0));
      }
  return px;
}

std::vector<uint8_t> pnm(int w, int h, int comp, bool wide, const std::string& comment = "") {
  std::string head = std::string(comp == 1 ? "P5" : "P6") + "\n" + comment + std::to_string(w) + " " + std::to_string(h) +
                     "\n" + (wide ? "65535" : "255") + "\n";
  std::vector<uint8_t> f(head.begin(), head.end());
  const auto px = photo_like(w, h, comp * (wide ? 2 : 1), 11);
  f.insert(f.end(), px.begin(), px.end());
  return f;
}

std::vector<uint8_t> via_stb(int kind, int w, int h, int comp) {
  std::vector<uint8_t> file;
  const auto sink = [](void* ctx, void* data, int size) {
    auto* v = static_cast<std::vector<uint8_t>*>(ctx);
    v->insert(v->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
  };
  const auto px = photo_like(w, h, comp, 5);
  if (kind == 0) stbi_write_bmp_to_func(sink, &file, w, h, comp, px.data());
  else if (kind == 1) stbi_write_tga_to_func(sink, &file, w, h, comp, px.data());
  else stbi_write_png_to_func(sink, &file, w, h, comp, px.data(), w * comp);
  return file;
}

std::string describe_input(const std::vector<uint8_t>& f, const AdapterOptions& o = {}) {
  Flattened flat;
  std::string why;
  return codecs::flatten(f.data(), f.size(), o, flat, &why) ? flat.description : "bytes: " + why;
}

TEST(ImageAdapter, PnmBmpTgaAreByteExact) {
  stbi_write_tga_with_rle = 0;
  const std::vector<std::pair<std::vector<uint8_t>, std::string>> cases = {
      {pnm(33, 17, 3, false), "image: PNM, 33x17, RGB, 8-bit"},
      {pnm(33, 17, 1, false, "# a comment\n"), "image: PNM, 33x17, gray, 8-bit"},
      {pnm(20, 9, 3, true), "image: PNM, 20x9, RGB, 16-bit"},
      {pnm(20, 9, 1, true), "image: PNM, 20x9, gray, 16-bit"},
      {via_stb(0, 31, 13, 3), "image: BMP, 31x13, BGR, 8-bit"},  // rows padded to 4 bytes
      {via_stb(1, 31, 13, 3), "image: TGA, 31x13, BGR, 8-bit"},
      {via_stb(1, 31, 13, 4), "image: TGA, 31x13, BGRA, 8-bit"},
      {via_stb(1, 31, 13, 1), "image: TGA, 31x13, gray, 8-bit"},
  };
  for (const auto& [file, want] : cases) {
    EXPECT_EQ(describe_input(file).substr(0, want.size()), want);
    for (const char* layout : {"", "native", "planar", "med", "planar-med"})
      EXPECT_EQ(adapter_round_trip(file, AdapterOptions{"auto", "", "", layout, false}), 2) << want << " " << layout;
    EXPECT_EQ(round_trip(file, {}).adapter, 2) << want;
  }
}

TEST(ImageAdapter, Bmp32AndTopDownBmp) {
  // A 32-bit BI_RGB BMP with a negative height (top-down rows), written by hand.
  const int w = 6, h = 5;
  std::vector<uint8_t> f(54);
  const auto put32 = [&](size_t at, uint32_t v) { for (int k = 0; k < 4; ++k) f[at + k] = static_cast<uint8_t>(v >> (8 * k)); };
  f[0] = 'B', f[1] = 'M';
  put32(2, 54 + w * h * 4);
  put32(10, 54);
  put32(14, 40);
  put32(18, w);
  put32(22, static_cast<uint32_t>(-h));
  f[26] = 1, f[28] = 32;
  const auto px = photo_like(w, h, 4, 9);
  f.insert(f.end(), px.begin(), px.end());
  EXPECT_EQ(describe_input(f).substr(0, 29), "image: BMP, 6x5, BGRA, 8-bit,");
  EXPECT_EQ(round_trip(f, {}).adapter, 2);
}

TEST(ImageAdapter, MalformedImagesFallBackAndKeepEveryByte) {
  const auto ppm = pnm(40, 30, 3, false);
  auto trailing = ppm;
  trailing.insert(trailing.end(), {'e', 'x', 't', 'r', 'a'});
  EXPECT_EQ(round_trip(trailing, {}).adapter, 2);
  for (size_t cut : {size_t{1}, size_t{3}, size_t{12}, ppm.size() / 2, ppm.size() - 1}) {
    const std::vector<uint8_t> part(ppm.begin(), ppm.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_EQ(round_trip(part, {}).adapter, 0) << cut;
  }
  const std::string odd = "P6\n99999999 2\n255\nxx";
  EXPECT_EQ(round_trip(std::vector<uint8_t>(odd.begin(), odd.end()), {}).adapter, 0);
  auto bmp = via_stb(0, 31, 13, 3);
  bmp[30] = 1;  // claims RLE8 compression
  EXPECT_EQ(round_trip(bmp, {}).adapter, 0);
  EXPECT_EQ(round_trip(std::vector<uint8_t>{'B', 'M'}, {}).adapter, 0);
}

TEST(ImageAdapter, RawImages) {
  const auto px = photo_like(24, 10, 3, 4);
  Options o;
  o.raw_image = "24x10x3";
  EXPECT_EQ(round_trip(px, o).adapter, 2);
  o.raw_image = "12x10x1:16be";
  EXPECT_EQ(round_trip(px, o).adapter, 2);  // half the bytes: the rest stays verbatim
  o.raw_image = "100x100x3";                // larger than the input: bytes, with the reason
  Compressor c(*test::golden_model(), o);
  std::vector<uint8_t> out;
  c.write(px.data(), px.size(), out);
  c.finish(out);
  EXPECT_EQ(c.stats().adapter, 0);
  EXPECT_NE(c.stats().adapter_declined.find("needs 30000 bytes"), std::string::npos);
  EXPECT_EQ(decompress(out.data(), out.size(), test::only(test::golden_model()), {}), px);
  for (const char* bad : {"24x10", "0x10x3", "24x10x3:12", "axbxc"}) {
    o.raw_image = bad;
    EXPECT_THROW(Compressor(*test::golden_model(), o), Error) << bad;
  }
}

// Both files decode (by stb_image, as `channels` channels, 0: the file's own) to the same pixels.
void expect_same_pixels(const std::vector<uint8_t>& x, const std::vector<uint8_t>& y, int channels) {
  int w1, h1, c1, w2, h2, c2;
  stbi_uc* a = stbi_load_from_memory(x.data(), static_cast<int>(x.size()), &w1, &h1, &c1, channels);
  stbi_uc* b = stbi_load_from_memory(y.data(), static_cast<int>(y.size()), &w2, &h2, &c2, channels);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(std::make_pair(w1, h1), std::make_pair(w2, h2));
  if (channels == 0) EXPECT_EQ(c1, c2);
  if (w1 == w2 && h1 == h2) EXPECT_EQ(std::memcmp(a, b, static_cast<size_t>(w1) * h1 * (channels ? channels : c1)), 0);
  stbi_image_free(a);
  stbi_image_free(b);
}

TEST(ImageAdapter, PngMediaRestoresIdenticalPixels) {
  for (int comp : {1, 2, 3, 4}) {
    const auto png = via_stb(2, 37, 21, comp);
    EXPECT_EQ(adapter_of(png), 0);  // without --media a PNG is bytes
    Options o;
    o.media = true;
    std::vector<uint8_t> restored;
    const Stats st = round_trip(png, o, &restored);
    EXPECT_EQ(st.adapter, 2);
    EXPECT_TRUE(st.samples_only);
    expect_same_pixels(png, restored, 0);
  }
}

TEST(ImageAdapter, GifMediaRestoresIdenticalPixelsAsPng) {
  const auto gif = test::read_file(test::data_path("tests/data/photo-crop-64.gif"));
  ASSERT_FALSE(gif.empty());
  Options o;
  o.media = true;
  std::vector<uint8_t> restored;
  EXPECT_EQ(round_trip(gif, o, &restored).adapter, 2);
  ASSERT_GE(restored.size(), 8u);
  EXPECT_EQ(restored[1], 'P');  // a PNG
  expect_same_pixels(gif, restored, 4);
}

// ---- the container ----

TEST(AdapterFrames, DamagedOrUnknownSideInformationIsAClearError) {
  const auto ppm = pnm(16, 8, 3, false);
  auto packed = compress(ppm.data(), ppm.size(), *test::golden_model(), {});
  FrameHeader h;
  const size_t header_len = parse_header(packed.data(), packed.size(), h, "");
  ASSERT_EQ(h.adapter, 2);
  const std::vector<uint8_t> body(packed.begin() + static_cast<std::ptrdiff_t>(header_len), packed.end());
  const auto with_header = [&](const FrameHeader& nh) {
    auto f = encode_header(nh);
    f.insert(f.end(), body.begin(), body.end());
    return f;
  };
  const auto expect_code = [&](const std::vector<uint8_t>& f, ErrorCode code) {
    try {
      decompress(f.data(), f.size(), test::only(test::golden_model()), {});
      ADD_FAILURE() << "decoded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << e.what();
    }
  };
  FrameHeader other = h;
  other.adapter = 9;
  expect_code(with_header(other), ErrorCode::unsupported_version);
  other = h;
  other.side_info[0] = 2;  // side info version
  expect_code(with_header(other), ErrorCode::unsupported_version);
  other = h;
  other.side_info.pop_back();
  expect_code(with_header(other), ErrorCode::corrupt);
  other = h;
  other.side_info[12] ^= 1;  // grid rows: sizes no longer add up
  expect_code(with_header(other), ErrorCode::corrupt);
  other = h;
  other.side_info[other.side_info.size() - 5] ^= 1;  // a byte of the verbatim header: checksum of the restored file
  expect_code(with_header(other), ErrorCode::checksum_mismatch);
  packed[12 + h.model_name.size() + 40] ^= 1;  // inside the side info, under the header check
  expect_code(packed, ErrorCode::corrupt);
}

TEST(AdapterFrames, ConcatenatedFramesOfEveryAdapterDecode) {
  const auto ppm = pnm(16, 8, 3, false);
  const auto wav = write_audio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 700);
  const auto text = test::read_file(test::data_path("samples/gpl-3.0.txt"));
  std::vector<uint8_t> all, want;
  for (const auto* f : {&ppm, &wav, &text}) {
    const auto p = compress(f->data(), f->size(), *test::golden_model(), {});
    all.insert(all.end(), p.begin(), p.end());
    want.insert(want.end(), f->begin(), f->end());
  }
  EXPECT_EQ(decompress(all.data(), all.size(), test::only(test::golden_model()), {}), want);
}

}  // namespace
}  // namespace mbz
