#!/usr/bin/env bash
# Builds the text training corpus from pinned Debian 12 packages (no other
# download): English prose, source code, and structured text, each split into
# train and held-out parts. Nothing here is committed; the manifest it writes
# records package versions and the SHA-256 of every output.
#
#   bash scripts/build-text-corpus.sh OUTDIR [--any-version]
#
# Output: OUTDIR/text/{train,heldout}/{prose,code,structured}.txt and
# OUTDIR/text/MANIFEST.tsv. A file goes to held-out when the CRC of its path
# inside its package is divisible by 50 (about 2%), so the split is stable.
# --any-version: if a pinned version is no longer on the mirror, take the
# current one (the manifest records what was used; checksums will differ).
#
# Never add a package from the benchmark's list (../shared/bench/README.md):
# they are the public and held-out benchmark sources. The guard below fails
# the build if one slips in.
set -euo pipefail

OUT=${1:?usage: build-text-corpus.sh OUTDIR [--any-version]}
ANY=${2:-}
. "$(dirname "$0")/benchmark-packages.sh"

# category package=version
PACKAGES="
prose python3.11-doc=3.11.2-6+deb12u9
prose postgresql-doc-15=15.20-0+deb12u1
prose perl-doc=5.36.0-7+deb12u4
prose debian-reference-en=2.100
prose dict-wn=1:3.0-37
prose dict-devil=1.0-13.1
prose gnu-standards=2022.03.23-0.1
prose manpages=6.03-2
prose git-man=1:2.39.5-0+deb12u3
code linux-source-6.1=6.1.192-2
code libpython3.11-stdlib=3.11.2-6+deb12u9
code perl-modules-5.36=5.36.0-7+deb12u4
structured unicode-data=15.0.0-1
structured osinfo-db=0.20221130-2
structured xkb-data=2.35.1-1
structured hwdata=0.368-1
structured node-mdn-data=2.0.30-1
structured node-caniuse-lite=1.0.30001436+dfsg+~1.0.1-1
structured distro-info-data=0.58+deb12u7
"
# Linux is large: only these subtrees, enough for ~100 MB of C.
LINUX_DIRS="kernel mm fs/ext4 fs/btrfs fs/xfs net/ipv4 net/ipv6 net/core lib crypto block drivers/net/ethernet/intel drivers/gpu/drm/i915 include/linux"

refuse_benchmark_packages $(echo "$PACKAGES" | awk '{print $2}' | cut -d= -f1)

mkdir -p "$OUT/text/.work/debs" "$OUT/text/.work/root"
WORK=$(cd "$OUT/text/.work" && pwd)
TEXT=$(cd "$OUT/text" && pwd)

echo "downloading packages..." >&2
( cd "$WORK/debs"
  echo "$PACKAGES" | while read -r cat spec; do
    [ -n "$spec" ] || continue
    pkg=${spec%%=*}
    ls "$pkg"_*.deb >/dev/null 2>&1 && continue
    if ! apt-get download -q "$spec" >/dev/null 2>&1; then
      if [ "$ANY" = "--any-version" ]; then apt-get download -q "$pkg" >/dev/null
      else echo "cannot download $spec (run apt-get update, or pass --any-version)" >&2; exit 1; fi
    fi
  done )

