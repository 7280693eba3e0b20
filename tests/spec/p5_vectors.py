#!/usr/bin/env python3
"""Checks decode_mixed.py's profile-5 mixer ("Profile 5: bytes with bit
histories" in docs/FORMAT.md) against probability vectors from the encoder.

The input is coded as one profile-5 segment; the predictor runs on the
encoder's side (predict, then update with the input's true bit; no range
coder) and every decision's p is compared with the vector's, a u16le per
decision, 8 per byte, most significant bit first.

Usage:
    p5_vectors.py INPUT VECTOR [--synth] [--limit BYTES]
--synth: the model's counts are the synthetic ones the vector was made with
(for the decision k = 0..7 of a byte c, ones = 1 + (c*7 + k*13) % 50,
total = 52); without it, a frame without a model (ones = 1, total = 2).
Exit status 0 if every p matches, 1 at the first mismatch (printed).
"""

import argparse
import os
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import decode_mixed  # noqa: E402  (beside this file)


def synth_counts(c, k):
    """The synthetic model of the vectors: (ones, total) for decision k of byte c."""
    return 1 + (c * 7 + k * 13) % 50, 52


def run(data, expected, synth):
    """Runs the predictor over data; returns (decisions checked, the first
    mismatch as (byte, bit, expected, got) or None)."""
    mixer = decode_mixed.Profile5Mixer(len(data))
    i = 0
    for pos, c in enumerate(data):
        for k in range(8):
            ones, total = synth_counts(c, k) if synth else (1, 2)
            p = mixer.predict(ones, total)
            if i >= len(expected):
                return i, None
            if p != expected[i]:
                return i, (pos, k, expected[i], p)
            mixer.update((c >> (7 - k)) & 1)
            i += 1
    return i, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input")
    ap.add_argument("vector")
    ap.add_argument("--synth", action="store_true")
    ap.add_argument("--limit", type=int, default=None, help="check only the first BYTES bytes")
    a = ap.parse_args()
    with open(a.input, "rb") as f:
        data = f.read()
    with open(a.vector, "rb") as f:
        raw = f.read()
    expected = struct.unpack(f"<{len(raw) // 2}H", raw)
    if len(expected) != 8 * len(data):
        print(f"vector has {len(expected)} decisions for {len(data)} bytes", file=sys.stderr)
        return 1
    if a.limit is not None:
        data = data[:a.limit]
    t = time.perf_counter()
    done, bad = run(data, expected, a.synth)
    dt = time.perf_counter() - t
    name = os.path.basename(a.vector)
    if bad:
        pos, k, want, got = bad
        print(f"{name}: MISMATCH at decision {done}: byte {pos} (0x{data[pos]:02x}), "
              f"bit {k}: expected {want}, got {got}")
        return 1
    print(f"{name}: all {done} decisions match ({dt:.1f} s, {done / dt:.0f} decisions/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
