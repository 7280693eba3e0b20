#!/usr/bin/env bash
# Builds the audio and image training corpora from pinned Debian 12 packages
# (no other download), as the files the pcm and image adapters take: 16-bit
# PCM WAV and binary PPM/PGM. Nothing here is committed; the manifest records
# package versions and the SHA-256 of every output.
#
#   bash scripts/build-media-corpus.sh OUTDIR [--any-version]
#
# Output: OUTDIR/audio/{train,heldout}/*.wav, OUTDIR/image/{train,heldout}/*.{ppm,pgm},
# OUTDIR/media-MANIFEST.tsv. Audio: recorded English speech prompts (8 kHz),
# music-on-hold recordings (8 kHz), and orchestral game music decoded from
# Ogg Vorbis to 44.1 kHz stereo and 22.05 kHz mono. Images: photographs from
# the Ubuntu 16.04 wallpaper contest, downscaled (which also removes most JPEG
# artefacts) to 1024, 768 and 512 pixels wide, as RGB PPM and grayscale PGM.
# A file goes to held-out when the CRC of its name is divisible by 10.
#
# Never add a package from the benchmark's list (../shared/bench/README.md).
set -euo pipefail

OUT=${1:?usage: build-media-corpus.sh OUTDIR [--any-version]}
ANY=${2:-}
. "$(dirname "$0")/benchmark-packages.sh"

PACKAGES="
asterisk-core-sounds-en-wav=1.6.1-1
asterisk-moh-opsound-wav=2.03-1.1
wesnoth-1.16-music=1:1.16.9-1
lomiri-wallpapers-16.04=20.04.0-2
"
refuse_benchmark_packages $(echo "$PACKAGES" | cut -d= -f1)

for tool in sox convert; do
  command -v $tool >/dev/null || { echo "installing sox and imagemagick" >&2; apt-get install -y -qq sox libsox-fmt-all imagemagick >/dev/null; }
done

mkdir -p "$OUT/media-work/debs" "$OUT/media-work/root"
WORK=$(cd "$OUT/media-work" && pwd)
OUT=$(cd "$OUT" && pwd)
mkdir -p "$OUT"/audio/{train,heldout} "$OUT"/image/{train,heldout}
echo -e "file\tsha256\tsource" > "$OUT/media-MANIFEST.tsv"

for spec in $PACKAGES; do
  pkg=${spec%%=*}
  ls "$WORK/debs/${pkg}"_*.deb >/dev/null 2>&1 && continue
  (cd "$WORK/debs" && { apt-get download "$spec" 2>/dev/null || { [ "$ANY" = --any-version ] && apt-get download "$pkg"; }; }) \
    || { echo "cannot download $spec (try --any-version)" >&2; exit 1; }
done
for deb in "$WORK"/debs/*.deb; do dpkg -x "$deb" "$WORK/root"; done
version() { dpkg-deb -f "$WORK"/debs/"$1"_*.deb Version; }

split_of() { [ $(( $(printf %s "$1" | cksum | cut -d' ' -f1) % 10 )) -eq 0 ] && echo heldout || echo train; }
record() { echo -e "$1\t$(sha256sum "$OUT/$1" | cut -d' ' -f1)\t$2" >> "$OUT/media-MANIFEST.tsv"; }

# Speech: every prompt of the English core sounds, as shipped (8 kHz mono s16).
src=asterisk-core-sounds-en-wav=$(version asterisk-core-sounds-en-wav)
find "$WORK/root/usr/share/asterisk/sounds/en_US_f_Allison" -name '*.wav' | sort | while read -r f; do
  name=speech_$(echo "${f#"$WORK"/root/usr/share/asterisk/sounds/en_US_f_Allison/}" | tr / _)
  dest=audio/$(split_of "$name")/$name
  cp "$f" "$OUT/$dest" && record "$dest" "$src:${f#"$WORK"/root}"
done

# Music on hold: five recordings (8 kHz mono s16).
src=asterisk-moh-opsound-wav=$(version asterisk-moh-opsound-wav)
for f in "$WORK"/root/usr/share/asterisk/moh/*.wav; do
  name=moh_$(basename "$f")
  dest=audio/$(split_of "$name")/$name
  sox -q "$f" -b 16 -e signed-integer "$OUT/$dest" && record "$dest" "$src:${f#"$WORK"/root}"
done

# Game music: the first 60 s of each track at 44.1 kHz stereo, and 22.05 kHz mono.
src=wesnoth-1.16-music=$(version wesnoth-1.16-music)
find "$WORK/root" -name '*.ogg' | sort | while read -r f; do
  base=$(basename "$f" .ogg)
  for variant in "44k_stereo:44100:2" "22k_mono:22050:1"; do
    IFS=: read -r tag rate ch <<< "$variant"
    name=music_${base}_$tag.wav
    dest=audio/$(split_of "$name")/$name
    sox -q "$f" -b 16 -e signed-integer -r "$rate" -c "$ch" "$OUT/$dest" trim 0 60 dither -s && record "$dest" "$src:${f#"$WORK"/root}"
  done
done

# Photos: each wallpaper at three widths, RGB and grayscale.
src=lomiri-wallpapers-16.04=$(version lomiri-wallpapers-16.04)
find "$WORK/root/usr/share/backgrounds" -name '*.jpg' | sort | while read -r f; do
  base=$(basename "$f" .jpg)
  for width in 1024 768 512; do
    for kind in ppm pgm; do
      name=${base}_${width}.$kind
      dest=image/$(split_of "$base")/$name   # all sizes of one photo on the same side
      if [ $kind = ppm ]; then convert "$f" -resize "${width}x" -depth 8 "ppm:$OUT/$dest"
      else convert "$f" -resize "${width}x" -colorspace Gray -depth 8 "pgm:$OUT/$dest"; fi
      record "$dest" "$src:${f#"$WORK"/root}"
    done
  done
done

rm -rf "$WORK/root"
du -sh "$OUT"/audio/* "$OUT"/image/* >&2
