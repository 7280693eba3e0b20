/* mbz.h — the mbz C API (since 0.1.0).
 *
 * Lossless compression with an integer MEGABYTE byte model, for callers in C
 * and through FFI (Python ctypes, Go, Java). Every function returns an
 * mbz_status; on failure, mbz_last_error() gives a one-line message for the
 * calling thread. No C++ exception ever crosses this interface.
 *
 * How to:
 *   mbz_model* m;  mbz_options o;  void* z;  size_t zn;
 *   mbz_options_init(&o);
 *   if (mbz_model_load_default(&m) != MBZ_OK) { puts(mbz_last_error()); ... }
 *   if (mbz_compress(m, data, n, &o, &z, &zn) == MBZ_OK) { ...; mbz_free(z); }
 *   mbz_model_free(m);
 * A model is immutable once loaded: share one among threads.
 * Every function here appeared in 0.1.0 unless marked otherwise.
 */
#ifndef MBZ_H
#define MBZ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*! mbz_status : result of every call; the numbers never change meaning. */
typedef enum {
  MBZ_OK = 0,
  MBZ_ERROR_IO = 1,                  /* reading or writing failed */
  MBZ_ERROR_NOT_MBZ = 2,             /* input is not an .mbz frame */
  MBZ_ERROR_UNSUPPORTED_VERSION = 3, /* newer format or model version */
  MBZ_ERROR_TRUNCATED = 4,           /* input ended inside a frame */
  MBZ_ERROR_CORRUPT = 5,             /* a header or table is damaged */
  MBZ_ERROR_CHECKSUM_MISMATCH = 6,   /* decoded data fails its checksum */
  MBZ_ERROR_UNKNOWN_MODEL = 7,       /* the model a frame needs is not found */
  MBZ_ERROR_BAD_MODEL = 8,           /* a model file is malformed */
  MBZ_ERROR_DEVICE_UNAVAILABLE = 9,  /* e.g. CUDA requested, not available */
  MBZ_ERROR_INVALID_ARGUMENT = 10,   /* a NULL pointer or out-of-range option */
  MBZ_ERROR_INTERNAL = 11            /* a bug: please report it */
} mbz_status;

/*! mbz_status_name() : a short stable name, e.g. "checksum_mismatch". */
const char* mbz_status_name(mbz_status status);

/*! mbz_last_error() : message of the calling thread's last failed call ("" if none). */
const char* mbz_last_error(void);

/*! mbz_version_string() : the library version, e.g. "0.1.0". */
const char* mbz_version_string(void);

typedef struct mbz_model mbz_model;

/*! mbz_options : see mbz_options_init() for the defaults. */
typedef struct {
  int threads;           /* worker threads, >= 1 (default 1); never changes the output */
  uint32_t segment_size; /* bytes per independent segment, 1 KiB..16 MiB (default 1048576) */
  const char* device;    /* "auto" (default), "cpu" or "cuda" */
  int force_model;       /* testing/benchmarks: model-code every segment (default 0) */
  int no_mix;            /* 1: the model alone, without the context mixer; files mbz 0.2 reads (default 0; since 0.3.0) */
} mbz_options;

/*! mbz_options_init() : fills in the defaults. */
void mbz_options_init(mbz_options* options);

/*! mbz_model_load() : loads and validates a model file; free with mbz_model_free(). */
mbz_status mbz_model_load(const char* path, mbz_model** model);

/*! mbz_model_load_default() : the default model from the model search path
 *  ($MBZ_MODEL_PATH, then the installed models). */
mbz_status mbz_model_load_default(mbz_model** model);

/*! mbz_model_none() : no neural model: compressing with it codes every
 *  segment with the context mixer alone (mbz -m none, level 1; about ten
 *  times faster, a few percent larger on text). Its frames decode without
 *  any model file. Free with mbz_model_free() (since 0.7.0). */
mbz_status mbz_model_none(mbz_model** model);

/*! mbz_model_free() : releases a model (NULL is allowed). */
void mbz_model_free(mbz_model* model);

