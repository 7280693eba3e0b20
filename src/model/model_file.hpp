// model_file.hpp — the integer MEGABYTE model file (docs/MODEL_FORMAT.md).
//
// A ModelFile is the parsed, validated content of a .mbzm file: integer
// hyper-parameters and integer tensors. Validation enforces every bound the
// engine's exactness argument needs (docs/EXACTNESS.md), so a malformed or
// hostile file is rejected at load instead of producing wrong integers.
// Nothing here depends on libtorch.
#pragma once

#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/hashes.hpp"
#include "common/huge_pages.hpp"
#include "common/le_bytes.hpp"

namespace mbz {

constexpr uint32_t kModelFormatVersion = 1;

// A tensor built in memory (training, the random models, tests): what
// serialize() writes.
struct IntTensor {
  std::vector<int64_t> shape;
  std::vector<int32_t> data;  // row-major
  int64_t numel() const {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
  }
};

// A model file's bytes, read into memory that is not zeroed first, on huge
// pages where the system allows (common/huge_pages.hpp).
using ModelImage = HugePageArray<uint8_t>;

// A tensor of a parsed model file, read in place: its elements stay in the
// file's image, which the ModelFile owns, as the file stores them (int8 for
// weights and the activation LUT, little-endian int32 for the rest:
// docs/MODEL_FORMAT.md). Nothing is widened or copied at load; a 4 MB model
// once took 16 MB of int32 and most of a small file's run to load.
struct TensorView {
  std::vector<int64_t> shape;
  bool narrow = false;              // int8, else int32 LE
  const uint8_t* bytes = nullptr;   // numel() elements, row-major

  int64_t numel() const {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
  }
  int32_t operator[](size_t i) const {
    return narrow ? static_cast<int8_t>(bytes[i]) : static_cast<int32_t>(load_u32le(bytes + 4 * i));
  }
  // The int8 elements of a narrow tensor (a weight or the activation LUT).
  const int8_t* int8_data() const { return reinterpret_cast<const int8_t*>(bytes); }
  // Every element as T: [numel].
  template <class T = int32_t>
  std::vector<T> values() const {
    std::vector<T> v(static_cast<size_t>(numel()));
    for (size_t i = 0; i < v.size(); ++i) v[i] = (*this)[i];
    return v;
  }
  IntTensor copy() const { return IntTensor{shape, values()}; }
};

// Hyper-parameters. Dimensions: P patch size, Dg/Dl global/local width,
// Hg/Hl heads, Fg/Fl feed-forward width, Wg global attention window (patches).
struct ModelConfig {
  int64_t patch = 0;       // P
  int64_t g_dim = 0;       // Dg; the byte embedding of the global model is Dg/P wide
  int64_t g_layers = 0;
  int64_t g_heads = 0;
  int64_t g_ffn = 0;       // Fg
  int64_t g_window = 0;    // Wg: a patch attends to itself and the Wg-1 patches before it
  int64_t l_dim = 0;       // Dl
  int64_t l_layers = 0;
  int64_t l_heads = 0;
  int64_t l_ffn = 0;       // Fl
  int64_t norm_scale = 0;  // RMSNorm output: x/rms * norm_scale, rounded, in [-127,127]
  int64_t act_half = 0;    // activation LUT covers indices [-act_half, act_half]
  int64_t attn_prob_bits = 0;  // attention weights are integers summing to ~2^attn_prob_bits
  int64_t freq_total = 0;      // byte frequency tables sum to at most this (<= 2^16)
};

// The hyper-parameters by their model-file keys, in file order.
struct ConfigField {
  const char* key;
  int64_t ModelConfig::*field;
};
std::vector<ConfigField> config_fields();

// What kind of integers a tensor holds; fixes its value bounds.
enum class TensorKind {
  weight,      // int8 matmul weight in [-127, 127], shape [N, K]
  multiplier,  // dyadic requantization multipliers, shape [N, 2]: mantissa, shift
  embedding,   // residual-stream integers in [-kResidualMax, kResidualMax]
  slope,       // ALiBi slope per head in score units per position, [0, 2^16]
  act_lut,     // activation LUT values in [-127, 127]
  attn_exp,    // attention exp LUT in [0, 2^16], first >= 1, last == 0
  out_exp,     // output exp LUT in [0, 2^20], first >= 1
};

constexpr int32_t kResidualMax = 32767;
constexpr int32_t kMantissaLimit = 1 << 24;  // |mantissa| < 2^24: acc * mantissa stays below 2^53
constexpr int32_t kMaxShift = 62;

// A real requantization multiplier as the dyadic pair (mantissa, shift) with a
// 23-bit mantissa: m ~= mantissa * 2^-shift (export and test models).
void dyadic_from_real(double m, int32_t* out);

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;  // -1: any length >= 2 (LUTs)
  TensorKind kind;
};

// Every tensor a model of this configuration has, in file order.
std::vector<TensorSpec> expected_tensors(const ModelConfig& cfg);

class ModelFile {
 public:
  // Parses and validates a model file image (a copy of it is kept). Throws
  // Error(bad_model / unsupported_version).
  static std::shared_ptr<const ModelFile> parse(const std::vector<uint8_t>& image, const std::string& origin);
  static std::shared_ptr<const ModelFile> parse(ModelImage image, const std::string& origin);
  static std::shared_ptr<const ModelFile> load(const std::string& path);
  // The bytes of the file at path (what load parses). Throws Error(io).
  static ModelImage read_image(const std::string& path);
  // Serializes name, config and tensors into a model file image.
  static std::vector<uint8_t> serialize(const std::string& name, const ModelConfig& cfg,
                                        const std::map<std::string, IntTensor>& tensors);

  const std::string& name() const { return name_; }
  const ModelConfig& config() const { return cfg_; }
  // Computed on a thread of its own from parse() on (a compressor packs the
  // weights meanwhile: its ~3.5 ms for a 4 MB model were ahead of a small
  // file's first forced byte); waits for it.
  const Sha256& sha256() const {
    static const Sha256 none{};  // a ModelFile parse() did not make
    return sha_.valid() ? sha_.get() : none;
  }
  const TensorView& tensor(const std::string& name) const;
  const std::map<std::string, TensorView>& tensors() const { return tensors_; }
  // Every tensor widened into an IntTensor (what serialize() takes back).
  std::map<std::string, IntTensor> copy_tensors() const;
  uint64_t file_size() const { return file_size_; }

 private:
  void validate() const;
  std::string name_;
  ModelConfig cfg_;
  ModelImage image_;                         // the file; tensors_ point into it
  std::map<std::string, TensorView> tensors_;
  // After image_: destroyed first, it waits for its thread, which reads the image.
  std::shared_future<Sha256> sha_;
  uint64_t file_size_ = 0;
  std::string origin_;
};

// Deterministic, platform-independent random model for tests and as an
// untrained placeholder. Weights come from splitmix64; scales are chosen so
// activations stay in range. (The LUTs use libm exp/tanh at creation time
// only; a committed model file, not this generator, is the golden reference.)
std::vector<uint8_t> make_random_model(const std::string& name, const ModelConfig& cfg, uint64_t seed);
ModelConfig tiny_model_config();

}  // namespace mbz