echo "unpacking..." >&2
for deb in "$WORK"/debs/*.deb; do
  pkg=$(dpkg-deb -f "$deb" Package)
  [ -d "$WORK/root/$pkg" ] || dpkg -x "$deb" "$WORK/root/$pkg"
done
LSRC="$WORK/root/linux-source-6.1"
if [ ! -d "$LSRC/src" ]; then
  tarball=$(find "$LSRC" -name 'linux-source-*.tar.xz' | head -n 1)
  mkdir -p "$LSRC/src"
  patterns=()
  for d in $LINUX_DIRS; do patterns+=("*/$d/*"); done
  tar -xJf "$tarball" -C "$LSRC/src" --wildcards "${patterns[@]}"
fi

# Lists "package<TAB>path" of the text files of a category, in a stable order.
select_files() {
  local cat=$1
  echo "$PACKAGES" | awk -v c="$cat" '$1 == c { split($2, a, "="); print a[1] }' | while read -r pkg; do
    local root="$WORK/root/$pkg"
    case "$pkg" in
      python3.11-doc) find "$root" -type f -path '*/_sources/*' -name '*.txt' ;;
      postgresql-doc-15|debian-reference-en) find "$root" -type f -name '*.html' ;;
      perl-doc) find "$root" -type f -name '*.pod' ;;
      dict-wn|dict-devil) find "$root" -type f -name '*.dict.dz' ;;
      gnu-standards) find "$root" -type f -name '*.info*' ;;
      manpages|git-man) find "$root" -type f -path '*/man/*' -name '*.gz' ;;
      linux-source-6.1) find "$root/src" -type f -name '*.[ch]' ;;
      libpython3.11-stdlib) find "$root" -type f -name '*.py' ;;
      perl-modules-5.36) find "$root" -type f -name '*.pm' ;;
      unicode-data) find "$root" -type f -name '*.txt' ;;
      osinfo-db) find "$root" -type f -name '*.xml' ;;
      xkb-data) find "$root" -type f \( -name '*.xml' -o -name '*.lst' -o -path '*/symbols/*' \) ;;
      hwdata) find "$root" -type f -name '*.ids' ;;
      node-mdn-data|node-caniuse-lite) find "$root" -type f -name '*.json' ;;
      distro-info-data) find "$root" -type f -name '*.csv' ;;
    esac | LC_ALL=C sort | sed "s|^|$pkg\t|"
  done
}

emit() {  # prints a file's text, decompressing .gz/.dz
  case "$1" in *.gz|*.dz) gzip -dc "$1" ;; *) cat "$1" ;; esac
}

mkdir -p "$TEXT/train" "$TEXT/heldout"
for cat in prose code structured; do
  : > "$TEXT/train/$cat.txt"
  : > "$TEXT/heldout/$cat.txt"
  select_files "$cat" | while IFS=$'\t' read -r pkg path; do
    rel=${path#"$WORK/root/$pkg/"}
    crc=$(printf '%s' "$pkg/$rel" | cksum | cut -d' ' -f1)
    if [ $((crc % 50)) -eq 0 ]; then split=heldout; else split=train; fi
    { emit "$path"; printf '\n'; } >> "$TEXT/$split/$cat.txt"
  done
  echo "$cat: $(wc -c < "$TEXT/train/$cat.txt") train bytes, $(wc -c < "$TEXT/heldout/$cat.txt") held-out bytes" >&2
done

{
  printf 'kind\tname\tversion_or_bytes\tsha256\n'
  for deb in "$WORK"/debs/*.deb; do
    printf 'package\t%s\t%s\t%s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)" "$(sha256sum "$deb" | cut -d' ' -f1)"
  done
  for f in "$TEXT"/train/*.txt "$TEXT"/heldout/*.txt; do
    printf 'output\t%s\t%s\t%s\n' "${f#"$TEXT/"}" "$(wc -c < "$f")" "$(sha256sum "$f" | cut -d' ' -f1)"
  done
} > "$TEXT/MANIFEST.tsv"
echo "wrote $TEXT/MANIFEST.tsv" >&2

# With the pinned versions the result is byte-identical everywhere: check it.
EXPECTED="$(dirname "$0")/text-corpus.expected.tsv"
if [ "$ANY" != "--any-version" ] && [ -f "$EXPECTED" ]; then
  if diff -q "$EXPECTED" "$TEXT/MANIFEST.tsv" >/dev/null; then echo "checksums match $EXPECTED" >&2
  else echo "checksums differ from $EXPECTED:" >&2; diff "$EXPECTED" "$TEXT/MANIFEST.tsv" >&2; exit 1; fi
fi
