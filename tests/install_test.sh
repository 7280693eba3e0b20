#!/usr/bin/env bash
# Installs into a staging prefix, builds the examples against it through the
# CMake package and through pkg-config, and runs them and the installed mbz
# with no flags and no MBZ_MODEL_PATH: they must find the installed models.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
unset MBZ_MODEL_PATH
STAGE="$T/stage"
cmake --install "$BUILD" --prefix "$STAGE" >/dev/null
for f in bin/mbz include/mbz/mbz.h include/mbz/mbz.hpp share/man/man1/mbz.1 share/man/man5/mbz.5; do
  test -e "$STAGE/$f" || { echo "missing $f in the install"; exit 1; }
done
ls "$STAGE"/lib*/libmbz.a "$STAGE"/lib*/libmbz.so >/dev/null
ls "$STAGE"/share/mbz/models/*.mbzm >/dev/null

cmake -S "$SRC/examples" -B "$T/ex" -DCMAKE_PREFIX_PATH="$STAGE" >/dev/null
cmake --build "$T/ex" >/dev/null
out=$("$T/ex/example_cpp")
echo "$out"
# The default model must come from the staged install, not the source tree.
case "$out" in *"from $STAGE/"*) ;; *) echo "example_cpp did not use the installed models"; exit 1;; esac
"$T/ex/example_c"

PC_DIR=$(dirname "$(ls "$STAGE"/lib*/pkgconfig/mbz.pc | head -n 1)")
flags=$(PKG_CONFIG_PATH="$PC_DIR" pkg-config --cflags --libs mbz)
libdir=$(PKG_CONFIG_PATH="$PC_DIR" pkg-config --variable=libdir mbz)
cc "$SRC/examples/example.c" $flags -Wl,-rpath,"$libdir" -o "$T/example_c_pkgconfig"
"$T/example_c_pkgconfig"

"$STAGE/bin/mbz" -c "$SRC/samples/gpl-3.0.txt" | "$STAGE/bin/mbz" -d -c | cmp - "$SRC/samples/gpl-3.0.txt"
echo "installed mbz round trip: OK"
