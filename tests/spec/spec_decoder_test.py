#!/usr/bin/env python3
"""CTest `spec_decoder`: the second decoder (decode_mixed.py, written from
docs/FORMAT.md alone) against the golden files with mixed segments.

    spec_decoder_test.py --pins TEST_GOLDEN_VARIANTS.cpp --dump-tables HELPER
                         --model MODEL.mbzm GOLDEN.mbz...
                         [--skip GOLDEN.mbz]... [--not-covered FILE.mbz]...

The pins: tests/test_golden_variants.cpp's table kGoldenMixed, one row per
golden file with mixed segments ({"name", "file.mbz", "original", "model",
..., trace},), read from that file so the constants live in one place (the
columns between model and trace, prefix among them, are not read). Its
`model` is `none` (a frame without a model: the mixer's input is even odds)
or `tiny` (MODEL.mbzm); its `trace` is the XXH64 of every decision's p
(u16le, all mixed segments, methods 3 and 4, in frame order).

1. Every GOLDEN file must decode with every checksum verified (exit 0) and
   reproduce its row's trace bit for bit (decode_mixed.py --trace); every
   GOLDEN file must have a row, and every row a GOLDEN file, so the files
   decoded are exactly the table's, except for each --skip GOLDEN (a file
   name), given but not decoded to keep the CTest short, unless the
   environment sets MBZ_SPEC_ALL=1 (then every file is decoded:
   `MBZ_SPEC_ALL=1 ctest -R spec_decoder`). A file whose row names the model `tiny`
   is decoded with the model's tables (--tables), which HELPER
   (tests/dump_model_tables.cpp, the engine) writes into a temporary
   directory first: the Python side runs the mixer, not the model. For a
   segment with a model prefix (method 4: v2-mixer-p7-prefix-gpl3-4k.mbz,
   decoded by default) the tables hold the prefix's bytes only, and the
   decoder gives the mixer even odds past them, so the pinned trace checks
   where the model's input stops. The
   files run in parallel, one process each, on up to as many cores as there
   are: the decoder is pure Python and the files take seconds each.
2. Two damaged copies of the first GOLDEN file without a model (skipped or
   not; tests/golden/v1-none-gpl3-4k.mbz in the CTest), each with one
   byte of the range-coded stream of its first mixed segment flipped (XOR
   0xFF) and the block check left as is, must fail with exit 1, so a decoder
   that stopped verifying cannot pass step 1:
     - the stream's middle byte: the decoder desynchronises; caught as a
       corrupt stream (it needs bytes past the end, or leaves some unread)
       or by the segment's XXH64;
     - the stream's last byte: caught by the segment's XXH64 alone
       (checksum_mismatch). Not every byte near the end would do: the
       coder's final flush carries slack, and flipping some of those bits
       decodes to the same bytes.
3. Each --not-covered FILE (a frame with a zstd segment; one with
   model-coded segments, given its model's tables, which hold none) must be
   refused with exit 2 and "not covered", never decoded as if it were
   understood.
Exit status: 0 all held, 1 otherwise (each failure is printed).
"""

import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
DECODER = os.path.join(HERE, "decode_mixed.py")
sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import decode_mixed  # noqa: E402  (beside this file: its container reader finds the segment)

# A row of kGoldenMixed: {"name", "file.mbz", "original", "model", ..., 0xTRACE},
ROW = re.compile(r'^\s*\{\s*"(?P<name>\w+)",\s*"(?P<mbz>[^"]+\.mbz)",\s*"[^"]*",\s*"(?P<model>[^"]+)",'
                 r'.*,\s*(?P<trace>0x[0-9a-fA-F]{16})\s*\},\s*$')


