// mbz/mbz.hpp — the mbz C++ API: lossless compression with a MEGABYTE model.
//
// mbz compresses bytes with an integer MEGABYTE byte model driving a range
// coder. A Model is loaded once and may be shared read-only by many threads.
// Files written by any released version decode with every later version
// (docs/FORMAT.md); a model is identified by its SHA-256, never by name alone.
//
// Quick start:
//   auto model = mbz::Model::load_default();
//   mbz::compress_stream(in, out, *model, {});
//   mbz::decompress_stream(in2, &out2, mbz::default_model_resolver(), {});
//
// Every function throws mbz::Error (mbz/error.hpp) on failure. Everything in
// this header appeared in 0.1.0 unless marked otherwise. The C interface is
// mbz/mbz.h.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "mbz/error.hpp"

namespace mbz {

/*! version_string() : library version, e.g. "0.1.0" (since 0.1.0). */
const char* version_string() noexcept;

/*! cpu_kernel() : the matrix kernel the CPU backend runs on this machine:
 *  "amx", "avx512vnni", "avx2" or "portable" (the environment variable
 *  MBZ_KERNEL may force a supported one). Every kernel gives the same bytes
 *  (since 0.6.0). */
const char* cpu_kernel() noexcept;

/*! kFormatVersion : the newest .mbz format version this library writes and
 *  reads (since 0.1.0; 2 since 0.8.0, for frames with mixed segments, whose
 *  header lists the features they need; others are still written as 1). */
constexpr uint16_t kFormatVersion = 2;

/*! kSmallImageBytes : below this many bytes of samples an image is coded with
 *  mixer profile 11 (profile 6 in 0.18-0.19) when Options::image_profile is
 *  0, the default (since 0.18.0): about where profile 9, whose tables cost a
 *  fixed ~45 ms to set up, reaches 100 KB/s on this project's 2-core
 *  machine. */
constexpr uint32_t kSmallImageBytes = 32 * 1024;

/*! Model : a loaded, validated model file (since 0.1.0).
 *  Immutable after load; share one instance across threads. */
class Model {
 public:
  /*! load() : reads and validates the model file at `path`.
   *  @return the model, or throws Error(io | bad_model | unsupported_version). */
  static std::shared_ptr<const Model> load(const std::string& path);

  /*! load_default() : the default model for plain bytes, found on the model
   *  search path (see model_search_path()). Throws Error(unknown_model). */
  static std::shared_ptr<const Model> load_default();

  /*! none() : no neural model (since 0.7.0). Compressing with it codes each
   *  segment with the context mixer alone (or zstd, or stored): about ten
   *  times faster both ways than with a model, a few percent larger on text
   *  (bench/RESULTS.md, "Levels"). Its frames record the model `none` (and
   *  an all-zero SHA-256) and decode without any model file. name() "none",
   *  path() "", file_size() and parameter_count() 0. */
  static std::shared_ptr<const Model> none();
  /*! is_none() : this is Model::none() (since 0.7.0). */
  bool is_none() const;

  const std::string& name() const;
  std::string sha256_hex() const;   // 64 lowercase hex digits
  const std::string& path() const;  // where it was loaded from
  uint64_t file_size() const;
  uint64_t parameter_count() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }
  explicit Model(std::unique_ptr<Impl> impl);
  ~Model();

 private:
  std::unique_ptr<Impl> impl_;
};

/*! default_model_name() : name of the model used when none is given. */
const char* default_model_name() noexcept;

/*! default_model_name_for() : the default model's name for a modality:
 *  "text" (the same as default_model_name()), "audio" (frames the pcm adapter
 *  makes) or "image" (the image adapter's); "" for anything else (since 0.2.0). */
std::string default_model_name_for(const std::string& modality);

/*! default_modality_models() : for Options::modality_model, the shipped
 *  default model of each modality found on the search path, loaded on first
 *  use; none (so the Compressor's model codes it) where none is installed
 *  (since 0.2.0). */
std::function<std::shared_ptr<const class Model>(const std::string& modality)> default_modality_models();

/*! model_search_path() : directories searched for NAME.mbzm, in order:
 *  each entry of $MBZ_MODEL_PATH (colon-separated); share/mbz/models beside
 *  the installed library and program (found from their own location, so a
 *  moved install still works); the configured install prefix's models
 *  directory; the source tree's models/ (uninstalled builds). */
