// One file through `mbz eval` (evaluator.hpp).
#include "eval/evaluator.hpp"

#include <lzma.h>
#include <zstd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>

#include "api/stream_io.hpp"
#include "codecs/adapter.hpp"
#include "eval/surprisal.hpp"

namespace mbz::eval {

namespace {

uint64_t zstd_size(const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out(ZSTD_compressBound(data.size()));
  const size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 19);
  if (ZSTD_isError(n)) throw Error(ErrorCode::internal, std::string("zstd: ") + ZSTD_getErrorName(n));
  return n;
}

uint64_t xz_size(const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out(lzma_stream_buffer_bound(data.size()));
  size_t pos = 0;
  const lzma_ret r = lzma_easy_buffer_encode(9 | LZMA_PRESET_EXTREME, LZMA_CHECK_CRC64, nullptr, data.data(), data.size(),
                                             out.data(), &pos, out.size());
  if (r != LZMA_OK) throw Error(ErrorCode::internal, "xz: encoding failed (" + std::to_string(r) + ")");
  return pos;
}

std::string picture_stem(size_t index, const std::string& path) {
  std::string base = path.substr(path.find_last_of('/') + 1);
  for (char& c : base)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  char num[16];
  std::snprintf(num, sizeof num, "%04zu-", index);
  return num + base;
}

}  // namespace

Evaluator::Evaluator(EvalSettings s) : s_(std::move(s)), modality_models_(default_modality_models()) {}

std::shared_ptr<const Model> Evaluator::model_for(const std::string& modality) {
  if (s_.model) return s_.model;
  if (modality != "text")
    if (auto m = modality_models_(modality)) return m;
  if (!text_model_) text_model_ = Model::load_default();
  return text_model_;
}

FileRecord Evaluator::run(const std::string& path, size_t index, const std::function<void(uint64_t)>& progress) {
  FileRecord r;
  r.path = path;
  picture_.clear();
  std::vector<uint8_t> data;
  try {
    std::ifstream f(path, std::ios::binary);
    if (f) data.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    if (!f && !f.eof()) throw std::runtime_error("read failed");
  } catch (const std::exception&) {  // libstdc++ reports some read errors by throwing
    r.error = "cannot read";
    return r;
  }
  try {
    const auto t0 = std::chrono::steady_clock::now();
    codecs::Flattened flat;
    const bool adapted = codecs::flatten(data.data(), data.size(), codecs::adapter_options(s_.opts), flat, nullptr);
    const std::vector<uint8_t>& payload = adapted ? flat.payload : data;
    r.adapter = codecs::adapter_name(adapted ? flat.adapter : 0);
    r.modality = codecs::modality_of(adapted ? flat.adapter : 0);
    const std::shared_ptr<const Model> model = model_for(r.modality);
    r.model = model->name();
    r.bytes = data.size();
    // --share runs the payload three times; the progress bar shows them as one.
    const int passes = s_.share ? 3 : 1;
    // The ideal code length under (coder, opts), pass `pass` of `passes`:
    // a few segments per call, so the progress bar moves and memory stays bounded.
    const auto ideal = [&](const Model& coder, const Options& opts, int pass, std::vector<float>* keep) {
      const size_t chunk = size_t{8} * opts.segment_size * static_cast<size_t>(std::max(1, opts.threads));
      double bits = 0;
      for (size_t at = 0; at < payload.size(); at += chunk) {
        const auto part = payload_costs(payload.data() + at, std::min(chunk, payload.size() - at), coder, opts,
                                        mix_plan(opts, !coder.is_none(), flat.shape, at, payload.size()));
        for (float c : part) bits += c;
        if (keep) keep->insert(keep->end(), part.begin(), part.end());
        if (progress) progress((static_cast<uint64_t>(pass) * payload.size() + at + part.size()) / passes);
      }
      return std::round(bits * 1000) / 1000;  // as reports print it, so merged shards add up to the same totals
    };
    std::vector<float> costs;
    costs.reserve(payload.size());
    r.bits = ideal(*model, s_.opts, 0, &costs);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();  // this pass only
    if (s_.share) {
      Options alone = s_.opts;
      r.mixer_bits = ideal(*Model::none(), alone, 1, nullptr);
      alone.mix = false;
      r.model_bits = ideal(*model, alone, 2, nullptr);
    }
    if (s_.coded) {
      Options o = s_.opts;
      if (!s_.model) o.modality_model = modality_models_;
      r.coded_bytes = compress(data.data(), data.size(), s_.model ? *s_.model : *model_for("text"), o).size();
    }
    if (s_.zstd) r.zstd_bytes = zstd_size(data);
    if (s_.xz) r.xz_bytes = xz_size(data);
    if (!s_.surprisal_dir.empty()) {
      SurprisalInput in{path, adapted ? flat.adapter : uint8_t{0}, flat.side_info, &payload, &costs};
      picture_ = write_surprisal(s_.surprisal_dir, picture_stem(index, path), in);
    }
  } catch (const Error& e) {
    if (e.code() == ErrorCode::unknown_model || e.code() == ErrorCode::bad_model || e.code() == ErrorCode::invalid_argument ||
        e.code() == ErrorCode::device_unavailable)
      throw;  // a problem of the run, not of this file
    r.error = e.what();
  }
  return r;
}

}  // namespace mbz::eval
