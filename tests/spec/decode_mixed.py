#!/usr/bin/env python3
"""A second .mbz decoder, written from docs/FORMAT.md alone.

Why it exists: docs/FORMAT.md says it specifies the format -- the container
and the context mixer of mixed segments (methods 3 and 4, profiles 1-14) -- precisely
enough for a second implementation. This file is that second implementation,
written from the document's text and nothing else (not from src/mix/), and
the CTest `spec_decoder` runs it on the golden files with mixed segments
(tests/golden/v*-none-*.mbz, and v*-mixer-*.mbz given the model's tables),
comparing each file's probability trace with the one
tests/test_golden_variants.cpp pins. If the document and the encoder drift
apart, that test fails. Every function's docstring opens with the FORMAT.md
subsection it implements, as [Subsection: paragraph] (for instance
[Shared primitives: Counters]; the paragraph is the document's bold lead-in);
read the two side by side. Names follow the document's (c0, bp, P0..P9, LA1,
...) so that a line here can be found there.

What it decodes:
  * the container ("Header", "Blocks", "End marker and footer"): magic,
    version, flags, the header check, the adapter side information (parsed
    and checked, not applied), each block's check and its segment's XXH64,
    the end marker, and the footer's count, size, whole-content XXH64 and
    check; several frames back to back;
  * segments of method 0 (stored) and 3 (mixed, profiles 1-14) in frames
    without a model (`mbz -m none`: model name `none`, SHA-256 all zero),
    where the model's input is even odds (ones = 1, total = 2) at every
    decision;
  * mixed segments in frames that name a model, given the model's tables
    (--tables FILE, see ModelTables): this decoder runs the mixer, not the
    model, and takes each decision's (ones, total) from the byte's
    cumulative table by the document's node-count formula (node_counts);
  * mixed segments with a model prefix (method 4, mbz 0.14.0, "Mixed
    segments with a model prefix"; read_model_prefix) in version-2 frames
    that name a model and set required-feature bit 12, given the model's
    tables of each segment's first `prefix` bytes only (--tables holds no
    more for such a segment: the bytes past the prefix get even odds, as
    without a model).
A zstd (1) or model (2) segment, or a mixed segment (method 3 or 4) in a
frame that names a model when no tables are given, is not covered: the
decoder stops there with a message saying so (exit status 2).

The probability trace: every decision's p (what predict returns, 1..4095),
over all mixed segments of a file in frame order; --trace prints its hash,
XXH64 (seed 0) of the p's as u16le, which tests/test_golden_variants.cpp
pins for every golden file with mixed segments (kGoldenMixed).

Adapter frames (pcm, image): a frame's segments hold its *content*, the
payload the adapter built from the samples ("Blocks", "Adapter side
information"). This decoder outputs and verifies that payload -- each
segment's raw bytes against its XXH64, all of them against the footer --
not the restored WAV or PPM file: it does not undo the adapter's layout and
predictor.

Usage:
    decode_mixed.py FILE.mbz... [-o OUT] [--tables TABLES] [--trace] [-v]
One line per file on stdout (OK) or stderr (FAILED, with the reason).
-o OUT writes the decoded content of the (single) file, only if every check
passed. --tables TABLES: the model's tables of the (single) file's mixed
segments, every byte of a method-3 segment and the prefix's bytes of a
method-4 one (tests/dump_model_tables.cpp writes them from the engine). --trace
adds a line `FILE: trace <16 hex digits> (N decisions)` after the OK line.
-v adds a line per segment.
Exit status: 0 every file decoded and verified; 1 a checksum mismatch, a
corrupt or unsupported file, or tables that do not fit it; 2 a usage error,
or a file with segments this decoder does not cover.

Pure Python 3 standard library; clarity first, speed second: 10,000 to
25,000 decisions (bits) a second, so a 1 KiB segment takes 0.3 s (profile 1)
to 1 s (profile 4); profile 5 runs at about 7,000 (1.2 s a KiB), profile 6
at about 3,200 (2.5 s a KiB), profile 7 at three quarters of profile 5's
speed (1.6 s a KiB), profile 8 at 2,800 to 3,800 (2.1 to 2.9 s a KiB),
profile 9 at about 2,600 (3.1 s a KiB, 0.7 times profile 6's speed).

Profile 6 (images of MED residuals, FORMAT.md "Profile 6") is written in
profile6.py beside this file, on this file's primitives; profile 7 (bytes
with structure contexts, "Profile 7") in profile7.py, on Profile5Mixer;
profile 8 (audio with a least-squares cascade, "Profile 8") in profile8.py,
on Mixer and NumericModel through their hooks (mixer_state, numeric_model,
mix, train_mix; PREDICTORS, SCALE_SHIFT, more_state); profile 9 (images with
texture contexts, "Profile 9") in profile9.py, on profile6.py's
Profile6Mixer and Profile6Numeric through theirs; profile 10 (bytes with
more contexts, "Profile 10") in profile10.py, on profile7.py's
Profile7Mixer and Profile5Mixer's size and rate hooks.

Profile 5's predictor is also checked on its own, decision by decision,
against probability vectors from the encoder: p5_vectors.py (beside this
file).
"""

import argparse
import os
import struct
import sys
from operator import mul

# xxh64.py lies beside this file; importing it must not leave __pycache__ in
# the source tree (the CTest runs from there).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xxh64 import check32, xxh64  # noqa: E402  (beside this file)


class FormatError(Exception):
    """A frame FORMAT.md says a decoder rejects. `kind` is the document's
    name for it: corrupt, unsupported_version or checksum_mismatch."""

    def __init__(self, kind, message):
        super().__init__(f"{kind}: {message}")
        self.kind = kind


class NotCovered(Exception):
    """A valid frame that needs what this decoder does not implement (zstd,
    the model itself for method 2, or the model's tables for method 3 or 4
    when --tables gives none)."""


class TablesError(Exception):
    """The model's tables given with --tables do not fit the file (too few,
    too many, or not cumulative tables): the test's input is wrong, not the
    frame."""


def corrupt(message):
    """A FormatError of kind `corrupt`."""
    return FormatError("corrupt", message)


# =============================================================================
# FORMAT.md "Mixed segments (method 3)" / "Conventions"
# =============================================================================
# Python's integers are exact, `>>` on a negative int is the arithmetic shift
# the document asks for (-17 >> 4 == -2), and `&` works on two's complement
# bits (-1 & 15 == 15): both carry over unchanged. What differs is division
# (Python's // floors) and u32 arithmetic (Python does not wrap): the two
# helpers below, and an explicit `& U32` wherever a u32 is multiplied or added.

U32 = 0xFFFFFFFF


def div_trunc(a, b):
    """[Conventions] `a / b`: b > 0, the quotient truncated toward zero
    (7 / 2 = 3, -7 / 2 = -3, -1 / 2 = 0)."""
    q = abs(a) // b
    return q if a >= 0 else -q


def clamp(x, lo, hi):
    """[Conventions] clamp(x, lo, hi) = min(max(x, lo), hi)."""
    return lo if x < lo else hi if x > hi else x


def ilog2(v):
    """[Conventions] floor(log2(v)) for v >= 1; 0 for v = 0."""
    return v.bit_length() - 1 if v > 0 else 0


# =============================================================================
# "Shared primitives": squash and stretch
# =============================================================================
# Probabilities p are in 1/4096 (1..4095); stretch units x are 1/256 of a
# natural log-odds (-2047..2047).

# K[i] = squash at x = 128*(i - 16): the knots of a piecewise linear squash,
# i = 0..32 (x = -2048, -1920, ..., 0, ..., 2048).
SQUASH_KNOTS = [1, 2, 4, 6, 10, 17, 27, 45, 74, 120, 194, 311, 488, 747, 1102, 1546,
                2048, 2550, 2994, 3349, 3608, 3785, 3902, 3976, 4022, 4051, 4069,
                4079, 4086, 4090, 4092, 4094, 4095]
STRETCH_LIMIT = 2047  # |x| of squash's input and stretch's output


def squash_by_formula(x):
    """[Shared primitives: Squash and stretch] squash(x) exactly as written:
    interpolate between the two knots around x."""
    x = clamp(x, -STRETCH_LIMIT, STRETCH_LIMIT)
    i = (x >> 7) + 16       # the knot at or left of x: 0..31
    w = x & 127             # how far past it, in 1/128
    return (SQUASH_KNOTS[i] * (128 - w) + SQUASH_KNOTS[i + 1] * w + 64) >> 7


# Both are table look-ups at run time; the tables are built once from the
# formula, stretch "by running x from -2047 to 2047" as the document says.
SQUASH_TABLE = [squash_by_formula(x) for x in range(-STRETCH_LIMIT, STRETCH_LIMIT + 1)]
STRETCH_TABLE = [0] * 4096  # index p = 1..4095; entry 0 unused
_x = -STRETCH_LIMIT
for _p in range(1, 4096):
    while SQUASH_TABLE[_x + STRETCH_LIMIT] < _p:  # stretch(p): the least x with squash(x) >= p
        _x += 1
    STRETCH_TABLE[_p] = _x
del _x, _p


def squash(x):
    """[Shared primitives: Squash and stretch] squash(x): any int x -> 1..4095.
    """
    return SQUASH_TABLE[clamp(x, -STRETCH_LIMIT, STRETCH_LIMIT) + STRETCH_LIMIT]


def stretch(p):
    """[Shared primitives: Squash and stretch] stretch(p): p in 1..4095 ->
    -2047..2047, the least x with squash(x) >= p."""
    return STRETCH_TABLE[p]


# The document's check values.
assert [squash(-1000), squash(-1), squash(0), squash(1000)] == [83, 2044, 2048, 4013]
assert [stretch(p) for p in (1, 2, 1000, 2048, 2049, 4095)] == [-2047, -1984, -292, 0, 1, 1984]


# =============================================================================
# "Shared primitives": counters
# =============================================================================

COUNTER_HALF = 32768   # initial fast and slow: a probability of 1/2 in 1/65536
COUNT_MAX = 255        # cnt saturates here