std::vector<std::string> model_search_path();

/*! find_model() : the model named `name` on the search path; if sha256_hex is
 *  not empty, the file must also have that SHA-256 (any *.mbzm on the path
 *  with that hash is accepted). Throws Error(unknown_model) naming both. */
std::shared_ptr<const Model> find_model(const std::string& name, const std::string& sha256_hex);

/*! Options : how to compress or decompress (since 0.1.0). Of those that
 *  apply to both, none changes the compressed bytes except segment_size and mix. */
struct Options {
  int threads = 1;                 // worker threads (>= 1)
  // Bytes per independently coded segment (compress only): level 6's 8 MiB
  // since 0.14.0 (1 MiB in 0.3-0.13, 64 KiB before).
  uint32_t segment_size = 8u << 20;
  std::string device = "auto";     // "auto", "cpu" or "cuda"
  // Compress: also try coding each segment through the adaptive context mixer
  // over the model (Method::mixed; since 0.3.0), keeping whichever is smaller.
  // It learns the segment's own statistics and repeats (text: about a third
  // smaller); it adds a sequential pass per segment (~250 KB/s, ~70 MB of
  // tables per 1 MiB segment in flight) to the model's work. false gives
  // files that mbz 0.2 can read.
  bool mix = true;
  // The mixer profile for plain bytes (compress only; since 0.9.0): 0 (the
  // default since 0.21.0), by the model: 12 with one, 14 without; 12 (the
  // default of 0.20.0, files it reads), profile 10 whose weight sets and
  // final mixer start from a prior built from text coded with the default
  // model (about 1% smaller 10 KB files, 0.2% at 100 KB, the same speed);
  // 14 (since 0.21.0), the same unit whose prior was built from text coded
  // without a model (what the mixer alone learns: about 1% smaller 10 KB
  // files than 12 without a model; files mbz 0.21 on read); 10 (the default of
  // mbz 0.16-0.19, files they read), profile 7 with four more contexts, weight sets
  // that slow down as the segment goes on and tables sized to the segment
  // (0.5-1% smaller text, about a tenth slower mixing); 7 (the default of
  // mbz 0.11-0.15, files they read), bit histories in nibble slots with
  // layered mixing, contexts of the text's layout (nesting, line kind,
  // column, field) and a second match model for long repeats; 5, the same
  // without the layout contexts and the second match (the default of mbz
  // 0.9-0.10; a few percent larger text, about 1.4x faster mixing); or 1,
  // the profile of mbz 0.3-0.8 (files they read; fastest). Audio and image
  // payloads keep their own profiles.
  int byte_profile = 0;
  // The mixer profile for images (compress only; since 0.10.0): 13 (since
  // 0.21.0), profile 9 whose weights start from a prior built from
  // photographs (0.1-0.5% smaller than 9 at its speed; files mbz 0.21 on
  // read); 9, profile 6 plus texture contexts of the pixels, APMs by the
  // predictors' expected residuals and a ninth weight set (the default of
  // 0.13-0.20, files they read; about 1.5% smaller photos than 6, at two
  // thirds of its speed); 6, fourteen
  // predictors a pixel with least squares and layered mixing (the default of
  // mbz 0.10-0.12, files they read; about 6% smaller photos than 3, at a
  // third of its speed); or 3, the profile of mbz 0.4-0.9. Audio keeps its
  // own profiles. 11 (since 0.20.0): profile 6 whose weights start from a
  // prior built from photographs, about 1% smaller than 6 on a 64 x 64
  // photograph at the same speed (files mbz 0.20 on read). 0 (the default
  // since 0.18.0): by the image's size, 13 (9 in 0.18-0.20) for images of
  // kSmallImageBytes or more of samples and 11 (6 in 0.18-0.19) for smaller ones, where profile
  // 9's set-up of its tables is most of its time (a 64 x 64 photograph codes
  // in two thirds of the time, and about as small as with profile 9;
  // bench/RESULTS.md "Small images", "Images — profile 11").
  int image_profile = 0;
  // The mixer profile for audio rebuilt into its signal (compress only;
  // since 0.12.0): 8, profile 4 plus a least-squares cascade per channel
  // and weight sets chosen by the best predictor (about 3% smaller, at half
  // its speed), or 4, the profile of mbz 0.5-0.11.
  int audio_profile = 8;
  // How many of a segment's first bytes the neural model drives, with the
  // context mixer (compress only; since 0.14.0): past them the mixer codes
  // alone, as with the model `none`, at several times the speed. The model
  // earns most where the mixer has learnt little (a file's first megabyte);
  // 0: every byte. A segment longer than this is a mixed segment with a
  // model prefix (block method 4, docs/FORMAT.md; files mbz 0.14 and later
  // read); ignored without a model or without mix.
  uint32_t model_prefix = 1u << 20;
  // Testing and benchmarking: code every segment with the model even where
  // zstd or stored would be smaller (never needed for normal use).
  bool force_model = false;
  // Compress, streams only: the input's size, where the caller knows it
  // before writing it (a regular file; since 0.24.0); 0: unknown. An input
  // shorter than one segment then gets its mixer's tables set up while the
  // model loads, on another thread, and the frame header declares its size
  // rounded up to a power of two as the segment size (docs/FORMAT.md
  // "Header"), so that a decompressor reading the header sets up its own
  // before the segment arrives: the header's bytes differ, the segments'
  // do not. A hint the first write() already exceeds is ignored; an input
  // that grows past a smaller one is coded in more segments (larger, never
  // wrong). compress() (one call) ignores it.
  uint64_t size_hint = 0;
  // Called after each group of segments with input and output bytes so far.
  std::function<void(uint64_t in_bytes, uint64_t out_bytes)> progress;

