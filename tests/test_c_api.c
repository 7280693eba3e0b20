/* The C API from C: round trips, streaming, evaluate, and every error path.
 * Usage: test_c_api MODEL PRIVATE_MODEL TEXT_FILE (MBZ_MODEL_PATH must hold MODEL's directory). */
#include "mbz/mbz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed = 0, failed = 0;
#define CHECK(cond)                                                                              \
  do {                                                                                           \
    if (cond) ++passed;                                                                          \
    else {                                                                                       \
      ++failed;                                                                                  \
      fprintf(stderr, "FAIL %s:%d: %s (last error: %s)\n", __FILE__, __LINE__, #cond, mbz_last_error()); \
    }                                                                                            \
  } while (0)

typedef struct {
  unsigned char* p;
  size_t n, cap;
} buffer;

static int sink(void* user, const void* data, size_t n) {
  buffer* b = (buffer*)user;
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2;
    b->p = (unsigned char*)realloc(b->p, b->cap);
    if (!b->p) return 1;
  }
  memcpy(b->p + b->n, data, n);
  b->n += n;
  return 0;
}

static int failing_sink(void* user, const void* data, size_t n) {
  (void)user, (void)data, (void)n;
  return 1;
}

static unsigned char* read_file(const char* path, size_t* n) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *n = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char* p = (unsigned char*)malloc(*n ? *n : 1);
  if (fread(p, 1, *n, f) != *n) *n = 0;
  fclose(f);
  return p;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: test_c_api MODEL PRIVATE_MODEL TEXT_FILE\n");
    return 2;
  }
  size_t n = 0;
  unsigned char* text = read_file(argv[3], &n);
  CHECK(text != NULL && n > 5000);
  n = 5000;

  mbz_model* m = NULL;
  CHECK(mbz_model_load(argv[1], &m) == MBZ_OK);
  if (!m) return 1;
  CHECK(strlen(mbz_model_sha256(m)) == 64);
  CHECK(strlen(mbz_model_name(m)) > 0);
  mbz_options o;
  mbz_options_init(&o);
  o.segment_size = 1024;
  o.force_model = 1;

  /* one-shot round trip */
  void *z = NULL, *back = NULL;
  size_t zn = 0, bn = 0;
  CHECK(mbz_compress(m, text, n, &o, &z, &zn) == MBZ_OK);
  CHECK(mbz_decompress(m, z, zn, &o, &back, &bn) == MBZ_OK);
  CHECK(bn == n && memcmp(back, text, n) == 0);
  mbz_free(back);

  /* no_mix: the model alone, also a round trip, and a different (plain-coded) file */
  {
    mbz_options plain = o;
    plain.no_mix = 1;
    void* zp = NULL;
    size_t zpn = 0;
    CHECK(mbz_compress(m, text, n, &plain, &zp, &zpn) == MBZ_OK);
    CHECK(zpn != zn || memcmp(zp, z, zn) != 0);
    CHECK(mbz_decompress(m, zp, zpn, &plain, &back, &bn) == MBZ_OK);
    CHECK(bn == n && memcmp(back, text, n) == 0);
    mbz_free(back);
    mbz_free(zp);
  }

  /* no model: the mixer alone; decodes with no model given, and names model "none" */
  {
    mbz_model* none = NULL;
    CHECK(mbz_model_none(&none) == MBZ_OK);
    CHECK(strcmp(mbz_model_name(none), "none") == 0);
    void* zn2 = NULL;
    size_t zn2n = 0;
    CHECK(mbz_compress(none, text, n, &o, &zn2, &zn2n) == MBZ_OK);
    CHECK(zn2n != zn || memcmp(zn2, z, zn) != 0);
    CHECK(mbz_decompress(NULL, zn2, zn2n, &o, &back, &bn) == MBZ_OK);
    CHECK(bn == n && memcmp(back, text, n) == 0);
    mbz_free(back);
    mbz_free(zn2);
    mbz_model_free(none);
    CHECK(mbz_model_none(NULL) == MBZ_ERROR_INVALID_ARGUMENT);
  }

  /* streaming in 7-byte pieces equals one-shot; the decoder finds the model on the search path
     (and is told to prepare between pieces, as before waiting on a pipe) */
  buffer cz = {0}, cd = {0};
  mbz_cstream* cs = NULL;
  CHECK(mbz_cstream_create(m, &o, &cs) == MBZ_OK);
  for (size_t off = 0; off < n; off += 7) CHECK(mbz_cstream_write(cs, text + off, n - off < 7 ? n - off : 7, sink, &cz) == MBZ_OK);
  CHECK(mbz_cstream_finish(cs, sink, &cz) == MBZ_OK);
  mbz_cstream_free(cs);
  CHECK(cz.n == zn && memcmp(cz.p, z, zn) == 0);
  mbz_dstream* ds = NULL;
  CHECK(mbz_dstream_create(NULL, &o, &ds) == MBZ_OK);
  for (size_t off = 0; off < zn; off += 7) {
    CHECK(mbz_dstream_write(ds, (unsigned char*)z + off, zn - off < 7 ? zn - off : 7, sink, &cd) == MBZ_OK);
    CHECK(mbz_dstream_prepare(ds) == MBZ_OK);
  }
  CHECK(mbz_dstream_prepare(NULL) == MBZ_ERROR_INVALID_ARGUMENT);
  CHECK(mbz_dstream_finish(ds, sink, &cd) == MBZ_OK);
  mbz_dstream_free(ds);
  CHECK(cd.n == n && memcmp(cd.p, text, n) == 0);

  /* parameter sets (0.8.0): the same settings give the same bytes */
  {
    mbz_params* p = NULL;
    CHECK(mbz_params_create(&p) == MBZ_OK && p != NULL);
    CHECK(mbz_params_set(p, "segment_size", "1024") == MBZ_OK);
    CHECK(mbz_params_set(p, "force_model", "1") == MBZ_OK);
    void* zp = NULL;
    size_t zpn = 0;
    CHECK(mbz_compress_with(m, text, n, p, &zp, &zpn) == MBZ_OK);
    CHECK(zpn == zn && memcmp(zp, z, zn) == 0);
    mbz_free(zp);
    /* a stream with a set, and the set freed before the stream is used */
    mbz_cstream* cs = NULL;
    CHECK(mbz_cstream_create_with(m, p, &cs) == MBZ_OK);
    mbz_params_free(p);
    buffer cz = {0};
    CHECK(mbz_cstream_write(cs, text, n, sink, &cz) == MBZ_OK && mbz_cstream_finish(cs, sink, &cz) == MBZ_OK);
    mbz_cstream_free(cs);
    CHECK(cz.n == zn && memcmp(cz.p, z, zn) == 0);
    free(cz.p);

    /* level 1 with no model: the mixer alone, as `mbz -1` (decodes with no model file) */
    CHECK(mbz_params_create(&p) == MBZ_OK);
    CHECK(mbz_params_set(p, "level", "1") == MBZ_OK);
    CHECK(mbz_params_set(p, "threads", "2") == MBZ_OK);
    CHECK(mbz_compress_with(NULL, text, n, p, &zp, &zpn) == MBZ_OK);
    CHECK(zpn > 13 && zp && ((unsigned char*)zp)[12] == 4 && memcmp((unsigned char*)zp + 13, "none", 4) == 0);
    CHECK(mbz_decompress_with(NULL, zp, zpn, p, &back, &bn) == MBZ_OK);
    CHECK(bn == n && memcmp(back, text, n) == 0);
    mbz_free(back);
    mbz_free(zp);
    mbz_dstream* ds = NULL;
    CHECK(mbz_dstream_create_with(NULL, p, &ds) == MBZ_OK);
    mbz_dstream_free(ds);

    /* an adapter by name: the text read as headerless 16-bit PCM */
    CHECK(mbz_params_set(p, "raw_pcm", "8000:1:s16le") == MBZ_OK);
    CHECK(mbz_compress_with(NULL, text, n, p, &zp, &zpn) == MBZ_OK);
    CHECK(zpn > 50 && ((unsigned char*)zp)[13 + 4 + 32] == 1); /* adapter byte after name and SHA-256: pcm */
    CHECK(mbz_decompress_with(NULL, zp, zpn, NULL, &back, &bn) == MBZ_OK);
    CHECK(bn == n && memcmp(back, text, n) == 0);
    mbz_free(back);
    mbz_free(zp);
    CHECK(mbz_params_set(p, "layout", "no-such-layout") == MBZ_OK); /* checked when compression starts */
    CHECK(mbz_compress_with(NULL, text, n, p, &zp, &zpn) == MBZ_ERROR_INVALID_ARGUMENT);

    /* size_hint (0.24.0): a stream told its input's size declares a segment
       size of that size rounded up to a power of two (header bytes 50-53 for
       the name "none" and no side information), and decodes as before */
    mbz_params_free(p);
    CHECK(mbz_params_create(&p) == MBZ_OK);
    CHECK(mbz_params_set(p, "level", "1") == MBZ_OK);
    CHECK(mbz_params_set(p, "size_hint", "3000") == MBZ_OK);
    CHECK(mbz_params_set(p, "size_hint", "-1") == MBZ_ERROR_INVALID_ARGUMENT);
    {
      mbz_cstream* hs = NULL;
      buffer hz = {NULL, 0, 0};
      CHECK(mbz_cstream_create_with(NULL, p, &hs) == MBZ_OK);
      CHECK(mbz_cstream_write(hs, text, 3000, sink, &hz) == MBZ_OK && mbz_cstream_finish(hs, sink, &hz) == MBZ_OK);
      mbz_cstream_free(hs);
      const unsigned char* h = (const unsigned char*)hz.p;
      CHECK(hz.n > 60 && (h[50 + 4] | h[51 + 4] << 8 | h[52 + 4] << 16 | (unsigned)h[53 + 4] << 24) == 4096u);
      CHECK(mbz_decompress_with(NULL, hz.p, hz.n, NULL, &back, &bn) == MBZ_OK);
      CHECK(bn == 3000 && memcmp(back, text, 3000) == 0);
      mbz_free(back);
      free(hz.p);
    }

    /* byte_profile (0.9.0): 1 writes the profile of mbz 0.3-0.8, as the header's features say */
    mbz_params_free(p);
    CHECK(mbz_params_create(&p) == MBZ_OK);
    CHECK(mbz_params_set(p, "level", "1") == MBZ_OK && mbz_params_set(p, "force_model", "1") == MBZ_OK);
    /* 7 since 0.11.0, 10 since 0.16.0, 12 since 0.20.0, 14 and 0 (by the model: 14 without one) since 0.21.0 */
    static const char* const byte_profiles[] = {"1", "5", "7", "10", "12", "14", "0"};
    for (int k = 0; k < 7; ++k) {
      const int prof = atoi(byte_profiles[k]) ? atoi(byte_profiles[k]) : 14;
      CHECK(mbz_params_set(p, "byte_profile", byte_profiles[k]) == MBZ_OK);
      CHECK(mbz_compress_with(NULL, text, n, p, &zp, &zpn) == MBZ_OK);
      /* header: magic 8, version 2, features 2 (u16le: bit prof-1, bit prof for 13 and 14), name "none", SHA 32, ... */
      CHECK(zpn > 12 && (((unsigned char*)zp)[10] | ((unsigned char*)zp)[11] << 8) == (prof == 14 ? 1u << 14 : 1u << (prof - 1)));
      CHECK(mbz_decompress_with(NULL, zp, zpn, NULL, &back, &bn) == MBZ_OK);
      CHECK(bn == n && memcmp(back, text, n) == 0);
      mbz_free(back);
      mbz_free(zp);
    }
    CHECK(mbz_params_set(p, "byte_profile", "2") == MBZ_ERROR_INVALID_ARGUMENT);
    CHECK(mbz_params_set(p, "byte_profile", "6") == MBZ_ERROR_INVALID_ARGUMENT); /* an image profile */

    /* image_profile (0.10.0): 3 writes the image profile of mbz 0.4-0.9, 6 that of 0.10-0.12, 9 that of 0.13-0.20 */
    {
      unsigned char pgm[13 + 32 * 32];
      memcpy(pgm, "P5\n32 32\n255\n", 13);
      for (size_t i = 0; i < 32 * 32; ++i) pgm[13 + i] = (unsigned char)(i % 32 * 5 + i / 32 * 3 + (i * 2654435761u >> 28));
      for (int prof = 3; prof <= 9; prof += 3) {
        CHECK(mbz_params_set(p, "image_profile", prof == 3 ? "3" : prof == 6 ? "6" : "9") == MBZ_OK);
        CHECK(mbz_compress_with(NULL, pgm, sizeof pgm, p, &zp, &zpn) == MBZ_OK);
        CHECK(zpn > 12 && (((unsigned char*)zp)[10] | ((unsigned char*)zp)[11] << 8) == (1u << (prof - 1)));
        CHECK(mbz_decompress_with(NULL, zp, zpn, NULL, &back, &bn) == MBZ_OK);
        CHECK(bn == sizeof pgm && memcmp(back, pgm, bn) == 0);
        mbz_free(back);
        mbz_free(zp);
      }
      CHECK(mbz_params_set(p, "image_profile", "5") == MBZ_ERROR_INVALID_ARGUMENT);
    }
    /* audio_profile (0.12.0): 4 writes the audio profile of mbz 0.5-0.11, 8 the new one (levels 3-9) */
    {
      enum { kFrames = 1500 };
      unsigned char wav[44 + 2 * kFrames];
      static const unsigned char head[44] = {'R', 'I', 'F', 'F', (36 + 2 * kFrames) % 256, (36 + 2 * kFrames) / 256, 0, 0,
                                             'W', 'A', 'V', 'E', 'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 1, 0,
                                             0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0,
                                             'd', 'a', 't', 'a', 2 * kFrames % 256, 2 * kFrames / 256, 0, 0};
      memcpy(wav, head, sizeof head);
      for (size_t i = 0; i < kFrames; ++i) {
        const int v = (int)(i % 40) * 300 - 6000 + (int)((i * 2654435761u) >> 26); /* a sawtooth and noise */
        wav[44 + 2 * i] = (unsigned char)(v & 0xFF);
        wav[45 + 2 * i] = (unsigned char)((v >> 8) & 0xFF);
      }
      for (int prof = 4; prof <= 8; prof += 4) {
        CHECK(mbz_params_set(p, "audio_profile", prof == 4 ? "4" : "8") == MBZ_OK);
        CHECK(mbz_compress_with(NULL, wav, sizeof wav, p, &zp, &zpn) == MBZ_OK);
        CHECK(zpn > 12 && ((unsigned char*)zp)[10] == (1u << (prof - 1)));
        CHECK(mbz_decompress_with(NULL, zp, zpn, NULL, &back, &bn) == MBZ_OK);
        CHECK(bn == sizeof wav && memcmp(back, wav, bn) == 0);
        mbz_free(back);
        mbz_free(zp);
      }
      CHECK(mbz_params_set(p, "audio_profile", "6") == MBZ_ERROR_INVALID_ARGUMENT);
    }
    mbz_params_free(p);
    CHECK(mbz_params_create(&p) == MBZ_OK);

    /* model_prefix (0.14.0): the model over each segment's first bytes, declared by feature bit 12 */
    CHECK(mbz_params_set(p, "segment_size", "2048") == MBZ_OK && mbz_params_set(p, "force_model", "1") == MBZ_OK);
    for (int k = 0; k < 2; ++k) {
      CHECK(mbz_params_set(p, "model_prefix", k ? "1000" : "0") == MBZ_OK);
      CHECK(mbz_compress_with(m, text, n, p, &zp, &zpn) == MBZ_OK);
      CHECK(zpn > 12 && ((((unsigned char*)zp)[11] & 0x10) != 0) == (k == 1)); /* features' high byte: bit 12 */
      CHECK(mbz_decompress_with(m, zp, zpn, NULL, &back, &bn) == MBZ_OK);
      CHECK(bn == n && memcmp(back, text, n) == 0);
      mbz_free(back);
      mbz_free(zp);
    }
    CHECK(mbz_params_set(p, "model_prefix", "16777217") == MBZ_ERROR_INVALID_ARGUMENT);
    CHECK(mbz_params_set(p, "model_prefix", "all") == MBZ_ERROR_INVALID_ARGUMENT);
    mbz_params_free(p);
    CHECK(mbz_params_create(&p) == MBZ_OK);

    /* bad names and values */
    CHECK(mbz_params_set(p, "no_such_setting", "1") == MBZ_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(mbz_last_error(), "unknown parameter 'no_such_setting'") != NULL);
    CHECK(mbz_params_set(p, "level", "10") == MBZ_ERROR_INVALID_ARGUMENT);
    CHECK(mbz_params_set(p, "level", "0") == MBZ_ERROR_INVALID_ARGUMENT);
    CHECK(mbz_params_set(p, "threads", "two") == MBZ_ERROR_INVALID_ARGUMENT);
    CHECK(mbz_params_set(p, "segment_size", "100") == MBZ_ERROR_INVALID_ARGUMENT);
    CHECK(mbz_params_set(p, "device", "tpu") == MBZ_ERROR_INVALID_ARGUMENT);
    CHECK(mbz_params_set(p, "media", "yes") == MBZ_ERROR_INVALID_ARGUMENT);
    CHECK(mbz_params_set(p, NULL, "1") == MBZ_ERROR_INVALID_ARGUMENT);
    CHECK(mbz_params_create(NULL) == MBZ_ERROR_INVALID_ARGUMENT);
    mbz_params_free(p);
    mbz_params_free(NULL);
  }

  /* evaluate */
  double bits = 0;
  CHECK(mbz_evaluate(m, text, n, &o, &bits) == MBZ_OK && bits > 0);

  /* error paths, one per status */
  mbz_model* bad = (mbz_model*)1;
  CHECK(mbz_model_load("/nonexistent/model.mbzm", &bad) == MBZ_ERROR_IO && bad == NULL);
  CHECK(strlen(mbz_last_error()) > 0);
  CHECK(mbz_model_load(argv[3], &bad) == MBZ_ERROR_BAD_MODEL);
  CHECK(mbz_model_load(NULL, &bad) == MBZ_ERROR_INVALID_ARGUMENT);
  CHECK(mbz_decompress(m, text, n, &o, &back, &bn) == MBZ_ERROR_NOT_MBZ);
  CHECK(mbz_decompress(m, z, zn / 2, &o, &back, &bn) == MBZ_ERROR_TRUNCATED);
  unsigned char* damaged = (unsigned char*)malloc(zn);
  memcpy(damaged, z, zn);
  damaged[zn - 40] ^= 0x20; /* inside the last segment's coded data */
  mbz_status s = mbz_decompress(m, damaged, zn, &o, &back, &bn);
  CHECK(s == MBZ_ERROR_CHECKSUM_MISMATCH || s == MBZ_ERROR_CORRUPT);
  memcpy(damaged, z, zn);
  damaged[75] ^= 0x01; /* the first block header (the frame header is 72 bytes here) */
  CHECK(mbz_decompress(m, damaged, zn, &o, &back, &bn) == MBZ_ERROR_CORRUPT);
  memcpy(damaged, z, zn);
  damaged[8] = 99; /* format version */
  CHECK(mbz_decompress(m, damaged, zn, &o, &back, &bn) == MBZ_ERROR_UNSUPPORTED_VERSION);
  free(damaged);
  mbz_options bad_o = o;
  bad_o.threads = 0;
  CHECK(mbz_compress(m, text, n, &bad_o, &back, &bn) == MBZ_ERROR_INVALID_ARGUMENT);
  bad_o = o;
  bad_o.segment_size = 10;
  CHECK(mbz_compress(m, text, n, &bad_o, &back, &bn) == MBZ_ERROR_INVALID_ARGUMENT);
  bad_o = o;
  bad_o.device = "tpu";
  CHECK(mbz_compress(m, text, n, &bad_o, &back, &bn) == MBZ_ERROR_INVALID_ARGUMENT);
  bad_o = o;
  bad_o.device = "cuda";
  s = mbz_compress(m, text, 100, &bad_o, &back, &bn);
  CHECK(s == MBZ_ERROR_DEVICE_UNAVAILABLE || s == MBZ_OK);
  if (s == MBZ_OK) mbz_free(back);
  CHECK(mbz_compress(NULL, text, n, &o, &back, &bn) == MBZ_ERROR_INVALID_ARGUMENT);

  mbz_model* priv = NULL;
  CHECK(mbz_model_load(argv[2], &priv) == MBZ_OK);
  void* pz = NULL;
  size_t pzn = 0;
  CHECK(mbz_compress(priv, text, 2000, &o, &pz, &pzn) == MBZ_OK);
  CHECK(mbz_decompress(NULL, pz, pzn, &o, &back, &bn) == MBZ_ERROR_UNKNOWN_MODEL);
  CHECK(strstr(mbz_last_error(), mbz_model_sha256(priv)) != NULL);
  CHECK(mbz_decompress(priv, pz, pzn, &o, &back, &bn) == MBZ_OK && bn == 2000);
  mbz_free(back);
  mbz_free(pz);
  mbz_model_free(priv);

  mbz_cstream* cs2 = NULL;
  CHECK(mbz_cstream_create(m, &o, &cs2) == MBZ_OK);
  /* The first 64 bytes only decide whether an adapter may take the input;
     past them the frame header is written, into a sink that fails. */
  CHECK(mbz_cstream_write(cs2, text, 10, failing_sink, NULL) == MBZ_OK);
  CHECK(mbz_cstream_write(cs2, text + 10, 100, failing_sink, NULL) == MBZ_ERROR_IO);
  mbz_cstream_free(cs2);
  CHECK(strcmp(mbz_status_name(MBZ_ERROR_CHECKSUM_MISMATCH), "checksum_mismatch") == 0);

  mbz_free(z);
  free(cz.p);
  free(cd.p);
  free(text);
  mbz_model_free(m);
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
