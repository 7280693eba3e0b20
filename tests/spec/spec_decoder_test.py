#!/usr/bin/env python3
"""CTest `spec_decoder`: the second decoder (decode_mixed.py, written from
docs/FORMAT.md alone) against the golden frames without a model.

    spec_decoder_test.py GOLDEN.mbz... [--not-covered FILE.mbz]

1. Every GOLDEN file must decode with every checksum verified (exit 0). The
   files run in parallel, one process each, on up to as many cores as there
   are: the decoder is pure Python and the files take seconds each.
2. Two damaged copies of the first GOLDEN file, each with one byte of the
   range-coded stream of its first mixed segment flipped (XOR 0xFF) and the
   block check left as is, must fail with exit 1, so a decoder that stopped
   verifying cannot pass step 1:
     - the stream's middle byte: the decoder desynchronises; caught as a
       corrupt stream (it needs bytes past the end, or leaves some unread)
       or by the segment's XXH64;
     - the stream's last byte: caught by the segment's XXH64 alone
       (checksum_mismatch). Not every byte near the end would do: the
       coder's final flush carries slack, and flipping some of those bits
       decodes to the same bytes.
3. --not-covered FILE (a frame with a zstd segment) must be refused with
   exit 2 and "not covered", never decoded as if it were understood.
Exit status: 0 all held, 1 otherwise (each failure is printed).
"""

import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
DECODER = os.path.join(HERE, "decode_mixed.py")
sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import decode_mixed  # noqa: E402  (beside this file: its container reader finds the segment)


def run_decoder(path):
    return subprocess.run([sys.executable, DECODER, path], capture_output=True, text=True)


def first_mixed_stream(data):
    """Offset and length of the range-coded stream of the frame's first
    mixed segment (after its profile byte and shape), found by walking the
    block headers ("Blocks") without decoding."""
    r = decode_mixed.Reader(data)
    decode_mixed.read_header(r)
    while True:
        method = r.uint(1, "a block header")
        if method == decode_mixed.END_MARKER:
            raise SystemExit("no mixed segment to damage in the first golden file")
        r.uint(4, "a block header")              # raw length
        coded_length = r.uint(4, "a block header")
        r.uint(8, "a block header")              # the segment's XXH64
        r.uint(4, "a block header")              # the block check, left as is
        start = r.pos
        r.take(coded_length, "coded data")
        if method == decode_mixed.METHOD_MIXED:
            profile = data[start]
            header = 1 + decode_mixed.SHAPE_BYTES[profile]
            return start + header, coded_length - header


def main(argv):
    not_covered = None
    if "--not-covered" in argv:
        i = argv.index("--not-covered")
        not_covered = argv[i + 1]
        del argv[i:i + 2]
    golden = argv
    if not golden:
        print("usage: spec_decoder_test.py GOLDEN.mbz... [--not-covered FILE.mbz]", file=sys.stderr)
        return 1
    failures = []

    with tempfile.TemporaryDirectory() as tmp:
        # The damaged copies: {path: (offset flipped, what must be reported)}.
        original = open(golden[0], "rb").read()
        offset, length = first_mixed_stream(original)
        damaged = {}
        flips = (("middle", offset + length // 2, ("checksum_mismatch", "corrupt")),
                 ("last", offset + length - 1, ("checksum_mismatch",)))
        for where, flip_at, expected in flips:
            data = bytearray(original)
            data[flip_at] ^= 0xFF
            path = os.path.join(tmp, f"damaged-{where}-" + os.path.basename(golden[0]))
            with open(path, "wb") as f:
                f.write(data)
            damaged[path] = (flip_at, expected)

        # Largest (slowest) first, so the parallel runs end together.
        jobs = sorted(golden, key=os.path.getsize, reverse=True) + list(damaged)
        if not_covered:
            jobs.append(not_covered)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            results = dict(zip(jobs, pool.map(run_decoder, jobs)))

    for path in golden:
        res = results[path]
        print((res.stdout + res.stderr).strip())
        if res.returncode != 0:
            failures.append(f"{os.path.basename(path)}: exit {res.returncode}, expected 0")

    for path, (flip_at, expected) in damaged.items():
        res = results[path]
        out = (res.stdout + res.stderr).strip()
        print(f"byte {flip_at} flipped: {out}")
        if res.returncode != 1 or not any(kind in out for kind in expected):
            failures.append(f"{os.path.basename(path)}: exit {res.returncode} ({out!r}); "
                            f"expected exit 1 and {' or '.join(expected)}")

    if not_covered:
        res = results[not_covered]
        out = (res.stdout + res.stderr).strip()
        print(out)
        if res.returncode != 2 or "not covered" not in out:
            failures.append(f"{os.path.basename(not_covered)}: exit {res.returncode} ({out!r}); "
                            "expected exit 2 and 'not covered'")

    for f in failures:
        print("FAIL:", f)
    print("spec_decoder:", "FAILED" if failures else "all held")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