  // Modality adapters (compress only; since 0.2.0). An input an adapter
  // takes is read whole before coding (its samples are rearranged); anything
  // else streams in bounded memory as before. See mbz(1), ADAPTERS.
  std::string adapter = "auto";  // "auto", "bytes", "pcm" or "image"
  std::string raw_pcm;           // headerless PCM, "RATE:CHANNELS:FORMAT" (e.g. "44100:2:s16le")
  std::string raw_image;         // headerless pixels, "WIDTHxHEIGHTxCHANNELS[:16|:16be]"
  std::string layout;            // sample layout; empty: the adapter's measured default
  bool media = false;            // FLAC/PNG/GIF: code the decoded samples/pixels; decompression
                                 // writes FLAC/PNG with identical samples/pixels, not identical bytes
  // The model for a frame an adapter made, by modality ("audio", "image");
  // unset, or returning null: the model the Compressor was given. The frame
  // records which model coded it, so decompression needs no such setting.
  std::function<std::shared_ptr<const class Model>(const std::string& modality)> modality_model;
};

/*! Stats : what a call did. */
struct Stats {
  uint64_t in_bytes = 0;
  uint64_t out_bytes = 0;
  uint64_t segments_stored = 0;
  uint64_t segments_zstd = 0;
  uint64_t segments_model = 0;    // model-coded, plain or through the mixer
  uint64_t segments_mixed = 0;    // of those, through the context mixer (since 0.3.0)
  uint64_t segments_model_prefix = 0;  // of those, with the model over a prefix only (since 0.14.0)
  double model_ideal_bits = 0;     // ideal code length of model-coded segments (compress)
  uint64_t model_coded_bytes = 0;  // their actual coded size, block headers excluded (compress)
  // Adapter of the (last) frame: 0 bytes, 1 pcm, 2 image, and what it found,
  // e.g. "pcm: WAV, 16-bit, 2 ch, 44100 Hz, 12.3 s, layout delta2" (since 0.2.0).
  uint8_t adapter = 0;
  std::string adapter_description;
  // compress: why an adapter that was asked for (--adapter, --raw-*, --media) did not take the input.
  std::string adapter_declined;
  // decompress: the output holds the same samples/pixels as the original, not its bytes (--media).
  bool samples_only = false;
};

/*! compress_stream() : compresses all of `in` into one .mbz frame on `out`,
 *  reading and writing in bounded pieces. */
Stats compress_stream(std::istream& in, std::ostream& out, const Model& model, const Options& opts);

/*! ModelResolver : maps a (name, sha256_hex) recorded in a frame to a model. */
using ModelResolver = std::function<std::shared_ptr<const Model>(const std::string& name, const std::string& sha256_hex)>;

/*! default_model_resolver() : find_model() on the search path. */
ModelResolver default_model_resolver();

/*! decompress_stream() : decodes one .mbz frame from `in` to `out`, verifying
 *  every checksum. With out == nullptr it only verifies (mbz test). The model
 *  is resolved only if a segment needs it. */
