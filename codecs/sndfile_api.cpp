// sndfile_api.cpp — loads libsndfile on first use (sndfile_api.hpp says why).
#include "codecs/sndfile_api.hpp"

#include <dlfcn.h>

#include <string>

#include "mbz/error.hpp"

namespace mbz::codecs {

namespace {

constexpr const char* kLibrary = "libsndfile.so.1";  // Debian 12's libsndfile1 (soname 1 since 2006)

struct Loaded {
  SndfileApi api{};
  std::string error;  // empty: every function found
};

template <class F>
bool find(void* lib, const char* name, F& out, std::string& error) {
  out = reinterpret_cast<F>(dlsym(lib, name));
  if (!out && error.empty()) error = std::string(kLibrary) + " has no " + name;
  return out != nullptr;
}

Loaded load() {
  Loaded l;
  void* lib = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);  // kept for the process's life
  if (!lib) {
    const char* e = dlerror();
    l.error = std::string("cannot load ") + kLibrary + (e ? std::string(": ") + e : std::string());
    return l;
  }
  SndfileApi& a = l.api;
  find(lib, "sf_open_virtual", a.open_virtual, l.error);
  find(lib, "sf_close", a.close, l.error);
  find(lib, "sf_seek", a.seek, l.error);
  find(lib, "sf_read_raw", a.read_raw, l.error);
  find(lib, "sf_readf_int", a.readf_int, l.error);
  find(lib, "sf_readf_double", a.readf_double, l.error);
  find(lib, "sf_writef_int", a.writef_int, l.error);
  find(lib, "sf_strerror", a.strerror, l.error);
  return l;
}

}  // namespace

const SndfileApi& sndfile() {
  static const Loaded loaded = load();  // once, thread-safe
  if (!loaded.error.empty())
    throw Error(ErrorCode::io, "audio needs libsndfile (" + loaded.error + "); install libsndfile1, or code the file as bytes with --adapter bytes");
  return loaded.api;
}

}  // namespace mbz::codecs