/*! mbz_model_name(), mbz_model_sha256() : name, and SHA-256 as 64 hex digits;
 *  valid as long as the model. */
const char* mbz_model_name(const mbz_model* model);
const char* mbz_model_sha256(const mbz_model* model);

/*! mbz_compress() : compresses src[0..size) into a new buffer *dst of *dst_size
 *  bytes (free it with mbz_free()). options may be NULL for the defaults. */
mbz_status mbz_compress(const mbz_model* model, const void* src, size_t size, const mbz_options* options,
                        void** dst, size_t* dst_size);

/*! mbz_decompress() : decodes a .mbz buffer. `model` (may be NULL) is used
 *  when its SHA-256 is the one the frame needs; otherwise the model search
 *  path is searched. */
mbz_status mbz_decompress(const mbz_model* model, const void* src, size_t size, const mbz_options* options,
                          void** dst, size_t* dst_size);

/*! mbz_free() : frees a buffer returned by this library (NULL is allowed). */
void mbz_free(void* buffer);

/*! mbz_evaluate() : the model's ideal code length of src in bits (bits/size = bits per byte). */
mbz_status mbz_evaluate(const mbz_model* model, const void* src, size_t size, const mbz_options* options,
                        double* bits);

/* Parameter sets (since 0.8.0): every setting of the C++ API, set by name,
 * so that settings added later change no struct's size. Create one, set
 * what differs from the defaults, pass it to the *_with functions (NULL:
 * the defaults), free it. A set is read, never changed, by those calls:
 * share one among threads once set.
 *
 *   name          value                                   default
 *   threads       1..1024 (never changes the output)      1
 *   level         1..9, as mbz -1 .. -9: segment size,    6
 *                 mixer profiles, model prefix, and with no model given,
 *                 the mixer alone (1-5) or the default
 *                 model (6-9)
 *   segment_size  bytes, 1024..16777216                   the level's
 *   byte_profile  0, 1, 5, 7, 10, 12 or 14: the mixer     the level's
 *                 profile for bytes (since 0.9; 1: files     (levels 3-9:
 *                 mbz 0.3-0.8 read; 7 since 0.11:            0, by the
 *                 structure contexts; 10 since 0.16: four    model: 12 with
 *                 more contexts; 12 since 0.20: 10 with a    one, 14
 *                 weight prior; 14 since 0.21: the same      without)
 *                 without a model; 0 since 0.21: 12 or 14
 *                 by the model)
 *   image_profile 3, 6, 9, 11 or 13: the mixer profile    the level's
 *                 for images (since 0.10; 3: files mbz      (levels 3-6:
 *                 0.4-0.9 read, 6: files mbz 0.10-0.12      13, and 11 for
 *                 read; 9 since 0.13: files mbz 0.13-0.20   images under
 *                 read; 11 since 0.20: 6 with a weight      32 KiB)
 *                 prior, for small images; 13 since 0.21:
 *                 9 with a weight prior)
 *   audio_profile 4 or 8: the mixer profile for audio     the level's
 *                 (since 0.12; 4: files mbz 0.5-0.11 read)
 *   model_prefix  bytes, 0..16777216: with the model, a   the level's
 *                 segment's first bytes it drives, the
 *                 mixer alone after them (0: all; since
 *                 0.14; a prefix shorter than the segment
 *                 size: files mbz 0.14 and later read)
 *   device        auto, cpu, cuda                         auto
 *   mix           0: the model alone (mbz --no-mix)       1
 *   force_model   1: model-code every segment (tests)     0
 *   adapter       auto, bytes, pcm, image                 auto
 *   layout        a sample layout (mbz(1), ADAPTERS)      the adapter's
 *   raw_pcm       headerless PCM, RATE:CHANNELS:FORMAT    none
 *   raw_image     headerless pixels, WxHxC[:16|:16be]     none
 *   media         1: FLAC/PNG/GIF as samples/pixels       0
 *   size_hint     bytes, 0..2^62: a stream's input size   0 (unknown)
 *                 where known before it is written (since
 *                 0.24; C++ Options::size_hint, which says
 *                 more): an input under one segment is
 *                 declared with its size rounded up to a
 *                 power of two as the frame's segment size,
 *                 and its mixer tables are set up while the
 *                 model loads; one-shot calls ignore it
 *
 * A model given to mbz_compress_with or mbz_cstream_create_with codes every
 * frame (as mbz -m); NULL means the level's choice, as mbz without -m: bytes
 * with the default model or the mixer alone, audio and images with the mixer
 * alone (with mix 0: with each modality's default model). */
