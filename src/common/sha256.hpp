// sha256.hpp — the two forms of SHA-256 behind mbz::sha256 (hashes.hpp),
// named for the test that holds one against the other (sha256.cpp says why
// mbz has its own).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/hashes.hpp"

namespace mbz::sha256_detail {

// Runs `blocks` 64-byte blocks of data through the state (FIPS 180-4, 6.2.2).
using Blocks = void (*)(uint32_t state[8], const uint8_t* data, size_t blocks);
void blocks_plain(uint32_t state[8], const uint8_t* data, size_t blocks);
// The x86 SHA extensions; call only when sha_ni_supported().
void blocks_sha_ni(uint32_t state[8], const uint8_t* data, size_t blocks);
bool sha_ni_supported();

// The digest of n bytes, padded as FIPS 180-4 5.1.1 says, through `blocks`.
Sha256 digest(const void* data, size_t n, Blocks blocks);

}  // namespace mbz::sha256_detail
