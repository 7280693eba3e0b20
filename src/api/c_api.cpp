// The C ABI (include/mbz/mbz.h) over the C++ API. Every entry point catches
// everything: no exception crosses into C.
#include "mbz/mbz.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "api/c_params.hpp"
#include "mbz/mbz.hpp"

struct mbz_model {
  std::shared_ptr<const mbz::Model> model;
  std::string sha;
};
struct mbz_cstream {
  std::shared_ptr<const mbz::Model> keep;  // a model the stream chose (the level's): outlives c
  mbz::Compressor c;
};
struct mbz_dstream {
  mbz::Decompressor d;
};

namespace {

thread_local std::string t_last_error;

mbz_status fail(mbz_status s, const std::string& msg) {
  t_last_error = msg;
  return s;
}

// Runs f, turning every exception into a status and the thread's message.
template <class F>
mbz_status guarded(F&& f) {
  try {
    f();
    t_last_error.clear();
    return MBZ_OK;
  } catch (const mbz::Error& e) {
    return fail(static_cast<mbz_status>(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return fail(MBZ_ERROR_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return fail(MBZ_ERROR_INTERNAL, std::string("unexpected error: ") + e.what());
  } catch (...) {
    return fail(MBZ_ERROR_INTERNAL, "unexpected error");
  }
}

mbz::Options to_options(const mbz_options* o) {
  mbz::Options r;
  if (o) {
    r.threads = o->threads;
    r.segment_size = o->segment_size;
    r.device = o->device ? o->device : "auto";
    r.force_model = o->force_model != 0;
    r.mix = o->no_mix == 0;
  }
  return r;
}

mbz::ModelResolver resolver_for(const mbz_model* m) {
  auto fallback = mbz::default_model_resolver();
  std::shared_ptr<const mbz::Model> given = m ? m->model : nullptr;
  return [given, fallback](const std::string& name, const std::string& sha) {
    if (given && given->sha256_hex() == sha) return given;
    return fallback(name, sha);
  };
}

mbz_status to_buffer(const std::vector<uint8_t>& v, void** dst, size_t* dst_size) {
  void* p = std::malloc(v.empty() ? 1 : v.size());
  if (!p) return fail(MBZ_ERROR_INTERNAL, "out of memory");
  if (!v.empty()) std::memcpy(p, v.data(), v.size());
  *dst = p;
  *dst_size = v.size();
  return MBZ_OK;
}

void send(const std::vector<uint8_t>& out, mbz_sink sink, void* user) {
  if (!out.empty() && sink(user, out.data(), out.size()) != 0)
    throw mbz::Error(mbz::ErrorCode::io, "the output sink reported an error");
}

// Sets *model to a handle on what load() returns (null on failure).
template <class Load>
mbz_status hand_out(mbz_model** model, Load load) {
  *model = nullptr;
  return guarded([&] {
    auto m = std::make_unique<mbz_model>();
    m->model = load();
    m->sha = m->model->sha256_hex();
    *model = m.release();
  });
}

#define MBZ_REQUIRE(cond, what) \
  if (!(cond)) return fail(MBZ_ERROR_INVALID_ARGUMENT, what)

}  // namespace

extern "C" {

const char* mbz_status_name(mbz_status s) { return mbz::error_code_name(static_cast<mbz::ErrorCode>(s)); }
const char* mbz_last_error(void) { return t_last_error.c_str(); }
const char* mbz_version_string(void) { return mbz::version_string(); }

void mbz_options_init(mbz_options* o) {
  if (!o) return;
  o->threads = 1;
  o->segment_size = 1u << 20;
  o->device = "auto";
  o->force_model = 0;
  o->no_mix = 0;
}

mbz_status mbz_model_load(const char* path, mbz_model** model) {
  MBZ_REQUIRE(path && model, "mbz_model_load: NULL argument");
  return hand_out(model, [&] { return mbz::Model::load(path); });
}

mbz_status mbz_model_load_default(mbz_model** model) {
  MBZ_REQUIRE(model, "mbz_model_load_default: NULL argument");
  return hand_out(model, [&] { return mbz::Model::load_default(); });
}

mbz_status mbz_model_none(mbz_model** model) {
  MBZ_REQUIRE(model, "mbz_model_none: NULL argument");
  return hand_out(model, [&] { return mbz::Model::none(); });
}

void mbz_model_free(mbz_model* model) { delete model; }
const char* mbz_model_name(const mbz_model* m) { return m ? m->model->name().c_str() : ""; }
const char* mbz_model_sha256(const mbz_model* m) { return m ? m->sha.c_str() : ""; }

mbz_status mbz_compress(const mbz_model* model, const void* src, size_t size, const mbz_options* options, void** dst,
                        size_t* dst_size) {
  MBZ_REQUIRE(model && (src || size == 0) && dst && dst_size, "mbz_compress: NULL argument");
  std::vector<uint8_t> out;
  const mbz_status s = guarded([&] {
    out = mbz::compress(static_cast<const uint8_t*>(src), size, *model->model, to_options(options));
  });
  return s == MBZ_OK ? to_buffer(out, dst, dst_size) : s;
}

mbz_status mbz_decompress(const mbz_model* model, const void* src, size_t size, const mbz_options* options, void** dst,
                          size_t* dst_size) {
  MBZ_REQUIRE((src || size == 0) && dst && dst_size, "mbz_decompress: NULL argument");
  std::vector<uint8_t> out;
  const mbz_status s = guarded([&] {
    out = mbz::decompress(static_cast<const uint8_t*>(src), size, resolver_for(model), to_options(options));
  });
  return s == MBZ_OK ? to_buffer(out, dst, dst_size) : s;
}

void mbz_free(void* buffer) { std::free(buffer); }

mbz_status mbz_evaluate(const mbz_model* model, const void* src, size_t size, const mbz_options* options, double* bits) {
  MBZ_REQUIRE(model && (src || size == 0) && bits, "mbz_evaluate: NULL argument");
  return guarded([&] { *bits = mbz::evaluate(static_cast<const uint8_t*>(src), size, *model->model, to_options(options)); });
}

mbz_status mbz_cstream_create(const mbz_model* model, const mbz_options* options, mbz_cstream** stream) {
  MBZ_REQUIRE(model && stream, "mbz_cstream_create: NULL argument");
  *stream = nullptr;
  return guarded([&] { *stream = new mbz_cstream{nullptr, mbz::Compressor(*model->model, to_options(options))}; });
}

mbz_status mbz_cstream_write(mbz_cstream* s, const void* src, size_t size, mbz_sink sink, void* user) {
  MBZ_REQUIRE(s && (src || size == 0) && sink, "mbz_cstream_write: NULL argument");
  return guarded([&] {
    std::vector<uint8_t> out;
    s->c.write(static_cast<const uint8_t*>(src), size, out);
    send(out, sink, user);
  });
}

mbz_status mbz_cstream_finish(mbz_cstream* s, mbz_sink sink, void* user) {
  MBZ_REQUIRE(s && sink, "mbz_cstream_finish: NULL argument");
  return guarded([&] {
    std::vector<uint8_t> out;
    s->c.finish(out);
    send(out, sink, user);
  });
}

void mbz_cstream_free(mbz_cstream* s) { delete s; }

mbz_status mbz_dstream_create(const mbz_model* model, const mbz_options* options, mbz_dstream** stream) {
  MBZ_REQUIRE(stream, "mbz_dstream_create: NULL argument");
  *stream = nullptr;
  return guarded([&] { *stream = new mbz_dstream{mbz::Decompressor(resolver_for(model), to_options(options))}; });
}

mbz_status mbz_dstream_write(mbz_dstream* s, const void* src, size_t size, mbz_sink sink, void* user) {
  MBZ_REQUIRE(s && (src || size == 0) && sink, "mbz_dstream_write: NULL argument");
  return guarded([&] {
    std::vector<uint8_t> out;
    s->d.write(static_cast<const uint8_t*>(src), size, out);
    send(out, sink, user);
  });
}

mbz_status mbz_dstream_prepare(mbz_dstream* s) {
  MBZ_REQUIRE(s, "mbz_dstream_prepare: NULL argument");
  return guarded([&] { s->d.prepare(); });
}

mbz_status mbz_dstream_finish(mbz_dstream* s, mbz_sink sink, void* user) {
  MBZ_REQUIRE(s && sink, "mbz_dstream_finish: NULL argument");
  return guarded([&] {
    std::vector<uint8_t> out;
    s->d.finish(out);
    send(out, sink, user);
  });
}

void mbz_dstream_free(mbz_dstream* s) { delete s; }

mbz_status mbz_params_create(mbz_params** params) {
  MBZ_REQUIRE(params, "mbz_params_create: NULL argument");
  *params = nullptr;
  return guarded([&] { *params = new mbz_params; });
}

mbz_status mbz_params_set(mbz_params* params, const char* name, const char* value) {
  MBZ_REQUIRE(params && name && value, "mbz_params_set: NULL argument");
  return guarded([&] { mbz::set_param(*params, name, value); });
}

void mbz_params_free(mbz_params* params) { delete params; }

mbz_status mbz_compress_with(const mbz_model* model, const void* src, size_t size, const mbz_params* params, void** dst,
                             size_t* dst_size) {
  MBZ_REQUIRE((src || size == 0) && dst && dst_size, "mbz_compress_with: NULL argument");
  std::vector<uint8_t> out;
  const mbz_status s = guarded([&] {
    const mbz::CompressSetup c = mbz::compress_setup(model ? model->model : nullptr, params);
    out = mbz::compress(static_cast<const uint8_t*>(src), size, *c.model, c.opts);
  });
  return s == MBZ_OK ? to_buffer(out, dst, dst_size) : s;
}

mbz_status mbz_decompress_with(const mbz_model* model, const void* src, size_t size, const mbz_params* params, void** dst,
                               size_t* dst_size) {
  MBZ_REQUIRE((src || size == 0) && dst && dst_size, "mbz_decompress_with: NULL argument");
  std::vector<uint8_t> out;
  const mbz_status s = guarded([&] {
    out = mbz::decompress(static_cast<const uint8_t*>(src), size, resolver_for(model), params ? params->opts : mbz::Options{});
  });
  return s == MBZ_OK ? to_buffer(out, dst, dst_size) : s;
}

mbz_status mbz_cstream_create_with(const mbz_model* model, const mbz_params* params, mbz_cstream** stream) {
  MBZ_REQUIRE(stream, "mbz_cstream_create_with: NULL argument");
  *stream = nullptr;
  return guarded([&] {
    mbz::CompressSetup c = mbz::compress_setup(model ? model->model : nullptr, params);
    *stream = new mbz_cstream{c.model, mbz::Compressor(*c.model, c.opts)};
  });
}

mbz_status mbz_dstream_create_with(const mbz_model* model, const mbz_params* params, mbz_dstream** stream) {
  MBZ_REQUIRE(stream, "mbz_dstream_create_with: NULL argument");
  *stream = nullptr;
  return guarded([&] {
    *stream = new mbz_dstream{mbz::Decompressor(resolver_for(model), params ? params->opts : mbz::Options{})};
  });
}

}  // extern "C"
