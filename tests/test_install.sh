#!/usr/bin/env bash
# test_install.sh - `cmake --install` into a scratch prefix (not the one the
# build was configured for: the tree must be relocatable), then checks what a
# packager and an application developer get:
#  - the files: header, library, program, the default model and its card,
#    LICENSE, the man page, the bash completion, the CMake package and the
#    pkg-config file (with weightsdir);
#  - the program links the shared library (no static copy in it) through the
#    RUNPATH $ORIGIN/../lib, and finds the installed default model;
#  - two consumer applications, one built with find_package(jfilter), one
#    with pkg-config, run the guided filter and the default model (found with
#    jf_default_weights_dir()) on the bundled sample, and their outputs equal
#    the installed program's.
# Usage: test_install.sh JFILTER SOURCE_DIR BUILD_DIR PYTHON
. "$(dirname "$0")/support/common.sh" "$@"
jft_scratch install-test
P=$T
S=$SRC/weights/sample

cmake --install "$BUILD" --prefix "$P/prefix" >"$P/install.log" 2>&1 && ok || { bad "cmake --install"; cat "$P/install.log"; }
for f in include/jfilter.h bin/jfilter share/jfilter/weights/fdkn_x8.safetensors share/jfilter/weights/README.md \
         share/doc/jfilter/LICENSE share/man/man1/jfilter.1 share/bash-completion/completions/jfilter; do
  [ -e "$P/prefix/$f" ] && ok || bad "installed $f"
done
LIBDIR=$(dirname "$(ls "$P"/prefix/lib*/libjfilter.so 2>/dev/null | head -1)")
[ -e "$LIBDIR/libjfilter.so" ] && ok || bad "installed libjfilter.so"
ls "$LIBDIR"/cmake/jfilter/jfilterConfig.cmake >/dev/null 2>&1 && ok || bad "installed CMake package"
PCDIR=$LIBDIR/pkgconfig
WD=$(PKG_CONFIG_PATH="$PCDIR" pkg-config --variable=weightsdir jfilter)
[ -n "$WD" ] && [ "$(cd "$WD" 2>/dev/null && pwd -P)" = "$(cd "$P/prefix/share/jfilter/weights" && pwd -P)" ] &&
  ok || bad "pkg-config weightsdir '$WD' is not the installed weights folder"

# the program: the shared library through a relative RUNPATH, not a copy of it
JFI="$P/prefix/bin/jfilter"
readelf -d "$JFI" | grep -q "(RUNPATH).*\[\$ORIGIN/\.\./$(basename "$LIBDIR")\]" && ok ||
  bad "installed jfilter's RUNPATH is not \$ORIGIN/../$(basename "$LIBDIR"): $(readelf -d "$JFI" | grep -i path)"
loaded=$(env -u LD_LIBRARY_PATH ldd "$JFI" | awk '/libjfilter\.so/ {print $3}')
[ -n "$loaded" ] && [ "$(readlink -f "$loaded")" = "$(readlink -f "$LIBDIR/libjfilter.so")" ] && ok ||
  bad "installed jfilter does not load $LIBDIR/libjfilter.so: $(ldd "$JFI" | grep jfilter)"
nm "$JFI" 2>/dev/null | grep -qE " [TtDd] jf_(model_run|guided_filter|context_create)$" &&
  bad "installed jfilter carries its own copy of the library" || ok

# A sanitized build (JF_SANITIZE) installs a library that needs the sanitizer
# runtimes, which only an executable links in: CMake passes the compiler and
# flags the consumers must be built with (JF_CONSUMER_CC, JF_CONSUMER_FLAGS).
CONSUMER_CC=${JF_CONSUMER_CC:-cc}
CONSUMER_FLAGS=${JF_CONSUMER_FLAGS:-}
consumer_args=()
[ -n "${JF_CONSUMER_CC:-}" ] && consumer_args+=(-DCMAKE_C_COMPILER="$JF_CONSUMER_CC")
[ -n "$CONSUMER_FLAGS" ] && consumer_args+=(-DCMAKE_C_FLAGS="$CONSUMER_FLAGS" -DCMAKE_EXE_LINKER_FLAGS="$CONSUMER_FLAGS")

