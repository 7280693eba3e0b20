// Names of the error codes declared in mbz/error.hpp.
#include "mbz/error.hpp"

namespace mbz {

const char* error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::ok: return "ok";
    case ErrorCode::io: return "io";
    case ErrorCode::not_mbz: return "not_mbz";
    case ErrorCode::unsupported_version: return "unsupported_version";
    case ErrorCode::truncated: return "truncated";
    case ErrorCode::corrupt: return "corrupt";
    case ErrorCode::checksum_mismatch: return "checksum_mismatch";
    case ErrorCode::unknown_model: return "unknown_model";
    case ErrorCode::bad_model: return "bad_model";
    case ErrorCode::device_unavailable: return "device_unavailable";
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::internal: return "internal";
  }
  return "unknown_error";
}

}  // namespace mbz
