# Sourced by the corpus scripts: the Debian packages that feed the public and
# held-out benchmarks (../shared/bench/README.md). Training must never use
# them; refuse_benchmark_packages PKG... exits if one slips in.
BENCHMARK_PACKAGES="alsa-utils bible-kjv bible-kjv-text debian-policy dict-foldoc dict-gcide dict-jargon fortunes
hydrogen-drumkits iso-codes klettres-data libsqlite3-dev libstb-dev mate-backgrounds opencv-doc
plasma-workspace-wallpapers python3-skimage shared-mime-info sonic-pi-samples sound-icons"

refuse_benchmark_packages() {
  local p b
  for p in "$@"; do
    for b in $BENCHMARK_PACKAGES; do
      [ "$p" != "$b" ] || { echo "refusing: $b is a benchmark source package" >&2; exit 1; }
    done
  done
}