typedef struct mbz_params mbz_params;
/*! mbz_params_create() : a set holding the defaults; free with mbz_params_free(). */
mbz_status mbz_params_create(mbz_params** params);
/*! mbz_params_set() : MBZ_ERROR_INVALID_ARGUMENT for an unknown name or a bad value
 *  (layouts and raw formats are checked when a compression starts). */
mbz_status mbz_params_set(mbz_params* params, const char* name, const char* value);
void mbz_params_free(mbz_params* params);
/*! The calls above with a parameter set instead of mbz_options. */
mbz_status mbz_compress_with(const mbz_model* model, const void* src, size_t size, const mbz_params* params,
                             void** dst, size_t* dst_size);
mbz_status mbz_decompress_with(const mbz_model* model, const void* src, size_t size, const mbz_params* params,
                               void** dst, size_t* dst_size);

/* Streaming. Output is handed to a sink as it is produced; a sink returns 0
 * on success, nonzero to abort the call with MBZ_ERROR_IO. Memory stays
 * bounded by a few segments whatever the stream's length. */
typedef int (*mbz_sink)(void* user, const void* data, size_t size);
typedef struct mbz_cstream mbz_cstream;
typedef struct mbz_dstream mbz_dstream;

/*! mbz_cstream_create() : a compression stream writing one frame. The model must outlive it. */
mbz_status mbz_cstream_create(const mbz_model* model, const mbz_options* options, mbz_cstream** stream);
/*! mbz_cstream_write() : feeds input; complete segments go to the sink.
 *  Input that starts like audio or an image (WAV, PNM, ...) is held whole
 *  until mbz_cstream_finish(), which hands it to the modality adapter. */
mbz_status mbz_cstream_write(mbz_cstream* stream, const void* src, size_t size, mbz_sink sink, void* user);
/*! mbz_cstream_finish() : ends the frame. No write after it. */
mbz_status mbz_cstream_finish(mbz_cstream* stream, mbz_sink sink, void* user);
void mbz_cstream_free(mbz_cstream* stream);

/*! mbz_dstream_create() : a decompression stream; model may be NULL (search path). */
mbz_status mbz_dstream_create(const mbz_model* model, const mbz_options* options, mbz_dstream** stream);
/*! mbz_dstream_write() : feeds .mbz input; verified output goes to the sink. */
mbz_status mbz_dstream_write(mbz_dstream* stream, const void* src, size_t size, mbz_sink sink, void* user);
/*! mbz_dstream_prepare() : a hint before waiting for more input (a pipe;
 *  since 0.9.1): loads the frame's model and sets up its first segment's
 *  mixer meanwhile, if a frame header has come and that segment has not.
 *  Changes no output; a model not found is reported by the write that needs it. */
mbz_status mbz_dstream_prepare(mbz_dstream* stream);
/*! mbz_dstream_finish() : MBZ_ERROR_TRUNCATED if the input stopped inside a frame. */
mbz_status mbz_dstream_finish(mbz_dstream* stream, mbz_sink sink, void* user);
void mbz_dstream_free(mbz_dstream* stream);
/*! Streams with a parameter set (since 0.8.0); model as for mbz_compress_with
 *  (NULL: the level's) and mbz_dstream_create. The set may be freed after. */
mbz_status mbz_cstream_create_with(const mbz_model* model, const mbz_params* params, mbz_cstream** stream);
mbz_status mbz_dstream_create_with(const mbz_model* model, const mbz_params* params, mbz_dstream** stream);

#ifdef __cplusplus
}
#endif

#endif /* MBZ_H */
