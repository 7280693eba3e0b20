// Parsing, validation and serialization of .mbzm model files.
#include "model/model_file.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/le_bytes.hpp"
#include "mbz/error.hpp"

namespace mbz {

namespace {

const char kMagic[8] = {'M', 'B', 'Z', 'M', 'O', 'D', 'E', 'L'};
constexpr uint8_t kDtypeI8 = 1;
constexpr uint8_t kDtypeI32 = 4;

const ConfigField kParams[] = {
    {"patch", &ModelConfig::patch},         {"g_dim", &ModelConfig::g_dim},
    {"g_layers", &ModelConfig::g_layers},   {"g_heads", &ModelConfig::g_heads},
    {"g_ffn", &ModelConfig::g_ffn},         {"g_window", &ModelConfig::g_window},
    {"l_dim", &ModelConfig::l_dim},         {"l_layers", &ModelConfig::l_layers},
    {"l_heads", &ModelConfig::l_heads},     {"l_ffn", &ModelConfig::l_ffn},
    {"norm_scale", &ModelConfig::norm_scale}, {"act_half", &ModelConfig::act_half},
    {"attn_prob_bits", &ModelConfig::attn_prob_bits}, {"freq_total", &ModelConfig::freq_total},
};

void add_stack(std::vector<TensorSpec>& out, const std::string& prefix, int64_t layers, int64_t d,
               int64_t heads, int64_t ffn) {
  for (int64_t i = 0; i < layers; ++i) {
    const std::string p = prefix + std::to_string(i) + ".";
    out.push_back({p + "wqkv", {3 * d, d}, TensorKind::weight});
    out.push_back({p + "mqkv", {3 * d, 2}, TensorKind::multiplier});
    out.push_back({p + "mscore", {1, 2}, TensorKind::multiplier});
    out.push_back({p + "slopes", {heads}, TensorKind::slope});
    out.push_back({p + "mav", {d, 2}, TensorKind::multiplier});
    out.push_back({p + "wo", {d, d}, TensorKind::weight});
    out.push_back({p + "mo", {d, 2}, TensorKind::multiplier});
    out.push_back({p + "w1", {ffn, d}, TensorKind::weight});
    out.push_back({p + "m1", {ffn, 2}, TensorKind::multiplier});
    out.push_back({p + "w2", {d, ffn}, TensorKind::weight});
    out.push_back({p + "m2", {d, 2}, TensorKind::multiplier});
  }
}

// The kinds a file stores as int8.
bool narrow_kind(TensorKind kind) { return kind == TensorKind::weight || kind == TensorKind::act_lut; }

[[noreturn]] void bad(const std::string& origin, const std::string& why) {
  throw Error(ErrorCode::bad_model, "model " + origin + ": " + why);
}

}  // namespace

std::vector<TensorSpec> expected_tensors(const ModelConfig& c) {
  std::vector<TensorSpec> t;
  t.push_back({"g.emb", {256, c.g_dim / (c.patch > 0 ? c.patch : 1)}, TensorKind::embedding});
  t.push_back({"g.pad", {c.g_dim}, TensorKind::embedding});
  add_stack(t, "g.", c.g_layers, c.g_dim, c.g_heads, c.g_ffn);
  t.push_back({"g2l.w", {c.patch * c.l_dim, c.g_dim}, TensorKind::weight});
  t.push_back({"g2l.m", {c.patch * c.l_dim, 2}, TensorKind::multiplier});
  t.push_back({"l.emb", {257, c.l_dim}, TensorKind::embedding});
  add_stack(t, "l.", c.l_layers, c.l_dim, c.l_heads, c.l_ffn);
  t.push_back({"out.w", {256, c.l_dim}, TensorKind::weight});
  t.push_back({"out.m", {256, 2}, TensorKind::multiplier});
  t.push_back({"lut.act", {2 * c.act_half + 1}, TensorKind::act_lut});
  t.push_back({"lut.attn_exp", {-1}, TensorKind::attn_exp});
  t.push_back({"lut.out_exp", {-1}, TensorKind::out_exp});
  return t;
}

std::vector<ConfigField> config_fields() { return {std::begin(kParams), std::end(kParams)}; }

void dyadic_from_real(double m, int32_t* out) {
  if (m == 0) { out[0] = 0; out[1] = 0; return; }
  int e = 0;
  const double f = std::frexp(m, &e);  // m = f * 2^e, 0.5 <= |f| < 1
  int shift = 23 - e;
  int64_t mant = std::llround(std::ldexp(f, 23));
  while (shift > kMaxShift) { mant /= 2; --shift; }
  while (shift < 0) { mant *= 2; ++shift; }  // only for huge m; capped by validation
  out[0] = static_cast<int32_t>(mant);
  out[1] = shift;
}

const TensorView& ModelFile::tensor(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw Error(ErrorCode::internal, "model has no tensor " + name);
  return it->second;
}

std::map<std::string, IntTensor> ModelFile::copy_tensors() const {
  std::map<std::string, IntTensor> out;
  for (const auto& [name, t] : tensors_) out.emplace(name, t.copy());
  return out;
}

ModelImage ModelFile::read_image(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(ErrorCode::io, "cannot open model file " + path);
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {
    // One read of the size the file has (a byte-wise istreambuf_iterator copy
    // took longer than the parse), into memory not zeroed first; a file that
    // changes meanwhile is caught by the short read or, failing that, by the
    // trailer's XXH64.
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw Error(ErrorCode::io, "cannot read model file " + path);
    ModelImage image(static_cast<size_t>(size), Uninitialized{});
    if (size > 0 && !f.read(reinterpret_cast<char*>(image.data()), static_cast<std::streamsize>(size)))
      throw Error(ErrorCode::io, "cannot read model file " + path);
    return image;
  }
  // A pipe or other stream (mbz -m <(zcat model.gz)): read until it ends.
  std::vector<uint8_t> bytes;
  char chunk[1 << 16];
  while (f.read(chunk, sizeof chunk) || f.gcount() > 0) bytes.insert(bytes.end(), chunk, chunk + f.gcount());
  if (f.bad()) throw Error(ErrorCode::io, "cannot read model file " + path);
  ModelImage image(bytes.size(), Uninitialized{});
  std::copy(bytes.begin(), bytes.end(), image.data());
  return image;
}

std::shared_ptr<const ModelFile> ModelFile::load(const std::string& path) { return parse(read_image(path), path); }

std::shared_ptr<const ModelFile> ModelFile::parse(const std::vector<uint8_t>& image, const std::string& origin) {
  ModelImage copy(image.size(), Uninitialized{});
  std::copy(image.begin(), image.end(), copy.data());
  return parse(std::move(copy), origin);
}

std::shared_ptr<const ModelFile> ModelFile::parse(ModelImage image, const std::string& origin) {
  auto m = std::make_shared<ModelFile>();
  m->origin_ = origin;
  m->file_size_ = image.size();
  const uint8_t* const data = image.data();
  if (image.size() < 8 + 4 + 8 || !std::equal(kMagic, kMagic + 8, data))
    bad(origin, "not an mbz model file (bad magic)");
  const size_t body = image.size() - 8;
  ByteReader trailer(data + body, 8, "model " + origin);
  if (trailer.u64() != xxh64(data, body)) bad(origin, "checksum mismatch (file damaged)");

  try {
    ByteReader r(data + 8, body - 8, "model " + origin);
    const uint32_t version = r.u32();
    if (version != kModelFormatVersion)
      throw Error(ErrorCode::unsupported_version,
                  "model " + origin + ": model format version " + std::to_string(version) +
                      " is not supported by this build (supports " + std::to_string(kModelFormatVersion) + ")");
    m->name_ = r.str8();
    const uint32_t nparams = r.u32();
    std::map<std::string, int64_t> params;
    for (uint32_t i = 0; i < nparams; ++i) {
      std::string key = r.str8();
      params[key] = r.i64();
    }
    for (const auto& p : kParams) {
      auto it = params.find(p.key);
      if (it == params.end()) bad(origin, std::string("missing hyper-parameter ") + p.key);
      m->cfg_.*(p.field) = it->second;
    }
    const uint32_t ntensors = r.u32();
    for (uint32_t i = 0; i < ntensors; ++i) {
      std::string name = r.str8();
      const uint8_t dtype = r.u8();
      const uint8_t ndim = r.u8();
      if (ndim == 0 || ndim > 4) bad(origin, "tensor " + name + " has rank " + std::to_string(ndim));
      TensorView t;
      int64_t n = 1;
      for (uint8_t d = 0; d < ndim; ++d) {
        const uint32_t dim = r.u32();
        if (dim == 0 || dim > (1u << 24)) bad(origin, "tensor " + name + " has a bad dimension");
        t.shape.push_back(dim);
        n *= dim;
        if (n > (int64_t{1} << 28)) bad(origin, "tensor " + name + " is too large");
      }
      if (dtype != kDtypeI8 && dtype != kDtypeI32)
        bad(origin, "tensor " + name + " has unknown dtype " + std::to_string(dtype));
      // The elements stay where they are (the view checks they are there);
      // nothing is allocated for them.
      t.narrow = dtype == kDtypeI8;
      const size_t width = t.narrow ? 1 : 4;
      if (static_cast<uint64_t>(n) * width > r.left()) bad(origin, "file is truncated");
      t.bytes = r.bytes(static_cast<size_t>(n) * width);
      if (!m->tensors_.emplace(name, std::move(t)).second) bad(origin, "duplicate tensor " + name);
    }
    if (r.left() != 0) bad(origin, "trailing bytes after the tensor table");
  } catch (const Error& e) {
    if (e.code() == ErrorCode::truncated) bad(origin, "file is truncated");
    throw;
  }
  m->validate();
  const size_t size = image.size();
  try {
    m->sha_ = std::async(std::launch::async, [data, size] { return mbz::sha256(data, size); }).share();
  } catch (const std::system_error&) {  // no thread to spare: here and now
    std::promise<Sha256> now;
    now.set_value(mbz::sha256(data, size));
    m->sha_ = now.get_future().share();
  }
  m->image_ = std::move(image);  // the views stay valid: the block moves, not the bytes
  return m;
}

void ModelFile::validate() const {
  const ModelConfig& c = cfg_;
  auto in = [](int64_t v, int64_t lo, int64_t hi) { return v >= lo && v <= hi; };
  if (!in(c.patch, 1, 64)) bad(origin_, "patch size out of range [1, 64]");
  if (!in(c.g_dim, 1, 8192) || c.g_dim % c.patch != 0) bad(origin_, "g_dim must be a multiple of patch, <= 8192");
  if (!in(c.l_dim, 1, 8192)) bad(origin_, "l_dim out of range");
  if (!in(c.g_layers, 0, 256) || !in(c.l_layers, 0, 256)) bad(origin_, "layer count out of range");
  if (!in(c.g_heads, 1, 256) || c.g_dim % c.g_heads != 0) bad(origin_, "g_heads must divide g_dim");
  if (!in(c.l_heads, 1, 256) || c.l_dim % c.l_heads != 0) bad(origin_, "l_heads must divide l_dim");
  // Attention head width is the K of the score matmul: 127*127*K must stay below 2^24.
  if (c.g_dim / c.g_heads > 1040 || c.l_dim / c.l_heads > 1040) bad(origin_, "attention head width above 1040");
  if (!in(c.g_ffn, 1, 65536) || !in(c.l_ffn, 1, 65536)) bad(origin_, "ffn width out of range");
  if (!in(c.g_window, 1, 16384)) bad(origin_, "g_window out of range [1, 16384]");
  if (!in(c.norm_scale, 1, 127)) bad(origin_, "norm_scale out of range [1, 127]");
  if (!in(c.act_half, 1, 32767)) bad(origin_, "act_half out of range");
  if (!in(c.attn_prob_bits, 1, 16)) bad(origin_, "attn_prob_bits out of range [1, 16]");
  if (!in(c.freq_total, 512, 65536)) bad(origin_, "freq_total out of range [512, 65536]");

  const auto specs = expected_tensors(c);
  if (specs.size() != tensors_.size()) bad(origin_, "unexpected number of tensors");
  for (const auto& s : specs) {
    auto it = tensors_.find(s.name);
    if (it == tensors_.end()) bad(origin_, "missing tensor " + s.name);
    const TensorView& t = it->second;
    if (s.shape.size() == 1 && s.shape[0] == -1) {
      if (t.shape.size() != 1 || t.shape[0] < 2 || t.shape[0] > 65536) bad(origin_, "LUT " + s.name + " has a bad length");
    } else if (t.shape != s.shape) {
      bad(origin_, "tensor " + s.name + " has the wrong shape");
    }
    // Weights and the activation LUT are int8, the rest int32 (what the
    // engine reads, and what serialize() writes back).
    if (t.narrow != narrow_kind(s.kind))
      bad(origin_, "tensor " + s.name + " must be stored as " + (narrow_kind(s.kind) ? "int8" : "int32"));
    const size_t n = static_cast<size_t>(t.numel());
    auto all_in = [&](int64_t lo, int64_t hi) {
      for (size_t k = 0; k < n; ++k)
        if (t[k] < lo || t[k] > hi) return false;
      return true;
    };
    bool ok = true;
    switch (s.kind) {
      case TensorKind::weight:  // int8 in [-127, 127]: no -128 byte
      case TensorKind::act_lut: ok = std::memchr(t.bytes, 0x80, n) == nullptr; break;
      case TensorKind::embedding: ok = all_in(-kResidualMax, kResidualMax); break;
      case TensorKind::slope: ok = all_in(0, 1 << 16); break;
      case TensorKind::attn_exp: ok = all_in(0, 1 << 16) && t[0] >= 1 && t[n - 1] == 0; break;
      case TensorKind::out_exp: ok = all_in(0, 1 << 20) && t[0] >= 1; break;
      case TensorKind::multiplier:
        for (size_t k = 0; k < n; k += 2)
          if (t[k] <= -kMantissaLimit || t[k] >= kMantissaLimit || t[k + 1] < 0 || t[k + 1] > kMaxShift) ok = false;
        break;
    }
    if (!ok) bad(origin_, "tensor " + s.name + " has values outside the engine's bounds");
  }
}

std::vector<uint8_t> ModelFile::serialize(const std::string& name, const ModelConfig& cfg,
                                          const std::map<std::string, IntTensor>& tensors) {
  if (name.empty() || name.size() > 255) throw Error(ErrorCode::invalid_argument, "model name must be 1..255 bytes");
  ByteWriter w;
  w.bytes(kMagic, 8);
  w.u32(kModelFormatVersion);
  w.str8(name);
  w.u32(static_cast<uint32_t>(std::size(kParams)));
  for (const auto& p : kParams) {
    w.str8(p.key);
    w.i64(cfg.*(p.field));
  }
  const auto specs = expected_tensors(cfg);
  w.u32(static_cast<uint32_t>(specs.size()));
  for (const auto& s : specs) {
    auto it = tensors.find(s.name);
    if (it == tensors.end()) throw Error(ErrorCode::internal, "serialize: missing tensor " + s.name);
    const IntTensor& t = it->second;
    const bool narrow = narrow_kind(s.kind);
    w.str8(s.name);
    w.u8(narrow ? kDtypeI8 : kDtypeI32);
    w.u8(static_cast<uint8_t>(t.shape.size()));
    for (auto dim : t.shape) w.u32(static_cast<uint32_t>(dim));
    for (int32_t v : t.data) {
      if (narrow) w.u8(static_cast<uint8_t>(static_cast<int8_t>(v)));
      else w.i32(v);
    }
  }
  w.u64(xxh64(w.data().data(), w.size()));
  return std::move(w.data());
}

}  // namespace mbz
