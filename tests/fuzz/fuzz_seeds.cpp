// fuzz_seeds — writes the seed corpora of the fuzz targets into OUTDIR/<target>/
// from the committed golden files and samples: small .mbz frames of every
// segment method and adapter (coded with the tiny model), the golden sample
// audio in every container libsndfile writes, the golden photo in every image
// format, FLAC/PNG/GIF for --media, side information with payloads, and small
// model files. Deterministic; nothing here is committed (scripts/fuzz.sh and
// the fuzz CTest run it). Usage: fuzz_seeds SOURCE_DIR OUTDIR
#include <sndfile.h>
#include <stb_image_write.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "codecs/adapter.hpp"
#include "common/hashes.hpp"
#include "mbz/mbz.hpp"
#include "model/model_file.hpp"

namespace fs = std::filesystem;
using namespace mbz;

namespace {

std::string g_src, g_out;

std::vector<uint8_t> read_file(const std::string& rel) {
  std::ifstream f(g_src + "/" + rel, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + rel);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

void put(const std::string& target, const std::string& name, const std::vector<uint8_t>& bytes) {
  const fs::path dir = fs::path(g_out) / target;
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// A .mbz seed for the four .mbz targets: control byte 0x80 (checks fixed;
// a no-op on valid frames), then the frame(s).
void put_mbz(const std::string& name, const std::vector<uint8_t>& frame) {
  std::vector<uint8_t> v{0x80};
  v.insert(v.end(), frame.begin(), frame.end());
  for (const char* t : {"fuzz_frame", "fuzz_inspect", "fuzz_decompress", "fuzz_c_dstream"}) put(t, name, v);
}

// Audio through libsndfile's virtual I/O into memory.
struct Mem {
  std::vector<uint8_t> bytes;
  sf_count_t pos = 0;
};
sf_count_t m_len(void* u) { return static_cast<sf_count_t>(static_cast<Mem*>(u)->bytes.size()); }
sf_count_t m_seek(sf_count_t off, int whence, void* u) {
  auto* m = static_cast<Mem*>(u);
  m->pos = (whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m->pos : static_cast<sf_count_t>(m->bytes.size())) + off;
  return m->pos;
}
sf_count_t m_read(void* p, sf_count_t n, void* u) {
  auto* m = static_cast<Mem*>(u);
  const sf_count_t k = std::max<sf_count_t>(0, std::min<sf_count_t>(n, static_cast<sf_count_t>(m->bytes.size()) - m->pos));
  if (k > 0) std::memcpy(p, m->bytes.data() + m->pos, static_cast<size_t>(k));
  m->pos += k;
  return k;
}
sf_count_t m_write(const void* p, sf_count_t n, void* u) {
  auto* m = static_cast<Mem*>(u);
  if (m->bytes.size() < static_cast<size_t>(m->pos + n)) m->bytes.resize(static_cast<size_t>(m->pos + n));
  std::memcpy(m->bytes.data() + m->pos, p, static_cast<size_t>(n));
  m->pos += n;
  return n;
}
sf_count_t m_tell(void* u) { return static_cast<Mem*>(u)->pos; }

// `frames` frames of the golden WAV's samples (as ints) in format `format`.
std::vector<uint8_t> audio(const std::vector<int>& samples, int channels, int rate, int format) {
  SF_VIRTUAL_IO io{m_len, m_seek, m_read, m_write, m_tell};
  Mem m;
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  SNDFILE* f = sf_open_virtual(&io, SFM_WRITE, &info, &m);
  if (!f) return {};
  sf_writef_int(f, samples.data(), static_cast<sf_count_t>(samples.size() / channels));
  sf_close(f);
  return m.bytes;
}

std::vector<int> wav_samples(const std::vector<uint8_t>& wav, int& channels, int& rate, sf_count_t frames) {
  SF_VIRTUAL_IO io{m_len, m_seek, m_read, m_write, m_tell};
  Mem m{wav, 0};
  SF_INFO info{};
  SNDFILE* f = sf_open_virtual(&io, SFM_READ, &info, &m);
  if (!f) throw std::runtime_error("cannot read the golden WAV");
  channels = info.channels;
  rate = info.samplerate;
  std::vector<int> s(static_cast<size_t>(frames * channels));
  s.resize(static_cast<size_t>(sf_readf_int(f, s.data(), frames) * channels));
  sf_close(f);
  return s;
}

void sink(void* ctx, void* data, int size) {
  auto* v = static_cast<std::vector<uint8_t>*>(ctx);
  v->insert(v->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
}

// A w x h crop of an RGB image, with `channels` channels (1: gray, 4: alpha added).
std::vector<uint8_t> crop(const std::vector<uint8_t>& rgb, int stride_px, int w, int h, int channels) {
  std::vector<uint8_t> out;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const uint8_t* p = rgb.data() + (static_cast<size_t>(y) * stride_px + x) * 3;
      if (channels == 1) out.push_back(static_cast<uint8_t>((p[0] + 2 * p[1] + p[2]) / 4));
      else out.insert(out.end(), p, p + 3);
      if (channels == 4) out.push_back(static_cast<uint8_t>(x * 16 + y));
    }
  return out;
}

std::vector<uint8_t> pnm(const std::vector<uint8_t>& px, int w, int h, int channels, bool wide) {
  const std::string head = std::string(channels == 1 ? "P5" : "P6") + "\n# seed\n" + std::to_string(w) + " " +
                           std::to_string(h) + "\n" + (wide ? "65535" : "255") + "\n";
  std::vector<uint8_t> v(head.begin(), head.end());
  for (uint8_t b : px) {
    v.push_back(b);
    if (wide) v.push_back(static_cast<uint8_t>(b ^ 0x5A));
  }
  return v;
}

void side_info_seed(const std::string& name, const codecs::Flattened& f) {
  std::vector<uint8_t> v{static_cast<uint8_t>(f.adapter == 1 ? 0 : 1)};
  const auto m = static_cast<uint32_t>(f.side_info.size());
  for (int k = 0; k < 4; ++k) v.push_back(static_cast<uint8_t>(m >> (8 * k)));
  v.insert(v.end(), f.side_info.begin(), f.side_info.end());
  v.insert(v.end(), f.payload.begin(), f.payload.end());
  put("fuzz_side_info", name, v);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_seeds SOURCE_DIR OUTDIR\n";
    return 2;
  }
  g_src = argv[1];
  g_out = argv[2];
  try {
    const auto model = Model::load(g_src + "/tests/golden/tiny-golden-v1.mbzm");

    // --- audio seeds: 200 frames of the golden stereo music and mono speech ---
    int ch = 0, rate = 0, ch1 = 0, rate1 = 0;
    const auto stereo = wav_samples(read_file("tests/golden/music-0.1s-stereo.wav"), ch, rate, 200);
    const auto mono = wav_samples(read_file("tests/golden/speech-0.5s.wav"), ch1, rate1, 300);
    const struct { const char* name; int format; bool stereo; } kinds[] = {
        {"s16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, true},   {"u8.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_U8, false},
        {"s24.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, false},  {"s32.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_32, false},
        {"f32.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, true},    {"f64.wav", SF_FORMAT_WAV | SF_FORMAT_DOUBLE, false},
        {"ext.wav", SF_FORMAT_WAVEX | SF_FORMAT_PCM_16, true}, {"s16.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, true},
        {"s8.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_S8, false}, {"f32.aifc", SF_FORMAT_AIFF | SF_FORMAT_FLOAT, false},
        {"s16.au", SF_FORMAT_AU | SF_FORMAT_PCM_16, true},     {"s24.au", SF_FORMAT_AU | SF_FORMAT_PCM_24, false},
        {"s16.w64", SF_FORMAT_W64 | SF_FORMAT_PCM_16, true},   {"s16.caf", SF_FORMAT_CAF | SF_FORMAT_PCM_16, true},
        {"s24le.caf", SF_FORMAT_CAF | SF_FORMAT_PCM_24 | SF_ENDIAN_LITTLE, false},
        {"s16.rf64", SF_FORMAT_RF64 | SF_FORMAT_PCM_16, true}, {"s16be.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16 | SF_ENDIAN_BIG, false},
    };
    std::vector<std::vector<uint8_t>> pcm_files;
    for (const auto& k : kinds) {
      const auto f = k.stereo ? audio(stereo, ch, rate, k.format) : audio(mono, ch1, rate1, k.format);
      if (f.empty()) continue;
      put("fuzz_pcm", k.name, f);
      pcm_files.push_back(f);
    }
    for (int sub : {SF_FORMAT_PCM_16, SF_FORMAT_PCM_24, SF_FORMAT_PCM_S8}) {
      const auto flac = audio(sub == SF_FORMAT_PCM_16 ? stereo : mono, sub == SF_FORMAT_PCM_16 ? ch : ch1,
                              sub == SF_FORMAT_PCM_16 ? rate : rate1, SF_FORMAT_FLAC | sub);
      if (!flac.empty()) put("fuzz_media", "seed-" + std::to_string(sub) + ".flac", flac);
    }

    // --- image seeds from the golden 32x24 photo ---
    const auto ppm = read_file("tests/golden/photo-32x24.ppm");
    std::vector<uint8_t> rgb(ppm.end() - 32 * 24 * 3, ppm.end());
    put("fuzz_image", "photo.ppm", ppm);
    const auto rgb8 = crop(rgb, 32, 8, 6, 3), gray8 = crop(rgb, 32, 8, 6, 1), rgba8 = crop(rgb, 32, 7, 5, 4);
    std::vector<std::vector<uint8_t>> images = {ppm, pnm(gray8, 8, 6, 1, false), pnm(rgb8, 8, 6, 3, true)};
    std::vector<uint8_t> v;
    stbi_write_bmp_to_func(sink, &v, 7, 5, 3, crop(rgb, 32, 7, 5, 3).data());  // rows padded to 4 bytes
    images.push_back(v), v.clear();
    stbi_write_bmp_to_func(sink, &v, 7, 5, 4, rgba8.data());
    images.push_back(v), v.clear();
    stbi_write_tga_with_rle = 0;
    stbi_write_tga_to_func(sink, &v, 8, 6, 3, rgb8.data());
    images.push_back(v), v.clear();
    stbi_write_tga_to_func(sink, &v, 8, 6, 1, gray8.data());
    images.push_back(v), v.clear();
    stbi_write_tga_to_func(sink, &v, 7, 5, 4, rgba8.data());
    images.push_back(v), v.clear();
    for (size_t i = 0; i < images.size(); ++i) put("fuzz_image", "image-" + std::to_string(i), images[i]);
    for (int c : {1, 3, 4}) {
      stbi_write_png_to_func(sink, &v, 8, 6, c, (c == 1 ? gray8 : c == 3 ? rgb8 : crop(rgb, 32, 8, 6, 4)).data(), 8 * c);
      put("fuzz_media", "seed-" + std::to_string(c) + ".png", v), v.clear();
    }
    put("fuzz_media", "photo-crop-64.gif", read_file("tests/data/photo-crop-64.gif"));
    put("fuzz_media", "photo.ppm", ppm);

    // --- side information: every adapter seed flattened ---
    int n = 0;
    for (const auto& f : pcm_files) {
      codecs::Flattened fl;
      codecs::AdapterOptions o;
      if (codecs::flatten(f.data(), f.size(), o, fl, nullptr)) side_info_seed("pcm-" + std::to_string(n++), fl);
    }
    for (const auto& f : images) {
      codecs::Flattened fl;
      codecs::AdapterOptions o;
      if (codecs::flatten(f.data(), f.size(), o, fl, nullptr)) side_info_seed("image-" + std::to_string(n++), fl);
    }

    // --- .mbz frames: golden files, then small frames of every method ---
    for (const auto& e : fs::directory_iterator(g_src + "/tests/golden"))
      if (e.path().extension() == ".mbz") put_mbz(e.path().filename().string(), read_file("tests/golden/" + e.path().filename().string()));
    const auto text = read_file("tests/golden/gpl3-4k.txt");
    const std::vector<uint8_t> short_text(text.begin(), text.begin() + 200);  // decodes fast (fuzz_util.hpp)
    Options o;
    o.segment_size = 1024;
    o.force_model = true;
    put_mbz("model-mixed.mbz", compress(short_text.data(), short_text.size(), *model, o));
    o.mix = false;
    put_mbz("model.mbz", compress(short_text.data(), short_text.size(), *model, o));
    o.force_model = false;
    const auto mixed = read_file("tests/golden/mixed.bin");
    const auto stored_zstd = compress(mixed.data(), mixed.size(), *model, o);  // zstd and stored segments
    put_mbz("stored-zstd.mbz", stored_zstd);
    o.force_model = true;
    o.mix = true;
    const auto wav = audio(std::vector<int>(stereo.begin(), stereo.begin() + 2 * 40), ch, rate, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    put_mbz("pcm.mbz", compress(wav.data(), wav.size(), *model, o));
    put_mbz("image.mbz", compress(images[1].data(), images[1].size(), *model, o));
    put_mbz("image-rgb.mbz", compress(images[5].data(), images[5].size(), *model, o));  // TGA, 8x6 RGB
    o.layout = "planar-med";
    put_mbz("image-planar.mbz", compress(images[0].data(), 200, *model, o));  // a cut PPM: stays bytes
    put_mbz("image-bmp.mbz", compress(images[3].data(), images[3].size(), *model, o));
    o.layout = "";
    // Frames without a model (model none: the mixer alone), bytes and audio.
    put_mbz("none-mixed.mbz", compress(short_text.data(), short_text.size(), *Model::none(), o));
    put_mbz("none-pcm.mbz", compress(wav.data(), wav.size(), *Model::none(), o));
    const auto empty = compress(nullptr, 0, *model, o);
    std::vector<uint8_t> two = empty;
    two.insert(two.end(), stored_zstd.begin(), stored_zstd.end());
    put_mbz("two-frames.mbz", two);

    // --- model files, without their 8-byte trailer (fuzz_model appends it) ---
    const auto strip = [](std::vector<uint8_t> m) { m.resize(m.size() - 8); return m; };
    put("fuzz_model", "tiny-golden-v1", strip(read_file("tests/golden/tiny-golden-v1.mbzm")));
    ModelConfig c;
    c.patch = 2, c.g_dim = 8, c.g_layers = 1, c.g_heads = 2, c.g_ffn = 8, c.g_window = 3;
    c.l_dim = 8, c.l_layers = 1, c.l_heads = 1, c.l_ffn = 8, c.norm_scale = 32, c.act_half = 15;
    c.attn_prob_bits = 8, c.freq_total = 512;
    put("fuzz_model", "micro", strip(make_random_model("micro", c, 7)));
    c.g_layers = 0, c.l_layers = 0, c.freq_total = 65536;
    put("fuzz_model", "no-layers", strip(make_random_model("no-layers", c, 8)));
  } catch (const std::exception& e) {
    std::cerr << "fuzz_seeds: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