# rate(k) = 131072 / (2k + 3) for every count k a counter can hold.
COUNTER_RATE = [131072 // (2 * k + 3) for k in range(COUNT_MAX + 1)]
assert COUNTER_RATE[:8] == [43690, 26214, 18724, 14563, 11915, 10082, 8738, 7710]
assert COUNTER_RATE[30] == 2080

# The `limit` argument of train(), by where the counter is used.
LIMIT_CONTEXT = 6      # the ten hashed context counters
LIMIT_NUMERIC = 30     # the numeric model's interval counters
LIMIT_MATCH = 255      # the match model's counters


class Counter:
    """[Shared primitives: Counters] A counter: two probabilities of a 1 in
    1/65536 (a fast one whose rate stops falling at a limit, a slow one whose
    rate keeps falling) and the number of bits it has seen (0..255)."""

    __slots__ = ("fast", "slow", "cnt")

    def __init__(self):
        self.fast = COUNTER_HALF
        self.slow = COUNTER_HALF
        self.cnt = 0


def counter_train(c, bit, limit):
    """[Shared primitives: Counters] train(c, bit, limit). Both steps use
    cnt before it is incremented."""
    target = 65535 if bit else 0
    cnt = c.cnt
    c.fast += ((target - c.fast) * COUNTER_RATE[cnt if cnt < limit else limit]) >> 16
    c.slow += ((target - c.slow) * COUNTER_RATE[cnt]) >> 16
    if cnt < COUNT_MAX:
        c.cnt = cnt + 1


def st(q):
    """[Shared primitives: Counters] st(q): a 1/65536 probability stretched (q
    >> 4 is in 0..4095; 0 -> 1)."""
    return STRETCH_TABLE[max(q >> 4, 1)]


def st_fast(c):
    """[Shared primitives: Counters] st_fast(c)."""
    # st(c.fast), inlined (it is the hottest call); a counter that has seen
    # nothing says nothing.
    return STRETCH_TABLE[(c.fast >> 4) or 1] if c.cnt else 0


def st_slow(c):
    """[Shared primitives: Counters] st_slow(c)."""
    return STRETCH_TABLE[(c.slow >> 4) or 1] if c.cnt else 0   # st(c.slow)


# =============================================================================
# "Shared primitives": hashes (all u32)
# =============================================================================

def mix32(h):
    """[Shared primitives: Hashes] mix32(h), u32 -> u32."""
    h ^= h >> 16
    h = (h * 0x7FEB352D) & U32
    h ^= h >> 15
    h = (h * 0x846CA68B) & U32
    h ^= h >> 16
    return h


def hash2(a, b):
    """[Shared primitives: Hashes] hash2(a, b), u32 x u32 -> u32."""
    return mix32((a * 0x9E3779B1 + mix32((b + 0x632BE5AB) & U32)) & U32)


# =============================================================================
# "Shared primitives": hashed counter tables
# =============================================================================

NUM_CONTEXTS = 10   # tables T[0..9], one per byte context i


class HashedSlot(Counter):
    """[Shared primitives: Hashed counter tables] A slot: a counter and an
    8-bit check (h >> 24)."""

    __slots__ = ("check",)

    def __init__(self):
        super().__init__()
        self.check = 0


class HashedCounterTable:
    """[Shared primitives: Hashed counter tables] One of T[0..9]: 2^b slots. A
    slot never looked up is at its initial value, so slots are created on first
    use."""

    def __init__(self, bits):
        self.index_mask = (1 << bits) - 1
        self.slots = {}

    def lookup(self, h):
        """[Shared primitives: Hashed counter tables] lookup(i, h): the slot
        for h; a slot whose check differs is taken over by h (its counter
        restarts). The caller trains the slot it gets."""
        index = h & self.index_mask
        slot = self.slots.get(index)
        if slot is None:
            slot = self.slots[index] = HashedSlot()
        check = h >> 24
        if slot.check != check:
            slot.fast = slot.slow = COUNTER_HALF
            slot.cnt = 0
            slot.check = check
        return slot


# =============================================================================
# "Shared primitives": adaptive probability maps (APM)
# =============================================================================

APM_INITIAL_ROW = [16 * k for k in SQUASH_KNOTS]   # 33 cells, one per squash knot


class APM:
    """[Shared primitives: Adaptive probability maps] N rows of 33 u16 cells; a
    row is chosen by a context c, and within it the two cells around stretch(p)
    are interpolated. Rows are created on first use (all rows start equal)."""

    def __init__(self, contexts):
        self.contexts = contexts
        self.rows = {}
        self.last = None  # (row, cell) chosen by the last refine(), trained by update()

    def refine(self, c, p):
        """[Shared primitives: Adaptive probability maps] refine(A, c, p):
        p in 1..4095 -> 1..4095."""
        assert 0 <= c < self.contexts, (c, self.contexts)
        row = self.rows.get(c)
        if row is None:
            row = self.rows[c] = list(APM_INITIAL_ROW)
        s = stretch(p) + 2048   # 1..4095
        j = s >> 7              # the cell left of s: 0..31
        w = s & 127
        self.last = (row, j + 1 if w >= 64 else j)   # the nearer of the two cells learns
        return clamp((row[j] * (128 - w) + row[j + 1] * w) >> 11, 1, 4095)

    def update(self, bit):
        """[Shared primitives: Adaptive probability maps] update(A, bit): move
        the last chosen cell 1/64 of the way to the bit."""
        row, j = self.last
        row[j] += ((65535 if bit else 0) - row[j]) >> 6


# =============================================================================
# "Shared primitives": weight sets
# =============================================================================
# The mixer's input vector x, by slot ("Coding a segment", predict):
SLOT_CONTEXT_FAST = 0    # 0..9: st_fast of the counter of context i (slot 0 + i)
SLOT_MATCH = 10          # the match model's input
SLOT_MODEL_STRETCH = 11  # stretch(pm): the model's probability, stretched
SLOT_MODEL_LINEAR = 12   # (pm - 2048) / 2: the model's probability, linear
SLOT_BIAS = 13           # 256, a constant
SLOT_CONTEXT_SLOW = 14   # 14..23: st_slow of the counter of context i (slot 14 + i)
SLOT_NUMERIC = 24        # 24..: profiles 3 and 4, three per numeric predictor k:
#                          24 + 3k st_fast(Fk), 25 + 3k st_slow(Fk), 26 + 3k st_fast(Qk)

WEIGHT_ONE = 65536       # weights are in 1/65536
WEIGHT_LIMIT = 1 << 24   # |W[i]| <= 2^24
MIXER_LEARNING_RATE = 24


class WeightSets:
    """[Shared primitives: Weight sets] A family of weight sets W[0..count-1],
    each over n_inputs inputs: 0 except weight 1.0 on the model's stretched
    probability (input model_slot: 11, or 38 in profile 5). Sets are created
    on first use."""

    def __init__(self, count, n_inputs, model_slot=SLOT_MODEL_STRETCH):
        self.count = count
        self.n_inputs = n_inputs
        self.model_slot = model_slot
        self.sets = {}

    def get(self, i):
        """[Shared primitives: Weight sets] Weight set i."""
        assert 0 <= i < self.count, (i, self.count)
        w = self.sets.get(i)
        if w is None:
            w = self.sets[i] = [0] * self.n_inputs
            w[self.model_slot] = WEIGHT_ONE
        return w


def mixer_dot(w, x):
    """[Shared primitives: Weight sets] dot(W, x): exact sum, then >> 16 and
    clamp to the stretch domain."""
    return clamp(sum(map(mul, x, w)) >> 16, -STRETCH_LIMIT, STRETCH_LIMIT)


def mixer_train(w, x, p, bit):
    """[Shared primitives: Weight sets] train(W, x, p, bit): p is what
    squash(dot(W, x)) gave."""
    err = ((bit << 12) - p) * MIXER_LEARNING_RATE
    w[:] = [wi + ((xi * err) >> 16) for wi, xi in zip(w, x)]
    # Clamping is rarely needed; look at the extremes before paying for it.
    if max(w) > WEIGHT_LIMIT or min(w) < -WEIGHT_LIMIT:
        w[:] = [clamp(wi, -WEIGHT_LIMIT, WEIGHT_LIMIT) for wi in w]


# =============================================================================
# "Shared primitives": LMS filters
# =============================================================================

LMS_WEIGHT_LIMIT = 1 << 24
LMS_ERROR_LIMIT = 1 << 24
LMS_ENERGY_FLOOR = 64   # keeps the normalisation finite on silent inputs


class LMSFilter:
    """[Shared primitives: LMS filters] Normalized least mean squares in
    integers: `taps` weights in 1/65536 (initially 0) and a step shift `sh`
    (larger: slower)."""

    def __init__(self, taps, sh):
        self.w = [0] * taps
        self.sh = sh

    def predict(self, xs):
        """[Shared primitives: LMS filters] predict(L, X)."""
        assert len(xs) == len(self.w)
        return sum(map(mul, self.w, xs)) >> 16

    def update(self, xs, e):
        """[Shared primitives: LMS filters] update(L, X, e): X must be the
        inputs predict() was given."""
        energy = LMS_ENERGY_FLOOR + sum(map(mul, xs, xs))
        e = clamp(e, -LMS_ERROR_LIMIT, LMS_ERROR_LIMIT)
        g = div_trunc(e << 28, energy)
        shift = 12 + self.sh
        w = [wi + ((g * xi) >> shift) for wi, xi in zip(self.w, xs)]
        # As in mixer_train: clamp only when a weight went past the limit.
        if max(w) > LMS_WEIGHT_LIMIT or min(w) < -LMS_WEIGHT_LIMIT:
            w = [clamp(wi, -LMS_WEIGHT_LIMIT, LMS_WEIGHT_LIMIT) for wi in w]
        self.w = w


# =============================================================================
# "Shared primitives": quantizer and MED
# =============================================================================

QUANT_MAX = 31   # |quantize(z, fine)| <= 31


def quantize(z, fine):
    """[Shared primitives: Quantizer] quantize(z, fine), a signed log-scale
    bucket of z: exact below 8, then 4 (fine) or 2 (coarse) buckets per octave.
    """
    a = abs(z)
    if a < 8:
        q = a
    else:
        l = ilog2(a)   # >= 3
        if fine:
            q = min(QUANT_MAX, 8 + 4 * (l - 3) + ((a >> (l - 2)) & 3))
        else:
            q = min(QUANT_MAX, 8 + 2 * (l - 3) + ((a >> (l - 1)) & 1))
    return -q if z < 0 else q


# The document's bucket boundaries: the least |z| of buckets 8..31 (z = 8: bucket 8).
QUANT_FINE_STARTS = [8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112,
                     128, 160, 192, 224, 256, 320, 384, 448]
QUANT_COARSE_STARTS = [8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536,
                       2048, 3072, 4096, 6144, 8192, 12288, 16384, 24576]
for _fine, _starts in ((True, QUANT_FINE_STARTS), (False, QUANT_COARSE_STARTS)):
    for _q, _a in enumerate(_starts, start=8):
        assert quantize(_a, _fine) == _q and quantize(-_a, _fine) == -_q
        assert quantize(_a - 1, _fine) == _q - 1
del _fine, _starts, _q, _a


def med(w, nn, nw):
    """[Shared primitives: MED] The LOCO-I median edge detector (W, N, NW);
    the border rules are the caller's."""
    if nw >= max(w, nn):
        return min(w, nn)
    if nw <= min(w, nn):
        return max(w, nn)
    return w + nn - nw


# =============================================================================
# "Range coder (method 2)", decoding side, with the binary decisions of
# "Mixed segments (method 3)"
# =============================================================================

PROB_ONE = 4096          # mixed segments code each bit with total = 4096
RANGE_BOTTOM = 1 << 24   # renormalise while range < 2^24


class RangeDecoder:
    """[Range coder (method 2)] The decoder: skips the first byte (the
    encoder's initial cache, always 0), reads four bytes big-endian into
    `code`, then one byte per renormalising shift. A valid stream ends exactly
    at its last byte: a stream shorter than 5 bytes, or one that needs a byte
    past its end, is corrupt."""

    def __init__(self, stream):
        if len(stream) < 5:
            raise corrupt(f"range-coded stream of {len(stream)} bytes (at least 5)")
        self.stream = stream
        self.pos = 5
        self.range = 0xFFFFFFFF
        self.code = int.from_bytes(stream[1:5], "big")

    def decode_bit(self, p):
        """[Mixed segments (method 3)] One decision whose probability of a 1 is
        p/4096: a 1 owns the top p of the range ([4096 - p, 4096)), a 0 the
        bottom 4096 - p."""
        r = self.range // PROB_ONE
        v = min(self.code // r, PROB_ONE - 1)
        if v >= PROB_ONE - p:
            bit = 1
            self.code -= r * (PROB_ONE - p)
            self.range = r * p
        else:
            bit = 0
            self.range = r * (PROB_ONE - p)
        while self.range < RANGE_BOTTOM:
            if self.pos >= len(self.stream):
                raise corrupt("the range-coded stream needs a byte past its end")
            # code is a 32-bit register: in a valid stream code < range, so
            # nothing is lost; a damaged one may wrap (it fails its checksum).
            self.code = ((self.code << 8) | self.stream[self.pos]) & U32
            self.range <<= 8
            self.pos += 1
        return bit

    def unread_bytes(self):
        """[Range coder (method 2)] Bytes no decision has needed (yet)."""
        return len(self.stream) - self.pos


# =============================================================================
# "Mixed segments (method 3)": the profile byte, shape and value format
# =============================================================================

SHAPE_BYTES = {1: 0, 2: 12, 3: 13, 4: 13, 5: 0, 6: 13, 7: 0, 8: 13, 9: 13, 10: 0, 11: 13, 12: 0, 13: 13, 14: 0}  # what follows the profile byte
MAX_STRIDE = 1024

VF_BYTES_MASK = 0x07   # bits 0-2: bytes per sample (1..3)
VF_RESERVED = 0x18     # bits 3-4: zero in every profile
VF_SIGNAL = 0x20       # bit 5: delta2 residuals, rebuilt into the signal (profiles 4 and 8 only, always)
VF_MED = 0x40          # bit 6: MED residuals on interleaved pixels (row > 0)
VF_SIGNED = 0x80       # bit 7: two's complement (else unsigned)


class Shape:
    """[Mixed segments (method 3)] A segment's sample shape: stride (bytes per
    sample frame), row (bytes per image row, 0 for audio), phase (the payload
    offset of the segment's first byte modulo row, or stride) and vf (the value
    format). All 0 for profile 1; vf = 0 for profile 2."""

    def __init__(self, stride=0, row=0, phase=0, vf=0):
        self.stride, self.row, self.phase, self.vf = stride, row, phase, vf

    def __repr__(self):
        return f"stride {self.stride}, row {self.row}, phase {self.phase}, vf 0x{self.vf:02X}"


def read_mixed_header(coded):
    """[Mixed segments (method 3)] The profile byte and what follows it.
    Returns (profile, shape, the range-coded stream); rejects what the
    section's bounds exclude."""
    if len(coded) < 1:
        raise corrupt("empty mixed segment (no profile byte)")
    profile = coded[0]
    if profile not in SHAPE_BYTES:
        raise FormatError("unsupported_version", f"unknown mixer profile {profile}")
    header_len = 1 + SHAPE_BYTES[profile]
    if len(coded) < header_len:
        raise corrupt(f"mixed segment of profile {profile} shorter than its "
                      f"{header_len}-byte header")
    if profile in (1, 5, 7, 10, 12, 14):   # bytes: no shape
        return profile, Shape(), coded[header_len:]

    stride, row, phase = (int.from_bytes(coded[1 + 4 * i:5 + 4 * i], "little") for i in range(3))
    vf = coded[13] if profile >= 3 else 0
    shape = Shape(stride, row, phase, vf)
    if not 1 <= stride <= MAX_STRIDE:
        raise corrupt(f"stride {stride} outside 1..{MAX_STRIDE}")
    if row % stride:
        raise corrupt(f"row {row} not a multiple of stride {stride}")
    if phase >= (row if row > 0 else stride):
        raise corrupt(f"phase {phase} not below {'row' if row > 0 else 'stride'}")
    if profile >= 3:
        nb = vf & VF_BYTES_MASK
        if not 1 <= nb <= 3 or stride % nb:
            raise corrupt(f"value format 0x{vf:02X}: {nb} bytes per sample with stride {stride}")
        if vf & VF_RESERVED:
            raise corrupt(f"value format 0x{vf:02X}: reserved bits set")
        if (vf & VF_MED) and row == 0:
            raise corrupt("MED residuals without rows")
        if profile in (3, 6, 9, 11, 13) and vf & VF_SIGNAL:
            raise corrupt(f"value format bit 5 under profile {profile}")
        if profile in (6, 9, 11, 13) and not vf & VF_MED:
            raise corrupt(f"profile {profile} needs bit 6 of the value format (MED residuals)")
        if profile in (4, 8) and not (vf & VF_SIGNAL and vf & VF_SIGNED and row == 0):
            raise corrupt(f"profile {profile} needs bits 5 and 7 of the value format and row 0 ({shape})")
    return profile, shape, coded[header_len:]


def table_bits(n):
    """[Lifetime] b, the log2 of the hashed tables' size, from the segment's
    raw length n: the least of 16..19 with 2^b >= 2n, else 20."""
    for b in (16, 17, 18, 19):
        if (1 << b) >= 2 * n:
            return b
    return 20


# =============================================================================
# "Match model (all profiles)"
# =============================================================================

MIN_MATCH = 3
MAX_MATCH = 65535
MATCH_VERIFY = 64        # bytes compared backwards to confirm a candidate
MATCH_UNCOUNTED = 512    # |input| of a match whose counter has seen nothing


def match_bucket(m):
    """[Match model] bucket(mlen): the length itself below 16, then one bucket
    per octave."""
    if m == 0:
        return 0
    if m < 16:
        return m
    return min(31, 12 + ilog2(m))


class MatchModel:
    """[Match model] Predicts the next bit from the byte that followed the last
    occurrence of the latest 3 bytes. MT maps a hash of 3 bytes to the position
    after their latest occurrence (0: none); MC[2*bucket + expected bit] are
    its counters."""

    def __init__(self, bits):
        self.index_mask = (1 << bits) - 1
        self.table = {}            # MT, initially all 0
        self.mlen = 0              # the current match's length; 0: none
        self.mptr = 0              # where in hist the predicted byte is
        self.mbucket = 0
        self.counters = [Counter() for _ in range(64)]   # MC[0..63]
        self.counter = None        # mc: the counter of this decision, or None
        self.expected = 0          # the bit the match predicts

    def input(self, hist, c0, bp):
        """[Match model] match_input(): sets `counter` and `expected`, returns
        slot 10."""
        self.counter = None
        self.expected = 0
        if self.mlen == 0:
            return 0
        e = hist[self.mptr] + 256            # the predicted byte, with a leading 1
        if (e >> (8 - bp)) != c0:            # the byte being decoded already differs
            return 0
        self.expected = (e >> (7 - bp)) & 1
        self.counter = self.counters[2 * self.mbucket + self.expected]
        if self.counter.cnt == 0:
            return MATCH_UNCOUNTED if self.expected else -MATCH_UNCOUNTED
        return st_fast(self.counter)

    def end_byte(self, hist):
        """[Match model] match_end_byte(y): y has just joined hist."""
        n = len(hist)
        y = hist[n - 1]
        if self.mlen > 0 and hist[self.mptr] == y:
            self.mptr += 1
            self.mlen = min(self.mlen + 1, MAX_MATCH)
        else:
            self.mlen = 0
        if n >= MIN_MATCH:
            hm = hash2(hash2(hash2(0, hist[n - 3]), hist[n - 2]), hist[n - 1])
            index = hm & self.index_mask
            q = self.table.get(index, 0)
            if self.mlen == 0 and q > 0:
                # Confirm the candidate: a hash collision gives k < 3.
                k = 0
                while k < MATCH_VERIFY and k < q and hist[q - 1 - k] == hist[n - 1 - k]:
                    k += 1
                if k >= MIN_MATCH:
                    self.mlen = k
                    self.mptr = q
            self.table[index] = n
        self.mbucket = match_bucket(self.mlen)


# =============================================================================
# "Numeric model (profiles 3 and 4)" and "Profile 4: the signal rebuilt"
# =============================================================================
# The predictors P[k], each a prediction of the sample's value (for profile 4
# turned back into a residual), fixed while the sample's bits are decoded:
#   k  images (R > 0)                            audio (R = 0)
#   0  LMS LI0 over X, fast (sh 2)               LMS LA0 over own(16) ++ cross
#   1  LMS LI1 over X, slow (sh 5)               LMS LA1 over own(256) ++ cross
#   2  medr: LMS LP over the rebuilt pixels;     P1 + LMS LA2 over P1's errors
#      else the previous sample (C > 1) or (W + N) / 2
#   3  medr: W + N - NW; else 0                  LMS LA3 over own(32) ++ cross
#   4  medr, C > 1: the previous sample plus     0
#      the mean of its W and N differences;
#      C = 1: N + NE - NNE; else 0
#   5  medr, C > 1: the previous sample plus     P2 + LMS LA4 over P2's errors
#      the gradient difference; C = 1:
#      W + NE - N; else 0
#   (medr: pixel predictions turned into residual predictions by res())
#   profile 4 only (audio, signal rebuilt):
#   6  a short LMS over the signal's differences (LS5 or LS8, fast)
#   7  the last signal value plus a long LMS (LS6)
#   8  P7 plus a stage on its errors (LS7)
#   9  P6's slow twin (LS9 or LS10)

NP_PROFILE3 = 6
NP_PROFILE4 = 10
INPUTS_PER_PREDICTOR = 3
SCALE_INITIAL = 256          # M[k], mean absolute error in 1/16: 16.0
SCALE_FLOOR = 4
ERROR_LIMIT = 1 << 24        # E1, E2, SE and the M update clamp errors here
QW_LEVELS = 16               # qw: 0..15
QD_OFFSET = 32               # qd + 32: 1..63
F_PER_WIDTH = 64             # F[(k*16 + qw)*64 + qd + 32]
Q_LEVELS = 16                # qc: 1..15
Q_CHANNELS = 4               # Q's last index: c & 3
DEPTH_CONTEXTS = 16          # dd = min(depth, 15)

# Signal rebuilding (profile 4): s = r + 2*rho*s1 - rho^2*s2 in 1/65536 of a
# sample, rho = 1 - 2^-10, approximated by the shifts in signal_predictions.
SIGNAL_LIMIT = 1 << 44       # |S1|
SIGNAL_OUT_LIMIT = 1 << 25   # |SG|

# The filters: (taps, step shift). Image taps X are 11; audio inputs are
# own(K) ++ cross (K + 3); dsig(K) is K + 17.
LMS_KINDS = {
    "LI0": (11, 2), "LI1": (11, 5), "LP": (10, 7),                   # images
    "LA0": (19, 2), "LA1": (259, 4), "LA2": (16, 3), "LA3": (35, 3),  # audio
    "LA4": (32, 3),
    "LS5": (16, 3), "LS6": (273, 3), "LS7": (16, 3), "LS8": (49, 3),  # profile 4
    "LS9": (16, 6), "LS10": (49, 6),
}
DSIG_OTHER_TAPS = 17


class SampleArray(dict):
    """[Numeric model: Samples] A per-sample array (V, E1, E2, PX, SG, DS, SE):
    every entry at t < 0 and every entry not yet written reads 0."""

    def __missing__(self, t):
        return 0


class NumericModel:
    """[Numeric model (profiles 3 and 4)] The samples read back as numbers: NP
    predictions per sample, and for each decision 3 inputs per predictor from
    counters chosen by where the prediction falls in the interval the bits so
    far leave."""

    # Hooks for a later profile built on this model (profile8.py): its number
    # of predictors (None: 6 in profile 3, 10 in profile 4) and the shift at
    # which the error scales M follow (4: 1/16 of the way a sample).
    PREDICTORS = None
    SCALE_SHIFT = 4

    def __init__(self, profile, shape):
        vf = shape.vf
        # "Parameters"
        self.nb = vf & VF_BYTES_MASK            # bytes per sample
        self.bits = 8 * self.nb
        self.half = 1 << (self.bits - 1)
        self.mask = (1 << self.bits) - 1
        self.sgn = bool(vf & VF_SIGNED)
        self.medr = bool(vf & VF_MED)
        self.sig = bool(vf & VF_SIGNAL)
        self.C = shape.stride // self.nb        # samples per frame (channels)
        self.R = shape.row // self.nb           # samples per row; 0: audio
        self.skip = shape.phase // self.nb      # g(0)
        self.d0 = 8 * (shape.phase % self.nb)   # bits of sample 0 before the segment
        self.fine = self.R == 0                 # audio: fine quantizer; images: coarse
        self.NP = self.PREDICTORS or (NP_PROFILE4 if profile == 4 else NP_PROFILE3)

        # "Samples": per-sample arrays
        self.V = SampleArray()     # the sample's value
        self.E1 = SampleArray()    # audio: P1's error, clamped
        self.E2 = SampleArray()    # audio: P2's error, clamped
        self.PX = SampleArray()    # images with medr: the rebuilt pixel, 0..mask
        self.SG = SampleArray()    # profile 4: the rebuilt signal (in 2^-fr)
        self.DS = SampleArray()    # profile 4: its first difference
        self.SE = SampleArray()    # profile 4: LS6's clamped error

        # "Error scales": M[c][k]; one set for all channels except in profile 4.
        n_sets = self.C if self.sig else 1
        self.M = [[SCALE_INITIAL] * self.NP for _ in range(n_sets)]

        # "Interval counters": fine F and coarse Q (no checks, never taken over).
        self.F = [Counter() for _ in range(self.NP * QW_LEVELS * F_PER_WIDTH)]
        self.Q = [Counter() for _ in range(self.NP * QW_LEVELS * Q_LEVELS * Q_CHANNELS)]

        # "LMS filters": one of each kind serves every channel.
        if self.R > 0:
            kinds = ["LI0", "LI1", "LP"]
        else:
            kinds = ["LA0", "LA1", "LA2", "LA3", "LA4"]
        if self.sig:
            kinds += ["LS5", "LS6", "LS7", "LS8", "LS9", "LS10"]
        self.lms = {kind: LMSFilter(*LMS_KINDS[kind]) for kind in kinds}

        # "Signal state" (profile 4)
        self.S1 = [0] * self.C
        self.S2 = [0] * self.C
        self.fr = 4 if self.bits <= 16 else 0   # fractional bits of SG
        self.more_state()

        # "Start"
        self.t = 0
        self.depth = self.d0
        self.prefix = 0
        self.begin_sample()
        self.interval_contexts()

    def more_state(self):
        """Hook: a later profile's own state, set up before the first
        begin_sample (the parameters are known by then). None here."""

    def g(self, t):
        """[Numeric model: Samples] g(t), the sample's place from the start of
        the frame (audio) or row (images) in which the segment starts."""
        return self.skip + t

    def ch(self, t):
        """[Numeric model: Samples] ch(t), the sample's channel."""
        return self.g(t) % self.C

    # --- begin_sample -------------------------------------------------------

    def begin_sample(self):
        """[Numeric model: begin_sample] The predictions P0..P(NP-1) of sample
        t and their scales."""
        self.c = self.ch(self.t)
        scales = self.M[self.c if self.sig else 0]
        self.scale = [max(m, SCALE_FLOOR) for m in scales]
        self.slog = [ilog2(s) for s in self.scale]
        self.P = [0] * self.NP
        if self.R > 0:
            self.image_predictions()
        else:
            self.audio_predictions()
        if self.sig:
            self.signal_predictions()

    def image_predictions(self):
        """[Numeric model: Images] image_predictions (R > 0)."""
        V, t, C, R, P = self.V, self.t, self.C, self.R, self.P
        # X, the 11 image taps (the same channel unless said otherwise):
        #   0 W, 1 N, 2 NW, 3 NE, 4 WW, 5 NN, 6 N two right,
        #   7 the previous sample (previous channel, or previous pixel's last),
        #   8 the one before, 9 the previous sample's W, 10 its N
        self.X = [V[t - C], V[t - R], V[t - R - C], V[t - R + C], V[t - 2 * C], V[t - 2 * R],
                  V[t - R + 2 * C], V[t - 1], V[t - 2], V[t - 1 - C], V[t - 1 - R]]
        P[0] = self.lms["LI0"].predict(self.X)
        P[1] = self.lms["LI1"].predict(self.X)
        if not self.medr:
            P[2] = V[t - 1] if C > 1 else div_trunc(V[t - C] + V[t - R], 2)
            return   # P3 = P4 = P5 = 0

        # medr: rebuild the pixels and the MED prediction m the adapter
        # subtracted, as far as the segment can know it (its first row and
        # each row's first pixel follow the adapter's border rules).
        PX, half, mask = self.PX, self.half, self.mask
        w, nn, nw, ne = PX[t - C], PX[t - R], PX[t - R - C], PX[t - R + C]
        nne = PX[t - 2 * R + C]
        # the previous sample, and its W, N, NW
        pp, pw, pn, pnw = PX[t - 1], PX[t - 1 - C], PX[t - 1 - R], PX[t - 1 - R - C]
        gt = self.g(t)
        if gt < R:                    # the segment's first row
            m = half if gt < C else w
        elif gt % R < C:              # a row's first pixel
            m = nn
        else:
            m = med(w, nn, nw)
        self.m = m
        # XP, the 10 pixel taps, centred: W, N, NW, NE, WW, NN, previous sample, its W, N, NW
        self.XP = [y - half for y in (w, nn, nw, ne, PX[t - 2 * C], PX[t - 2 * R], pp, pw, pn, pnw)]
        self.q = self.lms["LP"].predict(self.XP)

        def res(y):   # a pixel prediction turned into a prediction of the residual
            return ((clamp(y, 0, mask) - m + half) & mask) - half

        P[2] = res(self.q + half)
        P[3] = res(w + nn - nw)
        if C > 1:
            P[4] = res(pp + div_trunc(w - pw + nn - pn, 2))
            P[5] = res(pp + (w + nn - nw) - (pw + pn - pnw))
        else:
            P[4] = res(nn + ne - nne)
            P[5] = res(w + ne - nn)

    def own(self, k):
        """[Numeric model: Audio] own(K): the channel's last K samples, newest
        first."""
        V, t, C = self.V, self.t, self.C
        return [V[t - i * C] for i in range(1, k + 1)]

    def audio_predictions(self):
        """[Numeric model: Audio] audio_predictions (R = 0)."""
        V, t, C, c, P = self.V, self.t, self.C, self.c, self.P
        # cross, 3 taps of the other channels:
        #   0 the previous channel, same frame
        #   1 c > 0: that channel a frame back; c = 0: the last channel a frame back
        #   2 the next channel, a frame back
        cross = [V[t - 1] if c > 0 else 0,
                 (V[t - 1 - C] if c > 0 else V[t - 1]) if C > 1 else 0,
                 V[t + 1 - C] if c + 1 < C else 0]
        self.XS = self.own(16) + cross
        self.XL = self.own(256) + cross
        self.XM = self.own(32) + cross
        self.XE = [self.E1[t - i * C] for i in range(1, 17)]
        self.XE2 = [self.E2[t - i * C] for i in range(1, 33)]
        P[0] = self.lms["LA0"].predict(self.XS)
        P[1] = self.lms["LA1"].predict(self.XL)
        P[2] = P[1] + self.lms["LA2"].predict(self.XE)   # a second stage on P1's errors
        P[3] = self.lms["LA3"].predict(self.XM)
        P[4] = 0
        P[5] = P[2] + self.lms["LA4"].predict(self.XE2)  # a third stage on P2's errors

    def dsig(self, k):
        """[Profile 4: the signal rebuilt] dsig(K), K + 17 taps: the channel's
        own last K first differences, then 17 of another channel (zeros if C =
        1): the previous channel, whose current sample is known, or for channel
        0 the next channel a frame back."""
        DS, t, C = self.DS, self.t, self.C
        own = [DS[t - i * C] for i in range(1, k + 1)]
        if C == 1:
            return own + [0] * DSIG_OTHER_TAPS
        o = t - 1 if self.c > 0 else t + 1 - C
        return own + [DS[o - i * C] for i in range(DSIG_OTHER_TAPS)]

    def signal_predictions(self):
        """[Profile 4: the signal rebuilt] signal_predictions (P6..P9), run in
        begin_sample after audio_predictions."""
        SG, t, C, c, P = self.SG, self.t, self.C, self.c, self.P
        s1, s2 = self.S1[c], self.S2[c]
        # The signal's next value if the residual is 0: 2*rho*s1 - rho^2*s2.
        self.base = 2 * s1 - s2 - ((s1 - s2) >> 9) - (s2 >> 20)
        res = self.signal_res
        last = SG[t - C]
        if c > 0:   # the difference to the previous channel
            self.XD = [SG[t - i * C] - SG[t - i * C - 1] for i in range(1, 17)]
            start = SG[t - 1]
            self.Lf, self.Ls = self.lms["LS5"], self.lms["LS9"]
        else:
            self.XD = self.dsig(32)
            start = last
            self.Lf, self.Ls = self.lms["LS8"], self.lms["LS10"]
        self.ys = start + self.Lf.predict(self.XD)
        P[6] = res(self.ys)
        self.yw = start + self.Ls.predict(self.XD)
        P[9] = res(self.yw)
        self.XG = self.dsig(256)
        self.yl = last + self.lms["LS6"].predict(self.XG)
        P[7] = res(self.yl)
        self.XSE = [self.SE[t - i * C] for i in range(1, 17)]
        self.ye = self.lms["LS7"].predict(self.XSE)
        P[8] = res(self.yl + self.ye)

    def signal_res(self, y):
        """[Profile 4: the signal rebuilt] res(y): a signal prediction (in
        2^-fr) as a prediction of the residual, against the base of the
        sample signal_predictions last began."""
        return (y * (1 << (16 - self.fr)) - self.base) >> 16

    # --- per decision -------------------------------------------------------

    def interval_contexts(self):
        """[Numeric model: Interval contexts] Where each prediction falls
        relative to the middle of the values the bits so far leave; picks Fk
        and Qk."""
        left = self.bits - self.depth                       # 2^left values remain
        lo = (self.prefix << left) - (self.half if self.sgn else 0)
        mid = lo + (1 << (left - 1))                        # a 1 means v >= mid
        self.flip = self.sgn and self.depth == 0            # the sign bit: a 1 is the lower half
        q_channel = self.c & (Q_CHANNELS - 1)
        self.qd = [0] * self.NP
        self.qw = [0] * self.NP
        self.Fk = [None] * self.NP
        self.Qk = [None] * self.NP
        for k in range(self.NP):
            qd = quantize(div_trunc((mid - self.P[k]) * 64, self.scale[k]), self.fine)
            qw = clamp(left - self.slog[k] + 7, 0, QW_LEVELS - 1)   # interval width vs error scale
            qc = clamp(div_trunc(qd, 4), -7, 7) + 8
            self.qd[k], self.qw[k] = qd, qw
            self.Fk[k] = self.F[(k * QW_LEVELS + qw) * F_PER_WIDTH + qd + QD_OFFSET]
            self.Qk[k] = self.Q[((k * QW_LEVELS + qw) * Q_LEVELS + qc) * Q_CHANNELS + q_channel]

    def inputs(self):
        """[Numeric model: numeric_inputs] Slots 24 + 3k, 25 + 3k, 26 + 3k for
        predictor k; negated at the sign bit, where a 1 is the lower half."""
        sg = -1 if self.flip else 1
        out = []
        for k in range(self.NP):
            out += [sg * st_fast(self.Fk[k]), sg * st_slow(self.Fk[k]), sg * st_fast(self.Qk[k])]
        return out

    def weight_set(self):
        """[Numeric model: Weight set and APM contexts] numeric_set(): profile
        3 0..255; profile 4 0..511."""
        dd = min(self.depth, DEPTH_CONTEXTS - 1)
        s = dd * QW_LEVELS + self.qw[0]
        if self.sig:
            s += 256 * min(self.c, 1)   # first channel or not
        return s

    def apm1_context(self):
        """[Numeric model: Weight set and APM contexts] numeric_ctx1(), APM1's
        context: 0..1023."""
        dd = min(self.depth, DEPTH_CONTEXTS - 1)
        return dd * 64 + (self.qd[0] if self.R > 0 else self.qd[2]) + QD_OFFSET

    def apm2_context(self):
        """[Numeric model: Weight set and APM contexts] numeric_ctx2(), APM2's
        context (audio only): 0..1023."""
        dd = min(self.depth, DEPTH_CONTEXTS - 1)
        return dd * 64 + self.qd[5] + QD_OFFSET

    def update(self, bit):
        """[Numeric model: numeric_update] Train the interval counters, extend
        the prefix; after a sample's last bit, end it and begin the next."""
        up = 1 - bit if self.flip else bit   # 1: the value is in the upper half
        for k in range(self.NP):
            counter_train(self.Fk[k], up, LIMIT_NUMERIC)
            counter_train(self.Qk[k], up, LIMIT_NUMERIC)
        self.prefix = 2 * self.prefix + up
        self.depth += 1
        if self.depth == self.bits:
            self.end_sample()
            self.t += 1
            self.depth = 0
            self.prefix = 0
            self.begin_sample()
        self.interval_contexts()

    def end_sample(self):
        """[Numeric model: end_sample] The sample's value, the error scales and
        the filters, all with what begin_sample computed for sample t."""
        t, P = self.t, self.P
        v = self.prefix - (self.half if self.sgn else 0)   # offset binary back to the value
        self.V[t] = v
        scales = self.M[self.c if self.sig else 0]
        for k in range(self.NP):
            a = min(abs(v - P[k]), ERROR_LIMIT) * 16
            scales[k] += (a - scales[k]) >> self.SCALE_SHIFT
        lms = self.lms
        if self.R > 0:
            lms["LI0"].update(self.X, v - P[0])
            lms["LI1"].update(self.X, v - P[1])
            if self.medr:
                y = (v + self.m) & self.mask
                self.PX[t] = y
                lms["LP"].update(self.XP, (y - self.half) - self.q)
        else:
            lms["LA0"].update(self.XS, v - P[0])
            lms["LA1"].update(self.XL, v - P[1])
            lms["LA2"].update(self.XE, v - P[2])
            lms["LA3"].update(self.XM, v - P[3])
            lms["LA4"].update(self.XE2, v - P[5])
            self.E1[t] = clamp(v - P[1], -ERROR_LIMIT, ERROR_LIMIT)
            self.E2[t] = clamp(v - P[2], -ERROR_LIMIT, ERROR_LIMIT)
            if self.sig:
                self.signal_end(v)

    def signal_end(self, v):
        """[Profile 4: the signal rebuilt] signal_end, run in end_sample after
        E1 and E2: rebuild the signal from the residual v and train the
        signal predictors."""
        t, c = self.t, self.c
        self.S2[c] = self.S1[c]
        self.S1[c] = clamp(v * 65536 + self.base, -SIGNAL_LIMIT, SIGNAL_LIMIT)
        y = clamp(self.S1[c] >> (16 - self.fr), -SIGNAL_OUT_LIMIT, SIGNAL_OUT_LIMIT)
        self.SG[t] = y
        self.DS[t] = y - self.SG[t - self.C]
        self.Lf.update(self.XD, y - self.ys)
        self.Ls.update(self.XD, y - self.yw)
        self.lms["LS6"].update(self.XG, y - self.yl)
        e = clamp(y - self.yl, -ERROR_LIMIT, ERROR_LIMIT)
        self.lms["LS7"].update(self.XSE, e - self.ye)
        self.SE[t] = e


# =============================================================================
# "Coding a segment": the mixer
# =============================================================================

N_INPUTS = {1: SLOT_NUMERIC, 2: SLOT_NUMERIC,                  # 24
            3: SLOT_NUMERIC + INPUTS_PER_PREDICTOR * NP_PROFILE3,  # 42
            4: SLOT_NUMERIC + INPUTS_PER_PREDICTOR * NP_PROFILE4}  # 54
N_SETS_B = {1: 448, 2: 448, 3: 256, 4: 512}   # NB: weight sets WB
N_SETS_A = 1024                                # WA, chosen by (place & 3, c0)
APM0_CONTEXTS = 256
APM1_CONTEXTS = 65536
APM2_CONTEXTS = 1024

# mix32(c0 * 0x2545F491) for every c0: combined with tables 1..9's byte contexts.
C0_HASH = [mix32((c0 * 0x2545F491) & U32) for c0 in range(256)]


class Mixer:
    """[Coding a segment: Byte state, Mixer state] The mixer of one mixed
    segment: built fresh for every segment from its profile, shape and raw
    length n ("Lifetime").

    A later profile that keeps the byte state, the tables, the match model
    and the byte contexts and mixes differently (profile 8, profile8.py)
    subclasses it and replaces four hooks: mixer_state (its weight sets and
    APMs), numeric_model, mix (predict's part after the inputs) and
    train_mix (update's part that trains what mix used)."""

    def __init__(self, profile, shape, n):
        self.profile = profile
        self.shape = shape
        bits = table_bits(n)

        # "Byte state"
        self.hist = bytearray()   # the bytes decoded so far
        self.c0 = 1               # 1 followed by the bits of the current byte so far
        self.bp = 0               # how many such bits
        self.word = 0             # hash of the current word
        self.pword = 0            # hash of the previous word

        # "Mixer state"
        self.mixer_state(profile)
        self.T = [HashedCounterTable(bits) for _ in range(NUM_CONTEXTS)]
        self.match = MatchModel(bits)
        self.numeric = self.numeric_model(profile, shape) if profile >= 3 else None

        # base[0..9], the contexts of the byte about to be decoded (after every byte, again)
        self.byte_contexts = byte_contexts_profile1 if profile == 1 else byte_contexts_sampled
        self.base = self.byte_contexts(self)

    def mixer_state(self, profile):
        """[Coding a segment: Mixer state] N_in, WA, WB and APM0..APM2."""
        self.n_inputs = N_INPUTS[profile]
        self.WA = WeightSets(N_SETS_A, self.n_inputs)
        self.WB = WeightSets(N_SETS_B[profile], self.n_inputs)
        self.APM0 = APM(APM0_CONTEXTS)
        self.APM1 = APM(APM1_CONTEXTS)
        self.APM2 = APM(APM2_CONTEXTS)

    def numeric_model(self, profile, shape):
        """[Numeric model (profiles 3 and 4)] The numeric model of profiles 3
        and 4."""
        return NumericModel(profile, shape)

    def back(self, k):
        """[Coding a segment: Byte state] back(k): the byte k back (k >= 1), 0
        before the segment."""
        n = len(self.hist)
        return self.hist[n - k] if k <= n else 0

    def place(self):
        """[Coding a segment: Byte state] place: the place of the byte about to
        be decoded in its sample frame (profiles 2-4, 8); 0 in profile 1."""
        if self.profile == 1:
            return 0
        return (len(self.hist) + self.shape.phase) % self.shape.stride

    def predict(self, ones, total):
        """[Coding a segment: predict] predict(ones, total): the probability of
        a 1 in 1/4096, 1..4095."""
        return self.mix(self.inputs(ones, total))

    def inputs(self, ones, total):
        """[Coding a segment: predict] The inputs x[0..N_in-1]: the contexts'
        counters (their slots looked up), the match, the model, the bias and
        the numeric model's."""
        c0 = self.c0
        c1 = self.back(1)
        # Table 0 is direct: index back(1)*256 + c0, check back(1) (never taken over).
        hashes = [(c1 << 24) | self.base[0] | c0]
        c0_hash = C0_HASH[c0]
        hashes += [self.base[i] ^ c0_hash for i in range(1, NUM_CONTEXTS)]

        x = [0] * self.n_inputs
        self.slots = [self.T[i].lookup(hashes[i]) for i in range(NUM_CONTEXTS)]
        for i, slot in enumerate(self.slots):
            x[SLOT_CONTEXT_FAST + i] = st_fast(slot)
            x[SLOT_CONTEXT_SLOW + i] = st_slow(slot)
        x[SLOT_MATCH] = self.match.input(self.hist, c0, self.bp)
        pm = clamp((ones * 4096 + total // 2) // total, 1, 4095)
        x[SLOT_MODEL_STRETCH] = stretch(pm)
        x[SLOT_MODEL_LINEAR] = div_trunc(pm - 2048, 2)
        x[SLOT_BIAS] = 256
        if self.numeric:
            x[SLOT_NUMERIC:] = self.numeric.inputs()
        self.x = x
        return x

    def mix(self, x):
        """[Coding a segment: predict] Profiles 1-4: two weight sets, their
        average and the APMs."""
        c0 = self.c0
        # Two weight sets, each chosen by its own small context.
        a = (self.place() & 3) * 256 + c0
        if self.numeric is None:
            m = self.match
            # ms 0..6: no match, else 3 length classes x the expected bit;
            # conf 0..7: how far the model's probability is from 1/2.
            ms = 0 if m.counter is None else 1 + (min(m.mbucket, 14) // 5) * 2 + m.expected
            conf = min(7, abs(x[SLOT_MODEL_STRETCH]) // 256)
            b = (ms * 8 + conf) * 8 + self.bp   # 0..447
        else:
            b = self.numeric.weight_set()
        self.wa = self.WA.get(a)
        self.wb = self.WB.get(b)
        self.p_a = squash(mixer_dot(self.wa, x))
        self.p_b = squash(mixer_dot(self.wb, x))
        p_mix = squash(div_trunc(stretch(self.p_a) + stretch(self.p_b), 2))

        # The APMs refine the mix; the final p averages them with it.
        r0 = self.APM0.refine(c0, p_mix)
        if self.numeric is None:
            r1 = self.APM1.refine(c0 + 256 * self.back(1), p_mix)
        else:
            r1 = self.APM1.refine(self.numeric.apm1_context(), p_mix)
        self.apm2_used = self.numeric is not None and self.shape.row == 0
        if self.apm2_used:
            r2 = self.APM2.refine(self.numeric.apm2_context(), p_mix)
            return clamp((r0 + r1 + 2 * r2 + 2) >> 2, 1, 4095)
        return clamp((p_mix + r0 + 2 * r1 + 2) >> 2, 1, 4095)

    def update(self, bit):
        """[Coding a segment: update] update(bit): trains what predict() just
        used (the order of the trainings does not matter), then advances."""
        for slot in self.slots:
            counter_train(slot, bit, LIMIT_CONTEXT)
        if self.match.counter is not None:
            counter_train(self.match.counter, bit, LIMIT_MATCH)
        self.train_mix(bit)
        if self.numeric:
            self.numeric.update(bit)
        self.c0 = 2 * self.c0 + bit
        self.bp += 1
        if self.bp == 8:
            self.end_byte(self.c0 - 256)
            self.c0 = 1
            self.bp = 0

    def train_mix(self, bit):
        """[Coding a segment: update] Profiles 1-4: the two weight sets and the
        APMs predict used."""
        mixer_train(self.wa, self.x, self.p_a, bit)
        mixer_train(self.wb, self.x, self.p_b, bit)
        self.APM0.update(bit)
        self.APM1.update(bit)
        if self.apm2_used:
            self.APM2.update(bit)

    def end_byte(self, y):
        """[Coding a segment: update] end_byte(y): y joins the history; words,
        match model and byte contexts follow."""
        self.hist.append(y)
        letter = y + 32 if 65 <= y <= 90 else y    # ASCII letters folded to lower case
        if 97 <= letter <= 122 or letter >= 128:
            self.word = hash2(self.word, letter)
        elif self.word != 0:
            self.pword = self.word
            self.word = 0
        self.match.end_byte(self.hist)
        self.base = self.byte_contexts(self)


def byte_contexts_profile1(mx):
    """[Byte contexts: profile 1] base[0..9] for the next byte."""
    back = mx.back
    c1 = back(1)
    c4 = back(1) | back(2) << 8 | back(3) << 16 | back(4) << 24   # the last 4 bytes
    c8 = back(5) | back(6) << 8 | back(7) << 16 | back(8) << 24   # the 4 before them
    return [
        c1 << 8,                                   # 0 order 1 (direct)
        hash2(c4 & 0xFFFF, 2),                     # 1 order 2
        hash2(c4 & 0xFFFFFF, 3),                   # 2 order 3
        hash2(c4, 4),                              # 3 order 4
        hash2(c4, hash2(c8 & 0xFFFF, 6)),          # 4 order 6
        hash2(mx.word, 7),                         # 5 the current word
        hash2(back(2), 8),                         # 6 the byte two back
        hash2(c4 & 0xFF00FF00, 9),                 # 7 bytes 2 and 4 back
        hash2(c4, hash2(c8 & 0xFF, 5)),            # 8 order 5
        hash2(mx.word, hash2(mx.pword, 10)),       # 9 the word pair
    ]


def byte_contexts_sampled(mx):
    """[Byte contexts: profiles 2, 3 and 4] base[0..9] for the next byte,
    from the same byte of neighbouring sample frames."""
    back = mx.back
    s = mx.shape.stride
    up = mx.shape.row if mx.shape.row > 0 else 3 * s   # the row above, or three frames back
    ph = mx.place() + 1
    c1, c2, c3 = back(1), back(2), back(3)
    l, l2 = back(s), back(2 * s)        # same byte, one and two frames back
    u, ul = back(up), back(up + s)      # above, above-left
    ur = back(up - s) if up > s else 0  # above-right
    return [
        c1 << 8,                                          # 0 order 1 (direct)
        hash2(ph, hash2(c1 | c2 << 8, 11)),               # 1 c1, c2
        hash2(ph, hash2(l, 12)),                          # 2 L
        hash2(ph, hash2(l | l2 << 8, 13)),                # 3 L, L2
        hash2(ph, hash2(u, 14)),                          # 4 U
        hash2(ph, hash2(u | l << 8, 15)),                 # 5 U, L
        hash2(ph, hash2(u | ul << 8 | ur << 16, 16)),     # 6 U, UL, UR
        hash2(ph, hash2(c1 | l << 8, 17)),                # 7 c1, L
        hash2(ph, hash2(c1 | u << 8, 18)),                # 8 c1, U
        hash2(ph, hash2(c1 | c2 << 8 | c3 << 16, 19)),    # 9 c1, c2, c3
    ]


# =============================================================================
# "Profile 5: bytes with bit histories"
# =============================================================================
# A mixer of its own: of "Coding a segment" it shares only the primitives
# (squash, stretch, hash2, APMs, dot) and the byte state (hist, c0, bp, c4, c8).

P5_CONTEXTS = 18          # base[0..17]
P5_INPUTS = 42            # x[0..41]
P5_SLOT_MATCH = 36        # 36, 37: the match
P5_SLOT_MODEL = 38        # 38 stretch(pm), 39 linear, 40 stretch(MAPM)
P5_SLOT_BIAS = 41
P5_SETS = (256, 136, 256, 192, 2048, 2048)   # W[0..5]: sets chosen by k[0..5]
P5_MIXER_RATE = 40        # err = ((bit << 12) - ps[j]) * 40
P5_FINAL_WEIGHT = 65536 // 6   # F's initial weights: 10922
P5_FINAL_LIMIT = 1 << 22
P5_NT_SLOTS = 4           # slots per line of NT
P5_NODES = 15             # states per slot: the nibble's 15 nodes
P5_MATCH_MIN = 6          # the match model hashes, and verifies, 6 bytes
P5_MATCH_VERIFY = 255


def p5_build_states():
    """[Profile 5: Bit histories] The 245 states (n0, n1, last) and next[s][bit],
    built by the document's walk."""
    def cap(o):
        return (60, 30, 14, 8, 5)[min(o, 4)]
    states = [(0, 0, 0)]
    index = {states[0]: 0}
    nxt = []
    s = 0
    while s < len(states):
        row = [0, 0]
        for y in (0, 1):
            n0, n1, _ = states[s]
            n = [n0, n1]
            n[y] += 1
            if n[1 - y] > 2:
                n[1 - y] = (n[1 - y] + 1) // 2      # positive: / is //
            n[y] = min(n[y], cap(n[1 - y]))
            last = y if (n[0] > 0 and n[1] > 0 and n[0] + n[1] <= 8) else 0
            t = (n[0], n[1], last)
            if t not in index:
                index[t] = len(states)
                states.append(t)
            row[y] = index[t]
        nxt.append(row)
        s += 1
    return states, nxt


P5_STATES, P5_NEXT = p5_build_states()
# The document's check values.
assert len(P5_STATES) == 245
assert P5_NEXT[0] == [1, 2] and P5_NEXT[1][1] == 4 and P5_NEXT[2][0] == 5
assert P5_STATES[1] == (1, 0, 0) and P5_STATES[2] == (0, 1, 0)
assert P5_STATES[4] == (1, 1, 1) and P5_STATES[5] == (1, 1, 0)


def _p5_check_ones():
    s = 2
    for _ in range(59):
        s = P5_NEXT[s][1]
    assert P5_STATES[s] == (0, 60, 0) and P5_NEXT[s][1] == s


_p5_check_ones()
P5_NEXT0 = [row[0] for row in P5_NEXT]
P5_NEXT1 = [row[1] for row in P5_NEXT]
P5_SEEN = [n0 + n1 for n0, n1, _ in P5_STATES]                  # n0 + n1
P5_DETERMINISTIC = [n0 == 0 or n1 == 0 for n0, n1, _ in P5_STATES]

# [Profile 5: State maps] An entry: a probability of a 1 in 22 bits over a
# 10-bit count k; smrate(k) its step.
SM_COUNT_MAX = 1023
SM_RATE = [131072 // (2 * k + 3) for k in range(SM_COUNT_MAX + 1)]
SM_HALF = 2048 << 20
SM_ONE = 4095 << 10       # the target of a 1 (in 22 bits)
P5_SM_INITIAL = [((2 * n1 + 1) * 4096 // (2 * (n0 + n1) + 2)) << 20
                 for n0, n1, _ in P5_STATES] + [SM_HALF] * (256 - len(P5_STATES))

# sm_p returns 0..4095 (0 happens: an entry of a state that keeps seeing 0s
# decays below 1/4096) and is stretched; "Shared primitives" defines stretch
# on 1..4095 only, but its rule ("the least x in -2047..2047 with squash(x) >=
# p") gives stretch(0) = -2047, which the encoder's vectors confirm.
P5_STRETCH = list(STRETCH_TABLE)
P5_STRETCH[0] = -STRETCH_LIMIT


def sm_update(M, i, bit):
    """[Profile 5: State maps] sm_update(M, bit), the entry i = M.last (what
    sm_p last read): its probability moves toward the bit by smrate(k), k
    counts up to 1023. The step is q + (((target - q) * smrate(k)) >> 16),
    as in a counter's train (the document's line, without those parentheses,
    would read (q + ...) >> 16 by C's precedence; the vectors say otherwise)."""
    e = M[i]
    k = e & SM_COUNT_MAX
    q = e >> 10
    q += (((SM_ONE if bit else 0) - q) * SM_RATE[k]) >> 16
    M[i] = (q << 10) | (k + 1 if k < SM_COUNT_MAX else k)


def p5_nt_lines(n):
    """[Profile 5: The nibble table] L: (the least of 2^22..2^26 that is >=
    64n, or 2^26) / 64 lines."""
    for e in range(22, 27):
        if (1 << e) >= 64 * n:
            return (1 << e) // 64
    return (1 << 26) // 64


def char_class(c):
    """[Profile 5: Contexts] class(c)."""
    if 97 <= c <= 122:
        return 1
    if 65 <= c <= 90:
        return 2
    if 48 <= c <= 57:
        return 3
    if c == 32:
        return 4
    if c == 10:
        return 5
    if c >= 128:
        return 6
    return 7 + c


class Profile5Mixer:
    """[Profile 5: bytes with bit histories] The mixer of one profile-5 mixed
    segment of n bytes, built fresh for each: 18 contexts whose bit histories
    (states) live in the nibble table, a match model of order 6, the model's
    input, six weight sets mixed by a final mixer, four APMs.

    Profile 7 (profile7.py) is this mixer with more contexts and inputs: it
    sets `contexts` and `inputs`, places its contexts' inputs (input_of) and
    adds its own (more_inputs, more_update). Profile 10 (profile10.py) is
    profile 7's with other sizes (nt_lines, order2_bits) and rate."""

    contexts = P5_CONTEXTS      # contexts with bit histories
    inputs = P5_INPUTS          # the weight sets' width

    def input_of(self, i):
        """The first of context i's two inputs."""
        return 2 * i

    def more_inputs(self, c0, bp, x):
        """Inputs past profile 5's 42 (none here)."""

    def more_update(self, bit):
        """Updates of what more_inputs read (none here)."""

    def nt_lines(self, n):
        """[Profile 5: The nibble table] L."""
        return p5_nt_lines(n)

    def order2_bits(self, n):
        """[Profile 5: Contexts] a2's bits: 10 (APM2 has 2^18 contexts)."""
        return 10

    def rate(self):
        """[Profile 5: update] The weight sets' rate: 40."""
        return P5_MIXER_RATE

    def __init__(self, n):
        bits = table_bits(n)
        # Byte state
        self.hist = bytearray()
        self.c0 = 1
        self.bp = 0
        self.c4 = 0
        self.c8 = 0
        # Profile 5's own state
        self.word = self.word1 = self.word2 = 0
        self.line = self.pline = 0
        self.F2 = bytearray(65536)
        self.F3 = bytearray(65536)
        self.base = [0] * P5_CONTEXTS     # set by begin_byte, which also runs now, for byte 0
        self.nt_mask = self.nt_lines(n) - 1
        self.NT = {}          # line index -> 4 slots, each [check, 15 states]; lines made on first use
        self.slot = [None] * self.contexts
        self.SM = [list(P5_SM_INITIAL) for _ in range(self.contexts)]
        self.mt_mask = (1 << bits) - 1
        self.MT = {}          # initially all 0
        self.mptr = 0
        self.mlen = 0
        self.MSM = [SM_HALF] * 64
        # every set starts at 0 but for W[j][k][38] = 65536 (the model alone)
        self.W = [WeightSets(count, self.inputs, P5_SLOT_MODEL) for count in P5_SETS]
        self.F = [[P5_FINAL_WEIGHT] * 6 for _ in range(256)]
        self.MAPM = APM(65536)
        self.APM0 = APM(256)
        self.APM1 = APM(65536)
        self.a2_bits = self.order2_bits(n)
        self.APM2 = APM(1 << (self.a2_bits + 8))
        self.APM3 = APM(16384)
        self.begin_byte()

    def back(self, k):
        """[Coding a segment: Byte state] back(k)."""
        n = len(self.hist)
        return self.hist[n - k] if k <= n else 0

    def find(self, h):
        """[Profile 5: The nibble table] find(h): the slot of h in its line,
        else the one whose first state has seen least, taken over (reset in
        place, so a context holding it sees the reset)."""
        line = self.NT.get(h & self.nt_mask)
        if line is None:
            line = self.NT[h & self.nt_mask] = [[0] * (1 + P5_NODES) for _ in range(P5_NT_SLOTS)]
        chk = (h >> 24) | 1
        for s in line:
            if s[0] == chk:
                return s
        best = line[0]
        for s in line[1:]:
            if P5_SEEN[s[1]] < P5_SEEN[best[1]]:
                best = s
        best[0] = chk
        best[1:] = [0] * P5_NODES
        return best

    def find_slots(self, nib):
        """[Profile 5: The nibble table] find_slots(nib), contexts 0..17 in order."""
        base = self.base
        self.slot = [self.find(hash2(base[i], nib)) for i in range(P5_CONTEXTS)]

    def node(self):
        """[Profile 5: The nibble table] node(): 0..14, the decision's node in
        the nibble. The slot holds check then states, so states[node] is slot[1 + node]."""
        bp, c0 = self.bp, self.c0
        if bp < 4:
            return c0 - 1
        m = 1 << (bp - 4)
        return (m | (c0 & (m - 1))) - 1

    def begin_byte(self):
        """[Profile 5: Contexts] begin_byte: base[0..17], a2, then find_slots(1)."""
        c1, c2 = self.back(1), self.back(2)
        c4, c8 = self.c4, self.c8
        col = len(self.hist) - self.line
        above = self.hist[self.pline + col] if (self.line > 0 and self.pline + col < self.line) else 0
        f2 = self.F2[c1 << 8 | c2]
        f3 = self.F3[hash2(c4 & 0xFFFFFF, 9) & 0xFFFF]
        word, word1, word2 = self.word, self.word1, self.word2
        self.base = [
            hash2(0, 100),                                          # order 0
            hash2(c1, 101),                                         # order 1
            hash2(c4 & 0xFFFF, 102),                                # order 2
            hash2(c4 & 0xFFFFFF, 103),                              # order 3
            hash2(c4, 104),                                         # order 4
            hash2(c4, hash2(c8 & 0xFF, 105)),                       # order 5
            hash2(c4, hash2(c8 & 0xFFFF, 106)),                     # order 6
            hash2(c4, hash2(c8, 107)),                              # order 8
            hash2(word, hash2(c1, 108)),                            # word so far, last byte
            hash2(word, hash2(word1, 109)),                         # word pair
            hash2(c4 & 0xFF00FF00, 110),                            # bytes 2 and 4 back
            hash2(c4 & 0xFFFF0000, 111),                            # bytes 3 and 4 back
            hash2(above | min(col, 255) << 8, hash2(c1, 112)),      # column
            hash2(word1, hash2(word2, hash2(word, 113))),           # word triple
            hash2(c1 | f2 << 8, 114),                               # indirect, two bytes
            hash2((c4 & 0xFFFF) | f3 << 16, 115),                   # indirect, three bytes
            hash2(word, hash2(c1, hash2(char_class(c2), 116))),
            hash2(word1, hash2(c1, 117)),
        ]
        self.a2 = hash2(c4 & 0xFFFF, 77) >> (32 - self.a2_bits)
        self.find_slots(1)

    def predict(self, ones, total):
        """[Profile 5: predict] predict(ones, total): 1..4095."""
        c0, bp = self.c0, self.bp
        c1 = self.back(1)
        node = 1 + self.node()            # the state's index in a slot
        x = [0] * self.inputs
        self.sm_last = last = [0] * self.contexts
        known = 0                         # counts profile 5's contexts 0..17 only
        for i in range(self.contexts):
            s = self.slot[i][node]
            last[i] = s                   # sm_p(SM[i], s) remembers s
            if s:
                p = self.SM[i][s] >> 20
                if i < P5_CONTEXTS:
                    known += 1
                a = self.input_of(i)
                x[a] = xs = P5_STRETCH[p]
                x[a + 1] = xs if P5_DETERMINISTIC[s] else (p - 2048) >> 2
        ms = 0
        matched = 0
        if self.mlen > 0 and (self.hist[self.mptr] | 256) >> (8 - bp) == c0:
            e = ((self.hist[self.mptr] | 256) >> (7 - bp)) & 1      # the bit the repeat predicts
            mlen = self.mlen
            mb = mlen if mlen < 12 else min(15, ilog2(mlen) + 8)
            self.msm_last = 2 * mb + e
            x[36] = P5_STRETCH[self.MSM[self.msm_last] >> 20]
            x[37] = min(2047, 32 * mlen) if e else -min(2047, 32 * mlen)
            ms = 1 + e + 2 * (mb >> 1)
            matched = 1
        self.matched = matched
        pm = clamp((ones * 4096 + total // 2) // total, 1, 4095)
        x[38] = stretch(pm)
        x[39] = (pm - 2048) >> 1
        x[40] = stretch(self.MAPM.refine(c0 | c1 << 8, pm))
        x[41] = 256
        self.more_inputs(c0, bp, x)
        q = clamp((x[38] + 2048) >> 7, 0, 31)
        conf = min(7, abs(x[38]) // 256)
        k = (c0,
             ms * 8 + bp,
             q * 8 + bp,
             (known * 8 // 19) * 24 + conf * 3 + min(2, bp // 3),
             c1 * 8 + bp,
             self.back(2) * 8 + bp)
        self.w = [self.W[j].get(k[j]) for j in range(6)]
        self.d = d = [mixer_dot(w, x) for w in self.w]
        self.ps = [squash(dj) for dj in d]
        self.x = x
        F = self.F[c0]
        self.p_mix = p_mix = squash(clamp(sum(d[j] * F[j] for j in range(6)) >> 16, -2047, 2047))
        r0 = self.APM0.refine(c0, p_mix)
        r1 = self.APM1.refine(c0 | c1 << 8, p_mix)
        r2 = self.APM2.refine(self.a2 << 8 | c0, p_mix)
        r3 = self.APM3.refine((2 * q + matched) << 8 | c0, p_mix)
        return clamp((2 * p_mix + r0 + 2 * r1 + 2 * r2 + r3 + 4) >> 3, 1, 4095)

    def update(self, bit):
        """[Profile 5: update] update(bit)."""
        node = 1 + self.node()
        nxt = P5_NEXT1 if bit else P5_NEXT0
        # S[i] is the cell slot[i].states[node()]: the state is advanced in
        # the slot itself, in order, so two contexts sharing a slot advance
        # its cell twice (the encoder's vectors pass with either reading).
        for i in range(self.contexts):
            sm_update(self.SM[i], self.sm_last[i], bit)
            s = self.slot[i]
            s[node] = nxt[s[node]]
        if self.matched:
            sm_update(self.MSM, self.msm_last, bit)
        self.more_update(bit)
        e = ((bit << 12) - self.p_mix) * 2
        F = self.F[self.c0]
        for j in range(6):
            F[j] = clamp(F[j] + ((self.d[j] * e) >> 14), -P5_FINAL_LIMIT, P5_FINAL_LIMIT)
        x = self.x
        rate = self.rate()
        for j in range(6):
            err = ((bit << 12) - self.ps[j]) * rate
            w = self.w[j]
            w[:] = [clamp(wi + ((xi * err) >> 16), -WEIGHT_LIMIT, WEIGHT_LIMIT) for wi, xi in zip(w, x)]
        for a in (self.MAPM, self.APM0, self.APM1, self.APM2, self.APM3):
            a.update(bit)
        self.c0 = 2 * self.c0 + bit
        self.bp += 1
        if self.bp == 8:
            self.end_byte(self.c0 - 256)
            self.c0 = 1
            self.bp = 0
            self.begin_byte()
        elif self.bp == 4:
            self.find_slots(self.c0)

    def end_byte(self, y):
        """[Profile 5: update] end_byte(y)."""
        hist = self.hist
        self.F2[self.back(1) << 8 | self.back(2)] = y
        self.F3[hash2(self.c4 & 0xFFFFFF, 9) & 0xFFFF] = y
        hist.append(y)
        self.c8 = ((self.c8 << 8) | (self.c4 >> 24)) & U32
        self.c4 = ((self.c4 << 8) | y) & U32
        n = len(hist)
        letter = y + 32 if 65 <= y <= 90 else y
        if 97 <= letter <= 122 or letter >= 128:
            self.word = hash2(self.word, letter)
        elif self.word != 0:
            self.word2 = self.word1
            self.word1 = self.word
            self.word = 0
        if y == 10:
            self.pline = self.line
            self.line = n
        if self.mlen > 0 and hist[self.mptr] == y:
            self.mptr += 1
            self.mlen = min(self.mlen + 1, MAX_MATCH)
        else:
            self.mlen = 0
        if n >= P5_MATCH_MIN:
            h = 0
            for i in range(n - P5_MATCH_MIN, n):
                h = hash2(h, hist[i])
            index = h & self.mt_mask
            m = self.MT.get(index, 0)
            if self.mlen == 0 and m > 0:
                r = 0
                while r < P5_MATCH_VERIFY and r < m and hist[m - 1 - r] == hist[n - 1 - r]:
                    r += 1
                if r >= P5_MATCH_MIN:
                    self.mlen = r
                    self.mptr = m
            self.MT[index] = n


# The model's input in a frame without a model ("Header"): even odds.
NO_MODEL_ONES, NO_MODEL_TOTAL = 1, 2


def node_counts(cum, c0):
    """[Mixed segments (method 3)] The model's counts (ones, total) for the
    node c0 at depth d of the byte's cumulative table cum (cum[0..256])."""
    d = c0.bit_length() - 1         # c0 is 1 followed by d bits
    w = 1 << (8 - d)                # 2^(8-d) symbols below the node
    lo = (c0 - (1 << d)) * w        # (c0 - 2^d) * 2^(8-d), the first of them
    ones = cum[lo + w] - cum[lo + w // 2]
    total = cum[lo + w] - cum[lo]
    if not 0 <= ones <= total or total < 1:   # predict needs total >= 1
        raise TablesError(f"node {c0}: ones {ones}, total {total}: not a cumulative table")
    return ones, total


def profile6_mixer(shape, n):
    """[Profile 6: images] The mixer of a profile-6 segment, from profile6.py
    (beside this file), which takes its primitives from this module: run as
    a script, this module is __main__, so it is named decode_mixed first."""
    sys.modules.setdefault("decode_mixed", sys.modules[__name__])
    from profile6 import Profile6Mixer
    return Profile6Mixer(shape, n)


def profile7_mixer(n):
    """[Profile 7: bytes with structure contexts] The mixer of a profile-7
    segment, from profile7.py (beside this file), a Profile5Mixer widened."""
    sys.modules.setdefault("decode_mixed", sys.modules[__name__])
    from profile7 import Profile7Mixer
    return Profile7Mixer(n)


def profile10_mixer(n):
    """[Profile 10: bytes with more contexts, sized to the segment] The mixer
    of a profile-10 segment, from profile10.py (beside this file), profile
    7's mixer widened."""
    sys.modules.setdefault("decode_mixed", sys.modules[__name__])
    from profile10 import Profile10Mixer
    return Profile10Mixer(n)


def profile8_mixer(shape, n):
    """[Profile 8: audio with a least-squares cascade] The mixer of a
    profile-8 segment, from profile8.py (beside this file), a Mixer with
    profile 4's parts and its own numeric model and mixing."""
    sys.modules.setdefault("decode_mixed", sys.modules[__name__])
    from profile8 import Profile8Mixer
    return Profile8Mixer(shape, n)


def profile9_mixer(shape, n):
    """[Profile 9: images with texture contexts] The mixer of a profile-9
    segment, from profile9.py (beside this file), profile6.py's mixer with
    the texture contexts."""
    sys.modules.setdefault("decode_mixed", sys.modules[__name__])
    from profile9 import Profile9Mixer
    return Profile9Mixer(shape, n)


def profile11_mixer(shape, n):
    """[Profile 11: images with a weight prior] The mixer of a profile-11
    segment, from profile11.py (beside this file), profile6.py's mixer whose
    weights start from the prior."""
    sys.modules.setdefault("decode_mixed", sys.modules[__name__])
    from profile11 import Profile11Mixer
    return Profile11Mixer(shape, n)


def profile12_mixer(n):
    """[Profile 12: bytes with a weight prior] The mixer of a profile-12
    segment, from profile12.py (beside this file), profile 10's mixer whose
    weights start from the prior."""
    sys.modules.setdefault("decode_mixed", sys.modules[__name__])
    from profile12 import Profile12Mixer
    return Profile12Mixer(n)


def profile14_mixer(n):
    """[Profile 14: profile 12 with a prior built without the model] The
    mixer of a profile-14 segment, from profile14.py (beside this file),
    profile 10's mixer whose weights start from profile 14's prior."""
    sys.modules.setdefault("decode_mixed", sys.modules[__name__])
    from profile14 import Profile14Mixer
    return Profile14Mixer(n)


def profile13_mixer(shape, n):
    """[Profile 13: profile 9 with a weight prior] The mixer of a profile-13
    segment, from profile13.py (beside this file), profile9.py's mixer whose
    weights start from the prior."""
    sys.modules.setdefault("decode_mixed", sys.modules[__name__])
    from profile13 import Profile13Mixer
    return Profile13Mixer(shape, n)


def decode_mixed_segment(coded, n, tables=None, trace=None):
    """[Coding a segment] decode_segment. coded: a mixed segment's coded data
    (the profile byte onwards). tables: the model's cumulative tables of the
    segment's first len(tables) bytes, one per byte: all n of a method-3
    segment in a frame with a model, or the first `prefix` of a method-4
    segment ([Mixed segments with a model prefix (method 4)]: "the model's
    input to the mixer is the model's tables for the decisions of bytes
    0 .. prefix - 1 only"); None in a frame without a model. The bytes past
    them get even odds (ones = 1, total = 2), as without a model, and
    nothing else changes at that byte: the mixer, the range decoder and the
    table sizes (from n, the segment's raw length) carry on. trace, if a
    list: every decision's p is appended. Returns (profile, shape, the n raw
    bytes)."""
    model_bytes = len(tables) if tables is not None else 0
    if model_bytes > n:
        raise TablesError(f"{model_bytes} tables for a segment of {n} bytes")
    profile, shape, stream = read_mixed_header(coded)
    if profile == 6:
        mixer = profile6_mixer(shape, n)
    elif profile == 7:
        mixer = profile7_mixer(n)
    elif profile == 8:
        mixer = profile8_mixer(shape, n)
    elif profile == 9:
        mixer = profile9_mixer(shape, n)
    elif profile == 10:
        mixer = profile10_mixer(n)
    elif profile == 11:
        mixer = profile11_mixer(shape, n)
    elif profile == 12:
        mixer = profile12_mixer(n)
    elif profile == 13:
        mixer = profile13_mixer(shape, n)
    elif profile == 14:
        mixer = profile14_mixer(n)
    else:
        mixer = Profile5Mixer(n) if profile == 5 else Mixer(profile, shape, n)
    decoder = RangeDecoder(stream)
    record = trace.append if trace is not None else (lambda p: None)
    for i in range(n):
        cum = tables[i] if i < model_bytes else None
        for _ in range(8):   # one decision per bit, most significant first
            if cum is None:
                ones, total = NO_MODEL_ONES, NO_MODEL_TOTAL
            else:
                ones, total = node_counts(cum, mixer.c0)
            p = mixer.predict(ones, total)
            record(p)
            mixer.update(decoder.decode_bit(p))
    if decoder.unread_bytes():
        raise corrupt(f"{decoder.unread_bytes()} bytes after the range-coded stream's last symbol")
    return profile, shape, bytes(mixer.hist)


# =============================================================================
# The container: "Header", "Adapter side information", "Blocks",
# "End marker and footer"
# =============================================================================

MAGIC = b"\x89MBZ\r\n\x1a\n"
FORMAT_VERSIONS = (1, 2)
# [Header: Required features] version 2: bit p - 1 for mixer profile p
# (1..12), bit 12 the model prefix (method 4, mbz 0.14.0), bit p for mixer
# profiles 13 and 14 (mbz 0.21.0), bit 15 reserved; the bits this decoder
# knows: profiles 1-14 and the model prefix ("every mask within 0x7FFF").
FEATURE_MODEL_PREFIX = 1 << 12
KNOWN_FEATURES = 0x0FFF | FEATURE_MODEL_PREFIX | 1 << 13 | 1 << 14


def profile_feature(profile):
    """[Header: Required features] The bit that declares mixer profile
    `profile` (1..14); 0 for any other byte, which no header can declare."""
    if profile in (13, 14):
        return 1 << profile
    return 1 << (profile - 1) if 1 <= profile <= 12 else 0
MAX_SIDE_INFO = 1 << 20
MAX_SEGMENT_SIZE = 1 << 24
ADAPTERS = {0: "bytes", 1: "pcm", 2: "image"}
NO_MODEL_NAME = b"none"
NO_MODEL_SHA256 = bytes(32)

METHOD_STORED, METHOD_ZSTD, METHOD_MODEL, METHOD_MIXED, METHOD_MIXED_PREFIX = 0, 1, 2, 3, 4
METHOD_NAMES = {0: "stored", 1: "zstd", 2: "model", 3: "mixed", 4: "mixed with a model prefix"}
MODEL_PREFIX_BYTES = 4    # [Mixed segments with a model prefix (method 4)] the u32le prefix
END_MARKER = 0xFF
BLOCK_HEADER_BYTES = 17   # method, raw length, coded length, checksum; then the block check

PCM_CONTAINERS = {1: "WAV", 2: "AIFF", 3: "AU", 4: "W64", 5: "CAF", 6: "RF64", 7: "raw PCM",
                  8: "FLAC"}
IMAGE_CONTAINERS = {16: "PNM", 17: "BMP", 18: "TGA", 19: "raw pixels", 20: "PNG", 21: "GIF"}
MEDIA_CONTAINERS = {8, 20, 21}   # restored as new files: their samples, not their bytes
SIDE_FLAG_BIG_ENDIAN, SIDE_FLAG_UNSIGNED, SIDE_FLAG_FLOAT = 1, 2, 4


class Reader:
    """Little-endian fields from a byte string; running off its end is
    `corrupt` (a truncated file)."""

    def __init__(self, data, pos=0):
        self.data = data
        self.pos = pos

    def take(self, n, what):
        if self.pos + n > len(self.data):
            raise corrupt(f"file ends inside {what}")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def uint(self, size, what):
        return int.from_bytes(self.take(size, what), "little")


class ModelTables:
    """The model's input for the mixed segments of a file whose frames name a
    model: this decoder does not run the model ("Range coder (method 2)":
    tables come from the model per docs/EXACTNESS.md §4), so they are read
    from a file (--tables; tests/dump_model_tables.cpp writes it from the
    engine). The file holds, for every mixed segment (method 3 or 4) in file
    order and every byte of it the model drives, in order, the byte's
    cumulative table: 257 u32le, cum[0] = 0 .. cum[256] = total; nothing
    else. The bytes the model drives: all of a method-3 segment's; the first
    `prefix` of a method-4 segment's ("Mixed segments with a model prefix":
    a decoder runs the model over the prefix only), none past them."""

    ENTRIES = 257
    TABLE_BYTES = 4 * ENTRIES

    def __init__(self, data):
        if len(data) % self.TABLE_BYTES:
            raise TablesError(f"{len(data)} bytes: not a whole number of {self.TABLE_BYTES}-byte tables")
        self.data = data
        self.pos = 0
        self.unpack = struct.Struct(f"<{self.ENTRIES}I").unpack_from

    def segment(self, n):
        """The next n tables: the next mixed segment's, n its raw length
        (method 3) or its prefix (method 4)."""
        end = self.pos + n * self.TABLE_BYTES
        if end > len(self.data):
            raise TablesError(f"the tables end inside a mixed segment (at byte offset {self.pos})")
        tables = [self.unpack(self.data, off) for off in range(self.pos, end, self.TABLE_BYTES)]
        self.pos = end
        return tables

    def check_all_used(self):
        left = (len(self.data) - self.pos) // self.TABLE_BYTES
        if left:
            raise TablesError(f"{left} tables left after the file's last mixed segment")


def trace_hash(trace):
    """The hash tests/test_golden_variants.cpp pins for a file: XXH64 (seed 0)
    of every decision's p, as u16le, over all mixed segments in frame order
    (FORMAT.md, the golden files above "Overhead bound")."""
    return xxh64(struct.pack(f"<{len(trace)}H", *trace))


class FrameHeader:
    """[Header] The fields of a frame's header (set by read_header)."""


def read_header(r):
    """[Header] Returns a FrameHeader; checks magic, version, flags, adapter,
    sizes and the header check."""
    start = r.pos
    h = FrameHeader()
    if r.take(8, "the magic") != MAGIC:
        raise corrupt("not an .mbz frame (bad magic)")
    h.version = r.uint(2, "the header")
    # The version comes first: another version may lay out the rest (and its
    # check) differently, so it is unsupported_version, not a failed check.
    if h.version not in FORMAT_VERSIONS:
        raise FormatError("unsupported_version", f"format version {h.version}")
    h.features = r.uint(2, "the header")
    name_len = r.uint(1, "the header")
    h.model_name = r.take(name_len, "the model name")
    h.model_sha256 = r.take(32, "the model SHA-256")
    h.adapter = r.uint(1, "the header")
    side_len = r.uint(4, "the header")
    if side_len > MAX_SIDE_INFO:
        raise corrupt(f"adapter side information of {side_len} bytes (at most 2^20)")
    h.side_info = r.take(side_len, "the adapter side information")
    h.segment_size = r.uint(4, "the header")
    header_check = r.uint(4, "the header check")
    if check32(r.data[start:r.pos - 4]) != header_check:
        raise corrupt("header check mismatch")
    # Rejections that need the fields, once the check says they are as written.
    if h.version == 1 and h.features != 0:
        raise corrupt(f"reserved header flags 0x{h.features:04X}")
    if h.features & ~KNOWN_FEATURES:
        raise FormatError("unsupported_version",
                          f"required features 0x{h.features & ~KNOWN_FEATURES:04X} unknown to this decoder")
    if h.adapter not in ADAPTERS:
        raise FormatError("unsupported_version", f"unknown adapter {h.adapter}")
    if not 1 <= h.segment_size <= MAX_SEGMENT_SIZE:
        raise corrupt(f"segment size {h.segment_size} outside 1..2^24")
    if (h.adapter == 0) != (side_len == 0):
        raise corrupt(f"{side_len} bytes of side information with adapter {ADAPTERS[h.adapter]}")
    h.no_model = h.model_name == NO_MODEL_NAME and h.model_sha256 == NO_MODEL_SHA256
    h.side = read_side_info(h.side_info, h.adapter) if h.adapter else None
    return h


def read_side_info(data, adapter):
    """[Adapter side information (adapters 1 and 2)] Parsed and checked,
    returned as a dict (the decoder does not restore the file from it)."""
    r = Reader(data)
    what = "the adapter side information"
    s = {}
    s["version"] = r.uint(1, what)
    if s["version"] != 1:
        raise FormatError("unsupported_version", f"adapter side information version {s['version']}")
    s["container"] = r.uint(1, what)
    containers = PCM_CONTAINERS if adapter == 1 else IMAGE_CONTAINERS
    if s["container"] not in containers:
        raise corrupt(f"container {s['container']} for adapter {ADAPTERS[adapter]}")
    s["width"] = r.uint(1, what)
    s["flags"] = r.uint(1, what)
    if s["flags"] & ~(SIDE_FLAG_BIG_ENDIAN | SIDE_FLAG_UNSIGNED | SIDE_FLAG_FLOAT):
        raise corrupt(f"side information flags 0x{s['flags']:02X}")
    is_float = bool(s["flags"] & SIDE_FLAG_FLOAT)
    if s["width"] not in ((4, 8) if is_float else (1, 2, 3, 4)):
        raise corrupt(f"sample width {s['width']} ({'float' if is_float else 'integer'})")
    s["channels"] = r.uint(4, what)
    if not 1 <= s["channels"] <= 4096:
        raise corrupt(f"{s['channels']} channels")
    s["rows"] = r.uint(8, what)
    s["cols"] = r.uint(8, what)
    s["row_stride"] = r.uint(8, what)
    if s["row_stride"] < s["cols"] * s["channels"] * s["width"]:
        raise corrupt("row stride shorter than a row of samples")
    s["planar"] = r.uint(1, what)
    s["predictor"] = r.uint(1, what)
    s["msb_first"] = r.uint(1, what)
    if s["planar"] > 1 or s["predictor"] > 2 or s["msb_first"] > 1 or (is_float and s["predictor"]):
        raise corrupt(f"layout planar {s['planar']}, predictor {s['predictor']}, "
                      f"msb first {s['msb_first']}")
    s["sample_rate"] = r.uint(4, what)
    s["original_size"] = r.uint(8, what)
    s["original_checksum"] = r.uint(8, what)
    s["prefix"] = r.take(r.uint(4, what), what)
    s["suffix"] = r.take(r.uint(4, what), what)
    if r.pos != len(data):
        raise corrupt(f"{len(data) - r.pos} bytes after the side information's suffix")
    grid = s["rows"] * s["row_stride"]
    if s["container"] not in MEDIA_CONTAINERS and \
            s["original_size"] != len(s["prefix"]) + grid + len(s["suffix"]):
        raise corrupt("original size is not prefix + rows * row stride + suffix")
    s["payload_size"] = grid   # the content: every sample, then every padding byte
    return s


class BlockReport:
    """[Blocks] What one block held, for the -v lines and the summary."""
    def __init__(self, method, raw_length, coded_length, profile=None, shape=None):
        self.method, self.raw_length, self.coded_length = method, raw_length, coded_length
        self.profile, self.shape = profile, shape
        self.prefix = None   # method 4: the bytes the model drove

    def __str__(self):
        kind = METHOD_NAMES[self.method]
        if self.profile is not None:
            kind += f" profile {self.profile}"
            if self.profile in (2, 3, 4, 6, 8, 9):   # profiles 1, 5 and 7 have no shape
                kind += f" ({self.shape})"
        if self.prefix is not None:
            kind += f", the model for bytes 0..{self.prefix - 1}"
        return f"{kind}, {self.raw_length} -> {self.coded_length} bytes"


def coded_length_bound(method, raw_length):
    """[Blocks] The coded length's bound for a method (the stored method's
    "equal to raw length" is checked apart): methods 0-2 2 * raw + 16, mixed
    12 * raw + 16, mixed with a model prefix 12 * raw + 20 (its 4 prefix
    bytes more)."""
    if method == METHOD_MIXED:
        return 12 * raw_length + 16
    if method == METHOD_MIXED_PREFIX:
        return 12 * raw_length + 20
    return 2 * raw_length + 16


def read_model_prefix(header, coded, raw_length, where):
    """[Mixed segments with a model prefix (method 4)] A method-4 segment's
    prefix (u32le) and the mixed segment's coded data after it, once the
    section's rules hold, each `corrupt` if not: the frame is version 2 with
    bit 12 of its required features set and names a model; the coded data
    holds the 4 prefix bytes; prefix is 1 .. raw length - 1; the profile
    byte is there and one the header declares, as for method 3 (what follows
    the profile byte is read_mixed_header's to check). Returns (prefix, the
    coded data from the profile byte on). where: the segment, for the
    messages."""
    if header.version < 2 or not header.features & FEATURE_MODEL_PREFIX:
        raise corrupt(f"{where}: a mixed segment with a model prefix in a frame that does not declare "
                      f"the model prefix (version {header.version}, required features "
                      f"0x{header.features:04X})")
    if header.no_model:
        raise corrupt(f"{where}: a mixed segment with a model prefix in a frame without a model")
    if len(coded) < MODEL_PREFIX_BYTES:
        raise corrupt(f"{where}: {len(coded)} bytes of coded data: the 4-byte model prefix is cut short")
    prefix = int.from_bytes(coded[:MODEL_PREFIX_BYTES], "little")
    if not 1 <= prefix <= raw_length - 1:
        raise corrupt(f"{where}: model prefix {prefix} outside 1..{raw_length - 1} "
                      f"(raw length {raw_length})")
    mixed = coded[MODEL_PREFIX_BYTES:]
    if len(mixed) < 1:
        raise corrupt(f"{where}: no profile byte after the model prefix")
    if not header.features & profile_feature(mixed[0]):
        raise corrupt(f"{where}: a mixed segment with a model prefix of profile {mixed[0]}, which the "
                      "header does not declare")
    return prefix, mixed


def read_frame(r, log, tables=None, trace=None):
    """[Blocks], [End marker and footer] One frame: header, blocks, end marker,
    footer. tables: a ModelTables for the mixed segments of a frame that names
    a model (None: such a segment is not covered); trace: a list that gets
    every decision's p. Returns (header, content bytes, list of BlockReport)."""
    header = read_header(r)
    content = []
    blocks = []
    while True:
        block_start = r.pos
        method = r.uint(1, "a block header")
        if method == END_MARKER:
            break
        raw_length = r.uint(4, "a block header")
        coded_length = r.uint(4, "a block header")
        checksum = r.uint(8, "a block header")
        block_check = r.uint(4, "a block header")
        where = f"segment {len(blocks) + 1}"
        if check32(r.data[block_start:block_start + BLOCK_HEADER_BYTES]) != block_check:
            raise corrupt(f"{where}: block check mismatch")
        if method not in METHOD_NAMES:
            raise FormatError("unsupported_version", f"{where}: unknown segment method {method}")
        if not 1 <= raw_length <= header.segment_size:
            raise corrupt(f"{where}: raw length {raw_length} outside 1..{header.segment_size}")
        bound = coded_length_bound(method, raw_length)
        if coded_length > bound or (method == METHOD_STORED and coded_length != raw_length):
            raise corrupt(f"{where}: coded length {coded_length} for {raw_length} raw bytes "
                          f"({METHOD_NAMES[method]})")
        coded = r.take(coded_length, f"{where}'s coded data")

        block = BlockReport(method, raw_length, coded_length)
        if method == METHOD_STORED:
            raw = coded
        elif (method == METHOD_MIXED and header.version >= 2
              and not (coded and header.features & profile_feature(coded[0]))):
            raise corrupt(f"{where}: a mixed segment of a profile the header does not declare")
        elif method == METHOD_MIXED and header.no_model:
            block.profile, block.shape, raw = decode_mixed_segment(coded, raw_length, None, trace)
        elif method == METHOD_MIXED and tables is not None:
            # A frame with a model: its input comes from the model's tables.
            block.profile, block.shape, raw = decode_mixed_segment(
                coded, raw_length, tables.segment(raw_length), trace)
        elif method == METHOD_MIXED_PREFIX:
            block.prefix, mixed = read_model_prefix(header, coded, raw_length, where)
            if tables is None:
                model = header.model_name.decode("utf-8", "replace")
                raise NotCovered(f"{where} is {METHOD_NAMES[method]}: it needs the tables of model "
                                 f"'{model}' (--tables), not covered by the spec decoder")
            # The model's input for the prefix's bytes, even odds after them.
            block.profile, block.shape, raw = decode_mixed_segment(
                mixed, raw_length, tables.segment(block.prefix), trace)
        elif method == METHOD_MODEL and header.no_model:
            raise corrupt(f"{where}: a model-coded segment in a frame without a model")
        else:
            model = header.model_name.decode("utf-8", "replace")
            need = ("zstd" if method == METHOD_ZSTD else f"model '{model}'" if method == METHOD_MODEL
                    else f"the tables of model '{model}' (--tables)")
            raise NotCovered(f"{where} is {METHOD_NAMES[method]}: it needs {need}, "
                             "not covered by the spec decoder")
        actual = xxh64(raw)
        if actual != checksum:
            raise FormatError("checksum_mismatch",
                              f"{where} ({block}): XXH64 {actual:016x}, block says {checksum:016x}")
        content.append(raw)
        blocks.append(block)
        log(f"  {where}: {block}: OK")

    footer_start = r.pos
    size = r.uint(8, "the footer")
    count = r.uint(4, "the footer")
    content_checksum = r.uint(8, "the footer")
    footer_check = r.uint(4, "the footer")
    if check32(r.data[footer_start:footer_start + 20]) != footer_check:
        raise corrupt("footer check mismatch")
    content = b"".join(content)
    if count != len(blocks):
        raise corrupt(f"footer counts {count} segments, the frame has {len(blocks)}")
    if size != len(content):
        raise corrupt(f"footer says {size} bytes, the segments hold {len(content)}")
    if xxh64(content) != content_checksum:
        raise FormatError("checksum_mismatch",
                          "the frame's whole-content XXH64 differs from the footer's")
    if header.side is not None and header.side["payload_size"] != len(content):
        raise corrupt(f"payload of {len(content)} bytes; the side information's grid "
                      f"holds {header.side['payload_size']}")
    return header, content, blocks


def decode_file(data, log=lambda line: None, tables=None):
    """[Overview] Every frame of a file, back to back (decoded and
    concatenated). tables: a ModelTables for the mixed segments of frames
    that name a model, all of which it must hold. Returns (content, summary,
    trace), trace every decision's p over all mixed segments in frame order.
    """
    r = Reader(data)
    contents = []
    trace = []
    frames = 0
    kinds = {}
    adapters = set()
    models = set()
    while r.pos < len(data) or frames == 0:
        frames += 1
        log(f" frame {frames}")
        header, content, blocks = read_frame(r, log, tables, trace)
        contents.append(content)
        adapters.add(ADAPTERS[header.adapter])
        if not header.no_model:
            models.add(header.model_name.decode("utf-8", "replace"))
        for b in blocks:
            key = METHOD_NAMES[b.method] + (f" profile {b.profile}" if b.profile else "")
            kinds[key] = kinds.get(key, 0) + 1
    if tables is not None:
        tables.check_all_used()
    content = b"".join(contents)
    segments = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "no segments"
    model = f"model {', '.join(sorted(models))} (its tables given)" if models else "no model"
    summary = (f"{frames} frame{'s' if frames > 1 else ''} ({'/'.join(sorted(adapters))}, {model}), "
               f"{segments}, {len(content)} bytes of content")
    return content, summary, trace


def main(argv=None):
    """The command line (module docstring): decode, verify, one line per file.
    """
    parser = argparse.ArgumentParser(
        description="Decode .mbz frames (stored and mixed segments) from docs/FORMAT.md alone, "
                    "verifying every checksum; frames that name a model need the model's tables.")
    parser.add_argument("files", nargs="+", metavar="FILE.mbz")
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="write the decoded content (one input file only)")
    parser.add_argument("--tables", metavar="FILE",
                        help="the model's tables of the file's mixed segments (one input file only; "
                             "tests/dump_model_tables.cpp writes them)")
    parser.add_argument("--trace", action="store_true",
                        help="print the file's trace hash: XXH64 of every decision's p as u16le")
    parser.add_argument("-v", "--verbose", action="store_true", help="a line per segment")
    args = parser.parse_args(argv)
    if args.output and len(args.files) != 1:
        parser.error("-o takes one input file")
    if args.tables and len(args.files) != 1:
        parser.error("--tables takes one input file")
    tables_data = None
    if args.tables:
        try:
            with open(args.tables, "rb") as f:
                tables_data = f.read()
        except OSError as e:
            parser.error(f"--tables: {e}")

    failed = not_covered = False
    for path in args.files:
        name = os.path.basename(path)
        log = (lambda line: print(line, flush=True)) if args.verbose else (lambda line: None)
        try:
            tables = ModelTables(tables_data) if tables_data is not None else None
            with open(path, "rb") as f:
                data = f.read()
            content, summary, trace = decode_file(data, log, tables)
        except (FormatError, OSError) as e:
            print(f"{name}: FAILED: {e}", file=sys.stderr, flush=True)
            failed = True
            continue
        except TablesError as e:
            print(f"{name}: FAILED: the tables of --tables: {e}", file=sys.stderr, flush=True)
            failed = True
            continue
        except NotCovered as e:
            print(f"{name}: NOT COVERED: {e}", file=sys.stderr, flush=True)
            not_covered = True
            continue
        if args.output:
            with open(args.output, "wb") as f:
                f.write(content)
        print(f"{name}: OK: {summary}", flush=True)
        if args.trace:
            print(f"{name}: trace {trace_hash(trace):016x} ({len(trace)} decisions)", flush=True)
    return 1 if failed else 2 if not_covered else 0


if __name__ == "__main__":
    sys.exit(main())
