"""XXH64 in pure Python, for the spec decoder (tests/spec/decode_mixed.py).

docs/FORMAT.md uses XXH64 (seed 0) for every checksum of a frame and
`check32(bytes)`, its low 32 bits, for the header, block and footer checks.
The algorithm is xxHash's, as specified in xxHash's doc/xxhash_spec.md
("XXH64 Algorithm Description"); this is a direct reading of that text,
written for clarity rather than speed (a 1 MiB segment takes about a second).
"""

MASK64 = (1 << 64) - 1

# The five primes of XXH64 (xxhash_spec.md, "Overview").
PRIME64_1 = 0x9E3779B185EBCA87
PRIME64_2 = 0xC2B2AE3D27D4EB4F
PRIME64_3 = 0x165667B19E3779F9
PRIME64_4 = 0x85EBCA77C2B2AE63
PRIME64_5 = 0x27D4EB2F165667C5

STRIPE_BYTES = 32  # four 8-byte lanes, one per accumulator


def _rotl64(x, r):
    return ((x << r) | (x >> (64 - r))) & MASK64


def _u64le(data, i):
    return int.from_bytes(data[i:i + 8], "little")


def _round(acc, lane):
    """Step 2 of the spec: one 8-byte lane into one accumulator."""
    acc = (acc + lane * PRIME64_2) & MASK64
    acc = _rotl64(acc, 31)
    return (acc * PRIME64_1) & MASK64


def _merge_accumulator(acc, val):
    """Step 3 of the spec: fold one of the four accumulators into the hash."""
    acc ^= _round(0, val)
    return (acc * PRIME64_1 + PRIME64_4) & MASK64


def xxh64(data, seed=0):
    """XXH64 of `data` (bytes-like) with `seed`, as an int in 0..2^64-1."""
    n = len(data)
    i = 0
    if n >= STRIPE_BYTES:
        # Step 1: four accumulators; step 2: every whole 32-byte stripe.
        acc = [(seed + PRIME64_1 + PRIME64_2) & MASK64, (seed + PRIME64_2) & MASK64,
               seed & MASK64, (seed - PRIME64_1) & MASK64]
        while i + STRIPE_BYTES <= n:
            for lane in range(4):
                acc[lane] = _round(acc[lane], _u64le(data, i + 8 * lane))
            i += STRIPE_BYTES
        # Step 3: converge.
        h = (_rotl64(acc[0], 1) + _rotl64(acc[1], 7) + _rotl64(acc[2], 12)
             + _rotl64(acc[3], 18)) & MASK64
        for a in acc:
            h = _merge_accumulator(h, a)
    else:
        # Short input: no stripes, a special start value.
        h = (seed + PRIME64_5) & MASK64

    # Step 4: the input length, then the remaining 0..31 bytes.
    h = (h + n) & MASK64
    while i + 8 <= n:
        h ^= _round(0, _u64le(data, i))
        h = (_rotl64(h, 27) * PRIME64_1 + PRIME64_4) & MASK64
        i += 8
    if i + 4 <= n:
        h ^= (int.from_bytes(data[i:i + 4], "little") * PRIME64_1) & MASK64
        h = (_rotl64(h, 23) * PRIME64_2 + PRIME64_3) & MASK64
        i += 4
    while i < n:
        h ^= (data[i] * PRIME64_5) & MASK64
        h = (_rotl64(h, 11) * PRIME64_1) & MASK64
        i += 1

    # Step 5: avalanche.
    h ^= h >> 33
    h = (h * PRIME64_2) & MASK64
    h ^= h >> 29
    h = (h * PRIME64_3) & MASK64
    h ^= h >> 32
    return h


def check32(data):
    """FORMAT.md's check32(bytes): the low 32 bits of XXH64(bytes, seed 0)."""
    return xxh64(data) & 0xFFFFFFFF


# Known values: the empty string (FORMAT.md, "End marker and footer") and
# xxHash's own sanity vectors for a 1-byte and a 32+-byte input are checked
# when the module loads, so a broken hash fails loudly, not as a "mismatch".
assert xxh64(b"") == 0xEF46DB3751D8E999
assert xxh64(b"a") == 0xD24EC4F1A98C6E5B
assert xxh64(b"abcdefghijklmnopqrstuvwxyz0123456789") == 0x64F23ECF1609B766