def read_pins(path):
    """{mbz file name: (row name, model, trace)} from kGoldenMixed. Every line
    of the table that opens a row must parse: a row this reader skipped would
    go unchecked."""
    text = open(path, encoding="utf-8").read()
    start = text.find("kGoldenMixed[] = {")
    end = text.find("\n};", start)
    if start < 0 or end < 0:
        raise SystemExit(f"{path}: no kGoldenMixed table")
    pins = {}
    for line in text[start:end].splitlines()[1:]:
        if not line.lstrip().startswith("{"):
            continue   # comments
        m = ROW.match(line)
        if not m:
            raise SystemExit(f"{path}: a kGoldenMixed row this test cannot read: {line.strip()}")
        if m["mbz"] in pins:
            raise SystemExit(f"{path}: two kGoldenMixed rows for {m['mbz']}")
        pins[m["mbz"]] = (m["name"], m["model"], int(m["trace"], 16))
    if not pins:
        raise SystemExit(f"{path}: an empty kGoldenMixed table")
    return pins


def run_decoder(path, *options):
    return subprocess.run([sys.executable, DECODER, *options, path], capture_output=True, text=True)


def first_mixed_stream(data):
    """Offset and length of the range-coded stream of the frame's first
    mixed segment (after its model prefix if method 4, its profile byte and
    shape), found by walking the block headers ("Blocks") without decoding."""
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
        if method in (decode_mixed.METHOD_MIXED, decode_mixed.METHOD_MIXED_PREFIX):
            if method == decode_mixed.METHOD_MIXED_PREFIX:
                start += decode_mixed.MODEL_PREFIX_BYTES
                coded_length -= decode_mixed.MODEL_PREFIX_BYTES
            profile = data[start]
            header = 1 + decode_mixed.SHAPE_BYTES[profile]
            return start + header, coded_length - header


def take_option(argv, name, repeated=False):
    """Removes `name VALUE` pairs from argv; returns the value (or list)."""
    values = []
    while name in argv:
        i = argv.index(name)
        if i + 1 >= len(argv):
            raise SystemExit(f"{name} needs a value")
        values.append(argv[i + 1])
        del argv[i:i + 2]
    if repeated:
        return values
    if len(values) != 1:
        raise SystemExit(f"{name} must be given once")
    return values[0]


class Done:
    """A finished decoder run: exit status and output (a subprocess's, or
    the tables helper's when it failed)."""

    def __init__(self, returncode, out):
        self.returncode, self.out = returncode, out