consumers=()
# find_package from another project
if cmake -S "$SRC/tests/consumer" -B "$P/consumer" -DCMAKE_PREFIX_PATH="$P/prefix" "${consumer_args[@]}" >"$P/consumer.log" 2>&1 &&
   cmake --build "$P/consumer" >>"$P/consumer.log" 2>&1; then
  ok; consumers+=("$P/consumer/consumer")
else
  bad "find_package consumer build"; cat "$P/consumer.log"
fi
# pkg-config
if flags=$(PKG_CONFIG_PATH="$PCDIR" pkg-config --cflags --libs jfilter); then
  # shellcheck disable=SC2086
  "$CONSUMER_CC" $CONSUMER_FLAGS -o "$P/pc_consumer" "$SRC/tests/consumer/main.c" "$SRC/tests/consumer/npy.c" \
    $flags 2>"$P/pc_consumer.log" && { ok; consumers+=("$P/pc_consumer"); } || { bad "pkg-config build ($flags)"; cat "$P/pc_consumer.log"; }
else bad "pkg-config jfilter"; fi

# The installed program on the bundled sample: the default model (no
# JF_WEIGHTS_DIR: the installed one) and the guided filter, float outputs.
JF_WEIGHTS_DIR= "$JFI" run --guide "$S/guide.png" --target "$S/depth_low.png" --scale 8 \
  --output "$P/cli_model.npy" --quiet 2>"$P/run.log" && [ -s "$P/cli_model.npy" ] && ok ||
  { bad "installed jfilter run with the default model"; cat "$P/run.log"; }
"$JFI" guided --guide "$S/guide.png" --target "$S/depth_gt.png" --output "$P/cli_guided.npy" --quiet \
  2>"$P/guided.log" && ok || { bad "installed jfilter guided"; cat "$P/guided.log"; }

# the sample as .npy for the consumers (they read no PNG)
"$PY" - "$S" "$P" <<'PYEOF' && ok || bad "converting the sample to .npy"
import sys, cv2, numpy as np
s, p = sys.argv[1:]
for name in ("guide", "depth_low", "depth_gt"):
    a = cv2.imread(f"{s}/{name}.png", cv2.IMREAD_UNCHANGED)
    if a.ndim == 3:
        a = np.ascontiguousarray(a[..., ::-1])  # OpenCV's BGR to RGB, the consumer's order
    np.save(f"{p}/{name}.npy", a)
PYEOF

for c in "${consumers[@]}"; do
  tag=$(basename "$c")
  # LD_LIBRARY_PATH as for any library in a non-system prefix (the CMake-built
  # consumer would find it through the RUNPATH CMake gave it anyway)
  LD_LIBRARY_PATH="$LIBDIR" "$c" | grep -q "^jfilter 0\.1\.0, [1-9][0-9]* device(s), weights in $(cd "$P/prefix/share/jfilter/weights" && pwd -P)$" &&
    ok || bad "$tag: version/devices/weights line: $(LD_LIBRARY_PATH="$LIBDIR" "$c" 2>&1)"
  LD_LIBRARY_PATH="$LIBDIR" JF_WEIGHTS_DIR= "$c" model - "$P/guide.npy" "$P/depth_low.npy" "$P/${tag}_model.npy" \
    2>"$P/$tag.log" && ok || { bad "$tag: the default model"; cat "$P/$tag.log"; }
  LD_LIBRARY_PATH="$LIBDIR" "$c" guided "$P/guide.npy" "$P/depth_gt.npy" "$P/${tag}_guided.npy" \
    2>>"$P/$tag.log" && ok || { bad "$tag: the guided filter"; cat "$P/$tag.log"; }
  for what in model guided; do
    "$PY" - "$P/cli_$what.npy" "$P/${tag}_$what.npy" <<'PYEOF' && ok || bad "$tag: $what output differs from the installed jfilter's"
import sys, numpy as np
a, b = (np.load(f) for f in sys.argv[1:])
if a.shape != b.shape:
    sys.exit(f"shapes {a.shape} and {b.shape}")
d = float(np.max(np.abs(a.astype(np.float64) - b)))
if not np.isfinite(b).all() or d > 1e-6 or float(np.std(b)) < 1e-3:
    sys.exit(f"max abs difference {d}, std {np.std(b)}")
PYEOF
  done
done

jft_finish
