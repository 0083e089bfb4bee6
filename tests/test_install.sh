#!/usr/bin/env bash
# test_install.sh - `cmake --install` into a scratch prefix, then: a separate
# CMake project finds the library with find_package(jfilter); a plain compiler
# line finds it through pkg-config; the installed `jfilter` finds libjfilter
# through its RPATH and its default model without a path.
# Usage: test_install.sh JFILTER SOURCE_DIR BUILD_DIR PYTHON
. "$(dirname "$0")/support/common.sh" "$@"
jft_scratch install-test
P=$T

cmake --install "$BUILD" --prefix "$P/prefix" >"$P/install.log" 2>&1 && ok || { bad "cmake --install"; cat "$P/install.log"; }
for f in include/jfilter.h bin/jfilter share/jfilter/weights/fdkn_x8.safetensors; do
  [ -e "$P/prefix/$f" ] && ok || bad "installed $f"
done
ls "$P/prefix"/lib*/libjfilter.so* >/dev/null 2>&1 && ok || bad "installed libjfilter.so"
ls "$P/prefix"/lib*/cmake/jfilter/jfilterConfig.cmake >/dev/null 2>&1 && ok || bad "installed CMake package"

# A sanitized build (JF_SANITIZE) installs a library that needs the sanitizer
# runtimes, which only an executable links in: CMake passes the compiler and
# flags the consumers must be built with (JF_CONSUMER_CC, JF_CONSUMER_FLAGS).
CONSUMER_CC=${JF_CONSUMER_CC:-cc}
CONSUMER_FLAGS=${JF_CONSUMER_FLAGS:-}
consumer_args=()
[ -n "${JF_CONSUMER_CC:-}" ] && consumer_args+=(-DCMAKE_C_COMPILER="$JF_CONSUMER_CC")
[ -n "$CONSUMER_FLAGS" ] && consumer_args+=(-DCMAKE_C_FLAGS="$CONSUMER_FLAGS" -DCMAKE_EXE_LINKER_FLAGS="$CONSUMER_FLAGS")

# find_package from another project
if cmake -S "$SRC/tests/consumer" -B "$P/consumer" -DCMAKE_PREFIX_PATH="$P/prefix" "${consumer_args[@]}" >"$P/consumer.log" 2>&1 &&
   cmake --build "$P/consumer" >>"$P/consumer.log" 2>&1; then
  LD_LIBRARY_PATH="$(echo "$P"/prefix/lib*)" "$P/consumer/consumer" | grep -q "^jfilter 0\.1\.0, [1-9]" && ok || bad "consumer run"
else
  bad "find_package consumer build"; cat "$P/consumer.log"
fi

# pkg-config
PCDIR=$(dirname "$(ls "$P"/prefix/lib*/pkgconfig/jfilter.pc)")
if flags=$(PKG_CONFIG_PATH="$PCDIR" pkg-config --cflags --libs jfilter); then
  "$CONSUMER_CC" $CONSUMER_FLAGS -o "$P/pc_consumer" "$SRC/tests/consumer/main.c" $flags && ok || bad "pkg-config build ($flags)"
else bad "pkg-config jfilter"; fi

# the installed program finds libjfilter through its RPATH (no LD_LIBRARY_PATH),
# and the default model and its sample input
JFI="$P/prefix/bin/jfilter"
JF_WEIGHTS_DIR= "$JFI" run --guide "$SRC/weights/sample/guide.png" \
  --target "$SRC/weights/sample/depth_low.png" --scale 8 --output "$P/out.png" --quiet 2>"$P/run.log" &&
  [ -s "$P/out.png" ] && ok || { bad "installed jfilter run with the default model"; cat "$P/run.log"; }

jft_finish
