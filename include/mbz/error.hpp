// mbz/error.hpp — the error type every mbz C++ API call throws.
//
// Errors carry a stable code (what went wrong, for programs) and a one-line
// message (what went wrong and where, for people). The codes never change
// meaning between versions; new ones are only appended.
#pragma once

#include <stdexcept>
#include <string>

namespace mbz {

/*! ErrorCode : stable causes of failure (since 0.1.0). */
enum class ErrorCode : int {
  ok = 0,
  io = 1,                  // reading or writing a file or stream failed
  not_mbz = 2,             // input does not start with the .mbz magic
  unsupported_version = 3, // .mbz or model format version newer than this build
  truncated = 4,           // input ended before the format said it would
  corrupt = 5,             // a header or table failed its check or is malformed
  checksum_mismatch = 6,   // decoded data does not match its stored checksum
  unknown_model = 7,       // the model the file was made with cannot be found
  bad_model = 8,           // a model file is malformed or violates the engine's bounds
  device_unavailable = 9,  // the requested device (e.g. CUDA) is not available
  invalid_argument = 10,   // an option or argument is out of range
  internal = 11,           // a bug: please report it
};

/*! error_code_name() : short stable name of a code, e.g. "checksum_mismatch". */
const char* error_code_name(ErrorCode code) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace mbz