Stats decompress_stream(std::istream& in, std::ostream* out, const ModelResolver& resolve, const Options& opts);

/*! Compressor : streaming compression into one .mbz frame (since 0.1.0).
 *  Input may arrive in pieces of any size; output is appended as segments
 *  complete. Memory stays bounded (a small group of segments) whatever the
 *  total size, except for input a modality adapter takes (Options::adapter),
 *  which is held whole until finish(). The output does not depend on how the
 *  input was cut.
 *  The model must outlive the compressor. */
class Compressor {
 public:
  Compressor(const Model& model, const Options& opts);
  ~Compressor();
  /*! write() : takes `size` bytes of input; appends compressed bytes to `out`. */
  void write(const uint8_t* data, size_t size, std::vector<uint8_t>& out);
  /*! finish() : compresses what is buffered and ends the frame. No write() after it. */
  void finish(std::vector<uint8_t>& out);
  const Stats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/*! Decompressor : streaming decompression of one or more concatenated frames
 *  (since 0.1.0). Decoded bytes are appended only after their segment's
 *  checksum is verified; memory stays bounded by a small group of segments. */
class Decompressor {
 public:
  Decompressor(ModelResolver resolve, const Options& opts);
  ~Decompressor();
  /*! write() : takes `size` bytes of .mbz input; appends verified output to `out`. */
  void write(const uint8_t* data, size_t size, std::vector<uint8_t>& out);
  /*! prepare() : a hint that the caller is about to wait for more input (a
   *  pipe, a socket; since 0.9.1). If a frame header has been read and the
   *  frame's first segment has not all arrived, the frame's model is loaded
   *  now and the segment's mixer set up on another thread, so that decoding
   *  starts as soon as it is here (Compressor writes the header before it
   *  codes). Changes no output; an error (a model not found) is reported as
   *  without it, by the segment that needs the model. */
  void prepare();
  /*! finish() : decodes what is buffered; throws Error(truncated) if the
   *  input stopped inside a frame, Error(not_mbz) if it held no frame. */
  void finish(std::vector<uint8_t>& out);
  const Stats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/*! FrameInfo : what `mbz list` shows. */
struct FrameInfo {
  uint16_t format_version = 0;
  std::string model_name;
  std::string model_sha256_hex;
  uint8_t adapter = 0;
  std::string adapter_name;
  std::string adapter_description;  // e.g. "image: PNM, 768x512, RGB, 8-bit, layout med" (since 0.2.0)
  uint32_t segment_size = 0;
  uint64_t original_size = 0;
  uint64_t compressed_size = 0;
  uint64_t segments_stored = 0, segments_zstd = 0, segments_model = 0;
  uint64_t segments_mixed = 0;  // of segments_model: through the context mixer (since 0.3.0)
  uint64_t segments_model_prefix = 0;  // of segments_mixed: with the model over a prefix only (since 0.14.0)
  uint64_t checksum = 0;  // XXH64 of the original
  /* The optional features a decoder needs for this frame, as its header
   * declares them: e.g. "mixer profile 4"; "" if none (no mixed segments),
   * and for format version 1, which declares nothing (since 0.8.0). */
  std::string required_features;
};

/*! inspect_stream() : reads a frame's headers (skipping coded data) and returns them. */
FrameInfo inspect_stream(std::istream& in);

/*! evaluate() : the model's ideal code length of `data` in bits, coding it in
 *  segments of opts.segment_size as compression would (no coder, no
 *  fallback): bits / size is the model's bits-per-byte (since 0.1.0). */
double evaluate(const uint8_t* data, size_t size, const Model& model, const Options& opts);

/*! evaluate_costs() : like evaluate(), but the ideal code length of every
 *  byte: costs[i] = -log2 p(data[i] | the bytes before it in its segment),
 *  in bits; their sum is evaluate()'s result (since 0.2.0). */
std::vector<float> evaluate_costs(const uint8_t* data, size_t size, const Model& model, const Options& opts);

/*! compress() / decompress() : one-shot buffer versions of the above. */
std::vector<uint8_t> compress(const uint8_t* data, size_t size, const Model& model, const Options& opts);
std::vector<uint8_t> decompress(const uint8_t* data, size_t size, const ModelResolver& resolve, const Options& opts);

}  // namespace mbz
