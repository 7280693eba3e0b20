// sndfile_api.hpp — libsndfile's functions, loaded (dlopen) the first time an
// audio container is parsed or a FLAC file written.
//
// Why not linked: libsndfile brings its codecs' libraries with it (FLAC,
// Vorbis, Opus, Ogg, MPEG audio, LAME), eight shared objects that every
// process loaded and relocated at start, ~3 ms of each run whatever it coded
// (bench/RESULTS.md "Start-up without libcrypto and libsndfile"). Text and
// images never need them. Debian's libsndfile1 stays a dependency of the
// package; where it is missing, audio fails with an error saying so.
#pragma once

#include <sndfile.h>

namespace mbz::codecs {

// Legend: the libsndfile calls the pcm adapter makes, by their own names.
struct SndfileApi {
  decltype(&::sf_open_virtual) open_virtual;
  decltype(&::sf_close) close;
  decltype(&::sf_seek) seek;
  decltype(&::sf_read_raw) read_raw;
  decltype(&::sf_readf_int) readf_int;
  decltype(&::sf_readf_double) readf_double;
  decltype(&::sf_writef_int) writef_int;
  decltype(&::sf_strerror) strerror;
};

// libsndfile.so.1's functions, loaded once per process. Throws
// Error(io) naming the library and the loader's reason if it cannot be
// loaded or lacks one of them.
const SndfileApi& sndfile();

}  // namespace mbz::codecs