def main(argv):
    argv = list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 1
    pins = read_pins(take_option(argv, "--pins"))
    helper = take_option(argv, "--dump-tables")
    model_file = take_option(argv, "--model")
    not_covered = take_option(argv, "--not-covered", repeated=True)
    skip = set(take_option(argv, "--skip", repeated=True))
    if os.environ.get("MBZ_SPEC_ALL") == "1":
        skip = set()
    golden = argv
    models = {"tiny": model_file}   # kGoldenMixed's model column: none or tiny
    failures = []

    by_name = {os.path.basename(p): p for p in golden}
    for name in by_name:
        if name not in pins:
            failures.append(f"{name}: no row in kGoldenMixed, so no pinned trace")
    for name in sorted(skip):
        if name not in by_name:
            failures.append(f"--skip {name}: not among the golden files given")
        else:
            print(f"{name}: not decoded here (--skip, to keep the CTest short; MBZ_SPEC_ALL=1 decodes it)")
    for name, (row, _, _) in sorted(pins.items()):
        if name not in by_name:
            failures.append(f"kGoldenMixed row {row} ({name}): not decoded (not among the golden files given)")
    checked = [p for p in golden if os.path.basename(p) in pins and os.path.basename(p) not in skip]
    for p in checked:
        model = pins[os.path.basename(p)][1]
        if model != "none" and model not in models:
            failures.append(f"{os.path.basename(p)}: model '{model}' has no model file here")
    checked = [p for p in checked if pins[os.path.basename(p)][1] in ("none", *models)]
    # The damaged copies' source: the first file without a model given,
    # decoded or skipped (its last stream byte is known to be caught).
    without_model = [p for p in golden if pins.get(os.path.basename(p), (0, ""))[1] == "none"]
    if not without_model:
        failures.append("no golden file without a model to damage")

    with tempfile.TemporaryDirectory() as tmp:
        def tables_for(path):
            """The model's tables of path's mixed segments, written by the
            helper (the engine) into tmp; (None, why) if it failed."""
            out = os.path.join(tmp, os.path.basename(path) + ".tables")
            res = subprocess.run([helper, "-m", model_file, path, out], capture_output=True, text=True)
            if res.returncode != 0:
                return None, f"dump_model_tables: exit {res.returncode}: {(res.stdout + res.stderr).strip()}"
            return out, None

        def decode(path, model):
            options = ["--trace"]
            if model != "none":
                tables, why = tables_for(path)
                if tables is None:
                    return Done(1, why)
                options += ["--tables", tables]
            res = run_decoder(path, *options)
            return Done(res.returncode, (res.stdout + res.stderr).strip())

        # The damaged copies: {path: (offset flipped, what must be reported)}.
        damaged = {}
        if without_model:
            source = without_model[0]
            original = open(source, "rb").read()
            offset, length = first_mixed_stream(original)
            flips = (("middle", offset + length // 2, ("checksum_mismatch", "corrupt")),
                     ("last", offset + length - 1, ("checksum_mismatch",)))
            for where, flip_at, expected in flips:
                data = bytearray(original)
                data[flip_at] ^= 0xFF
                path = os.path.join(tmp, f"damaged-{where}-" + os.path.basename(source))
                with open(path, "wb") as f:
                    f.write(data)
                damaged[path] = (flip_at, expected)

        # Largest (slowest) first, so the parallel runs end together; a file
        # coded with a model costs about twice its size without one (its
        # coded bytes are fewer, and its tables come first).
        def cost(path):
            model = pins[os.path.basename(path)][1] if path in checked else "none"
            return os.path.getsize(path) * (1 if model == "none" else 2)
        jobs = [(p, pins[os.path.basename(p)][1]) for p in sorted(checked, key=cost, reverse=True)]
        jobs += [(p, "none") for p in damaged]
        # A frame that names a model is given its model's tables, so what is
        # refused is the method, not a missing --tables.
        jobs += [(p, "tiny") for p in not_covered]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            results = dict(zip([p for p, _ in jobs], pool.map(lambda job: decode(*job), jobs)))

    for path in checked:
        res = results[path]
        name = os.path.basename(path)
        row, model, pinned = pins[name]
        print(res.out)
        if res.returncode != 0:
            failures.append(f"{name}: exit {res.returncode}, expected 0")
            continue
        m = re.search(r"^" + re.escape(name) + r": trace ([0-9a-f]{16}) ", res.out, re.M)
        if not m:
            failures.append(f"{name}: the decoder printed no trace")
        elif int(m[1], 16) != pinned:
            failures.append(f"{name}: trace {m[1]}, kGoldenMixed row {row} pins {pinned:016x}: the probabilities "
                            "differ from the engine's (the mixer of decode_mixed.py, or the pin, changed)")
        else:
            print(f"{name}: trace as pinned ({row}, model {model})")

    for path, (flip_at, expected) in damaged.items():
        res = results[path]
        print(f"byte {flip_at} flipped: {res.out}")
        if res.returncode != 1 or not any(kind in res.out for kind in expected):
            failures.append(f"{os.path.basename(path)}: exit {res.returncode} ({res.out!r}); "
                            f"expected exit 1 and {' or '.join(expected)}")

    for path in not_covered:
        res = results[path]
        print(res.out)
        if res.returncode != 2 or "not covered" not in res.out:
            failures.append(f"{os.path.basename(path)}: exit {res.returncode} ({res.out!r}); "
                            "expected exit 2 and 'not covered'")

    for f in failures:
        print("FAIL:", f)
    with_tables = sum(pins[os.path.basename(p)][1] != "none" for p in checked)
    print(f"spec_decoder: {len(checked)} golden files decoded ({with_tables} with the model's tables), "
          f"{len(skip)} skipped:", "FAILED" if failures else "all held")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
