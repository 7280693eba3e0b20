/* example.c — stream a buffer through the C API in small pieces and back. */
#include <mbz/mbz.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  unsigned char* p;
  size_t n, cap;
} buffer;

static int collect(void* user, const void* data, size_t n) {
  buffer* b = (buffer*)user;
  if (b->n + n > b->cap) {
    b->cap = 2 * (b->n + n);
    unsigned char* q = (unsigned char*)realloc(b->p, b->cap);
    if (!q) return 1;
    b->p = q;
  }
  memcpy(b->p + b->n, data, n);
  b->n += n;
  return 0;
}

int main(void) {
  const char* text = "It was the best of times, it was the worst of times, it was the age of wisdom.\n";
  const size_t n = strlen(text);
  mbz_model* model = NULL;
  if (mbz_model_load_default(&model) != MBZ_OK) {
    fprintf(stderr, "example_c: %s\n", mbz_last_error());
    return 1;
  }
  buffer packed = {0}, back = {0};
  mbz_cstream* c = NULL;
  mbz_dstream* d = NULL;
  int ok = mbz_cstream_create(model, NULL, &c) == MBZ_OK;
  for (size_t off = 0; ok && off < n; off += 10)
    ok = mbz_cstream_write(c, text + off, n - off < 10 ? n - off : 10, collect, &packed) == MBZ_OK;
  ok = ok && mbz_cstream_finish(c, collect, &packed) == MBZ_OK;
  ok = ok && mbz_dstream_create(model, NULL, &d) == MBZ_OK;
  ok = ok && mbz_dstream_write(d, packed.p, packed.n, collect, &back) == MBZ_OK;
  ok = ok && mbz_dstream_finish(d, collect, &back) == MBZ_OK;
  ok = ok && back.n == n && memcmp(back.p, text, n) == 0;
  if (ok) printf("example_c: %zu -> %zu bytes with model %s: OK\n", n, packed.n, mbz_model_name(model));
  else fprintf(stderr, "example_c: failed: %s\n", mbz_last_error());
  mbz_cstream_free(c);
  mbz_dstream_free(d);
  mbz_model_free(model);
  free(packed.p);
  free(back.p);
  return ok ? 0 : 1;
}
