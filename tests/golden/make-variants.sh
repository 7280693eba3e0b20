#!/usr/bin/env bash
# Remakes the INPUTS of the mixer-variant golden files (tests/golden/README.md,
# "Mixer variants") from the shipped samples, with Python's standard library
# only, and prints the commands that coded them. It never writes a .mbz: the
# committed golden files are never regenerated (a rerun of the printed
# commands must give the same bytes; tests/test_golden_variants.cpp checks it).
#
#   bash tests/golden/make-variants.sh [OUTDIR]   (default: tests/golden)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/tests/golden}
mkdir -p "$out"

python3 - "$root" "$out" <<'EOF'
import struct, sys, wave

root, out = sys.argv[1], sys.argv[2]

def read_pnm(path):
    """Binary PGM/PPM with maxval 255: (width, height, channels, pixel bytes)."""
    data = open(path, 'rb').read()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval (no comments in the samples)
        while data[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    assert fields[3] == b'255'
    return int(fields[1]), int(fields[2]), 3 if fields[0] == b'P6' else 1, data[pos + 1:]

def crop(img, x, y, w, h):
    """Rows of a w x h crop at (x, y), each a list of channel tuples."""
    width, _, ch, px = img
    return [[tuple(px[((y + r) * width + x + c) * ch + k] for k in range(ch)) for c in range(w)] for r in range(h)]

def halve16(rows):
    """2x2 means of 8-bit pixels scaled to 16 bits (rounded): low bits that are not a copy of the high ones."""
    return [[tuple((sum(rows[2 * r + i][2 * c + j][k] for i in (0, 1) for j in (0, 1)) * 65535 + 510) // 1020
                   for k in range(len(rows[0][0])))
             for c in range(len(rows[0]) // 2)] for r in range(len(rows) // 2)]

def write_pnm(name, rows, maxval):
    ch = len(rows[0][0])
    fmt = '>H' if maxval > 255 else 'B'
    body = b''.join(struct.pack(fmt, v) for row in rows for px in row for v in px)
    head = b'P6' if ch == 3 else b'P5'
    open(f'{out}/{name}', 'wb').write(head + b'\n%d %d\n%d\n' % (len(rows[0]), len(rows), maxval) + body)

photo = read_pnm(f'{root}/samples/photo-life-384.ppm')
grey = read_pnm(f'{root}/samples/photo-umang-gray-320.pgm')

write_pnm('grey8-40x40.pgm', crop(grey, 140, 70, 40, 40), 255)
write_pnm('grey16-28x28.pgm', halve16(crop(grey, 60, 40, 56, 56)), 65535)
rgb16 = halve16(crop(photo, 200, 40, 40, 40))
write_pnm('rgb16-20x20.ppm', rgb16, 65535)
# The same pixels headerless, 16-bit little-endian (--raw-image 20x20x3:16).
open(f'{out}/rgb16le-20x20.raw', 'wb').write(b''.join(struct.pack('<H', v) for row in rgb16 for px in row for v in px))

# RGBA: a crop with an alpha channel that is opaque inside a disc, clear
# outside it and graded over a 3-pixel edge; TGA 32-bit, top-left origin, BGRA.
rows = crop(photo, 100, 60, 24, 24)
tga = bytearray(struct.pack('<BBBHHBHHHHBB', 0, 0, 2, 0, 0, 0, 0, 0, 24, 24, 32, 0x28))
for r in range(24):
    for c in range(24):
        d2 = (2 * r - 23) ** 2 + (2 * c - 23) ** 2  # (2 x distance from the centre)^2
        alpha = 255 if d2 <= 18 ** 2 else 0 if d2 >= 24 ** 2 else (24 ** 2 - d2) * 255 // (24 ** 2 - 18 ** 2)
        red, green, blue = rows[r][c]
        tga += bytes((blue, green, red, alpha))
open(f'{out}/rgba8-24x24.tga', 'wb').write(bytes(tga))

def read_wav16(path):
    with wave.open(path, 'rb') as w:
        assert w.getsampwidth() == 2
        n, ch = w.getnframes(), w.getnchannels()
        v = struct.unpack(f'<{n * ch}h', w.readframes(n))
        return [v[i * ch:(i + 1) * ch] for i in range(n)], w.getframerate()

def write_wav(name, frames, rate, width, pack):
    with wave.open(f'{out}/{name}', 'wb') as w:
        w.setnchannels(len(frames[0]))
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(b''.join(pack(s) for f in frames for s in f))

speech, speech_rate = read_wav16(f'{root}/tests/golden/speech-0.5s.wav')
music, music_rate = read_wav16(f'{root}/tests/golden/music-0.1s-stereo.wav')

# 8-bit unsigned mono: the speech's first 2000 samples, rounded to 8 bits.
write_wav('speech-8bit.wav', speech[:2000], speech_rate, 1, lambda s: bytes((min(255, (s + 32768 + 128) >> 8),)))
# 16-bit stereo: the music's first 1000 frames.
write_wav('music-stereo-16bit.wav', music[:1000], music_rate, 2, lambda s: struct.pack('<h', s))
# 24-bit stereo: frames 1000..1699 at a gain of 0.9 in 24 bits (29491 / 2^7 = 230.4 = 0.9 x 256).
write_wav('music-stereo-24bit.wav', music[1000:1700], music_rate, 3,
          lambda s: struct.pack('<i', (s * 29491) >> 7)[:3])
# 3 channels, 16-bit: frames 2000..2599 as left, right and their mean (a centre).
write_wav('music-3ch-16bit.wav', [(l, r, (l + r) >> 1) for l, r in music[2000:2600]], music_rate, 2,
          lambda s: struct.pack('<h', s))

# 32-bit float stereo (WAVE_FORMAT_IEEE_FLOAT, written by hand: the wave
# module writes integer PCM only): frames 3000..3499 at a gain of 0.9.
body = b''.join(struct.pack('<f', s * 0.9 / 32768) for f in music[3000:3500] for s in f)
fmt = struct.pack('<HHIIHH', 3, 2, music_rate, music_rate * 8, 8, 32)
open(f'{out}/music-stereo-float.wav', 'wb').write(
    b'RIFF' + struct.pack('<I', 4 + 8 + len(fmt) + 8 + len(body)) + b'WAVE' +
    b'fmt ' + struct.pack('<I', len(fmt)) + fmt + b'data' + struct.pack('<I', len(body)) + body)
EOF

# How the golden files were coded (in tests/golden, by mbz 0.7.0). Never
# rerun to replace them: a rerun must give the same bytes, or the format broke.
cat <<'EOF'
Inputs written. The golden files were coded in tests/golden by mbz 0.7.0 with:
  mbz -m none --force-model --segment-size 1K -o v1-none-numeric-grey8.mbz grey8-40x40.pgm
  mbz -m none --force-model --segment-size 1K -o v1-none-numeric-rgba8.mbz rgba8-24x24.tga
  mbz -m none --force-model --segment-size 1K -o v1-none-numeric-grey16.mbz grey16-28x28.pgm
  mbz -m none --force-model --segment-size 1K -o v1-none-numeric-rgb16.mbz rgb16-20x20.ppm
  mbz -m none --force-model --segment-size 1K --layout planar-med -o v1-none-numeric-rgb8-planar-med.mbz photo-32x24.ppm
  mbz -m none --force-model --segment-size 1K --layout delta2 -o v1-none-numeric-rgb8-delta2.mbz photo-32x24.ppm
  mbz -m none --force-model --segment-size 1K --layout native -o v1-none-numeric-rgb8-native.mbz photo-32x24.ppm
  mbz -m none --force-model --segment-size 1K --layout planar-med -o v1-none-numeric-rgb16-planar-med.mbz rgb16-20x20.ppm
  mbz -m none --force-model --segment-size 1K --layout native -o v1-none-numeric-rgb16-native.mbz rgb16-20x20.ppm
  mbz -m none --force-model --segment-size 1K --raw-image 20x20x3:16 --layout native -o v1-none-sampled-rgb16le-native.mbz rgb16le-20x20.raw
  mbz -m none --force-model --segment-size 1K --layout native -o v1-none-numeric-speech8-native.mbz speech-8bit.wav
  mbz -m none --force-model --segment-size 1K --layout med -o v1-none-numeric-speech8-med.mbz speech-8bit.wav
  mbz -m none --force-model --segment-size 1K -o v1-none-signal-speech8.mbz speech-8bit.wav
  mbz -m none --force-model --segment-size 1K --layout msb -o v1-none-numeric-speech-msb.mbz speech-0.5s.wav
  mbz -m none --force-model --segment-size 1K --layout msb -o v1-none-numeric-stereo16-msb.mbz music-stereo-16bit.wav
  mbz -m none --force-model --segment-size 1K -o v1-none-signal-stereo24.mbz music-stereo-24bit.wav
  mbz -m none --force-model --segment-size 1K --layout msb -o v1-none-numeric-stereo24-msb.mbz music-stereo-24bit.wav
  mbz -m none --force-model --segment-size 1K -o v1-none-signal-3ch16.mbz music-3ch-16bit.wav
  mbz -m none --force-model --segment-size 1K --layout msb -o v1-none-numeric-3ch16-msb.mbz music-3ch-16bit.wav
  mbz -m none --force-model --segment-size 1K -o v1-none-sampled-stereo-float.mbz music-stereo-float.wav
EOF
