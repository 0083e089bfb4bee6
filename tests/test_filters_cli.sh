#!/usr/bin/env bash
# test_filters_cli.sh - the classical-filter subcommands of `jfilter` end to
# end (guided, jbf, jbu, bicubic, bench-filters): help texts, PNG (8/16-bit,
# gray/RGB) and NPY in and out with the right sizes and formats, and bad input
# that exits non-zero with a message and leaves no output file.
# Usage: test_filters_cli.sh JFILTER SOURCE_DIR BUILD_DIR PYTHON
. "$(dirname "$0")/support/common.sh" "$@"
LU="$SHARED/data/lu"
jft_scratch filters-cli-test
# expect_fail NAME NEEDLE OUTPUT -- CMD...: non-zero exit, NEEDLE in stderr, OUTPUT not created
expect_fail() {
  local name=$1 needle=$2 out=$3; shift 4
  local err
  err=$("$@" 2>&1 >/dev/null) && { bad "$name: exited 0"; return; }
  [[ "$err" == *"$needle"* ]] || { bad "$name: message lacks '$needle': $err"; return; }
  [ -e "$out" ] && { bad "$name: left $out behind"; return; }
  ok
}
# png_info FILE: "WIDTH HEIGHT BITDEPTH COLOURTYPE" from the IHDR chunk
png_info() {
  od -An -tu1 -j16 -N10 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8, $9, $10}'
}
expect_png() { # NAME FILE "W H BITS TYPE"
  [ -f "$2" ] || { bad "$1: $2 missing"; return; }
  local got; got=$(png_info "$2")
  [ "$got" = "$3" ] && ok || bad "$1: $2 is '$got', want '$3'"
}
# npy_shape FILE: the shape tuple from the header
npy_shape() { head -c 128 "$1" | tr -d '\0' | grep -ao "'shape': ([0-9, ]*)" | sed "s/'shape': //"; }

[ -f "$LU/lu_01_color.png" ] || { echo "FAIL: $LU is missing"; exit 1; }
COL="$LU/lu_01_color.png" DEP="$LU/lu_01_depth.png"

# help texts teach: what, units, defaults, an example
for c in guided jbf jbu bicubic bench-filters; do
  h=$("$JF" $c --help) && ok || bad "$c --help exits non-zero"
  [[ "$h" == *"Example"* ]] && ok || bad "$c --help has no example"
done
"$JF" guided --help | grep -q "normalized intensity units squared" && ok || bad "guided --help units"
"$JF" guided --help | grep -q "default 0.01" && ok || bad "guided --help default eps"
"$JF" jbf --help | grep -q "sigma-space S .*pixels" && ok || bad "jbf --help units"
"$JF" jbu --help | grep -q "low-resolution pixels" && ok || bad "jbu --help units"
"$JF" bicubic --help | grep -q "a = -0.75" && ok || bad "bicubic --help conventions"
"$JF" bench-filters --help | grep -q "median_ms" && ok || bad "bench-filters --help"
"$JF" --help | grep -q "bench-filters" && ok || bad "overview lists bench-filters"

# guided: 8-bit gray PNG out, NPY out, fast variant, colour target
"$JF" guided --guide "$COL" --target "$DEP" --radius 8 --eps 0.01 --output "$T/gf.png" --quiet && ok || bad "guided png"
expect_png "guided png" "$T/gf.png" "640 480 8 0"
"$JF" guided --guide "$COL" --target "$DEP" --output "$T/gf.npy" --quiet && ok || bad "guided npy"
[ "$(npy_shape "$T/gf.npy")" = "(480, 640)" ] && ok || bad "guided npy shape $(npy_shape "$T/gf.npy")"
"$JF" guided --guide "$COL" --target "$DEP" --fast 4 --output "$T/fgf.npy" --quiet && ok || bad "fast guided"
cmp -s "$T/gf.npy" "$T/fgf.npy" && bad "fast guided equals the full filter bit for bit" || ok
"$JF" guided --guide "$DEP" --target "$COL" --radius 4 --eps 0.001 --output "$T/gf_rgb.png" --quiet && ok || bad "guided colour target"
expect_png "guided colour target" "$T/gf_rgb.png" "640 480 8 2"
"$JF" guided --guide "$COL" --target "$COL" --output "$T/gf_rgb.npy" --quiet && ok || bad "guided colour npy"
[ "$(npy_shape "$T/gf_rgb.npy")" = "(480, 640, 3)" ] && ok || bad "colour npy shape $(npy_shape "$T/gf_rgb.npy")"

# 16-bit: a 16-bit target gives a 16-bit result by default
"$JF" bicubic --target "$DEP" --scale 1 --bits 16 --output "$T/dep16.png" --quiet && ok || bad "make 16-bit"
expect_png "16-bit target" "$T/dep16.png" "640 480 16 0"
"$JF" jbf --guide "$COL" --target "$T/dep16.png" --output "$T/jbf16.png" --quiet && ok || bad "jbf 16-bit"
expect_png "jbf 16-bit" "$T/jbf16.png" "640 480 16 0"
# float NPY in
"$JF" jbf --guide "$COL" --target "$T/gf.npy" --diameter 0 --sigma-space 3 --output "$T/jbf.npy" --quiet && ok || bad "jbf npy in"
[ "$(npy_shape "$T/jbf.npy")" = "(480, 640)" ] && ok || bad "jbf npy shape"

# bicubic down (PIL, antialiased) then JBU back up
"$JF" bicubic --target "$DEP" --size 80x60 --mode pil --output "$T/low.png" --quiet && ok || bad "bicubic down"
expect_png "bicubic down" "$T/low.png" "80 60 8 0"
"$JF" bicubic --target "$T/low.png" --scale 8 --output "$T/up.png" --quiet && ok || bad "bicubic up"
expect_png "bicubic up" "$T/up.png" "640 480 8 0"
"$JF" bicubic --target "$T/low.png" --guide "$COL" --mode pil --output "$T/up2.png" --quiet && ok || bad "bicubic --guide"
expect_png "bicubic --guide" "$T/up2.png" "640 480 8 0"
"$JF" jbu --guide "$COL" --target "$T/low.png" --radius 2 --sigma-color 0.1 --sigma-space 1 --output "$T/jbu.png" --quiet && ok || bad "jbu"
expect_png "jbu" "$T/jbu.png" "640 480 8 0"

# bad input: non-zero exit, a message, no output
expect_fail "missing guide file" "no_such.png" "$T/x1.png" -- "$JF" guided --guide "$T/no_such.png" --target "$DEP" --output "$T/x1.png"
expect_fail "size mismatch" "must match" "$T/x2.png" -- "$JF" guided --guide "$COL" --target "$T/low.png" --output "$T/x2.png"
expect_fail "negative eps" "--eps" "$T/x3.png" -- "$JF" guided --guide "$COL" --target "$DEP" --eps -1 --output "$T/x3.png"
expect_fail "zero fast" "--fast" "$T/x4.png" -- "$JF" guided --guide "$COL" --target "$DEP" --fast 0 --output "$T/x4.png"
expect_fail "missing args" "required" "$T/x5.png" -- "$JF" jbf --guide "$COL" --output "$T/x5.png"
expect_fail "zero sigma" "--sigma-color" "$T/x6.png" -- "$JF" jbf --guide "$COL" --target "$DEP" --sigma-color 0 --output "$T/x6.png"
expect_fail "jbu target too big" "larger than the guide" "$T/x7.png" -- "$JF" jbu --guide "$T/low.png" --target "$DEP" --output "$T/x7.png"
expect_fail "bad mode" "--mode" "$T/x8.png" -- "$JF" bicubic --target "$DEP" --scale 2 --mode lanczos --output "$T/x8.png"
expect_fail "no size" "--scale" "$T/x9.png" -- "$JF" bicubic --target "$DEP" --output "$T/x9.png"
expect_fail "bad extension" ".png, .tif/.tiff, .pfm or .npy" "$T/x10.jpg" -- "$JF" guided --guide "$COL" --target "$DEP" --output "$T/x10.jpg"
expect_fail "unknown option" "unknown option" "$T/x11.png" -- "$JF" jbu --guide "$COL" --target "$DEP" --eps 1 --output "$T/x11.png"
printf 'not a png' > "$T/broken.png"
expect_fail "broken png" "broken.png" "$T/x12.png" -- "$JF" jbf --guide "$T/broken.png" --target "$DEP" --output "$T/x12.png"
expect_fail "unknown bench filter" "unknown filter" "$T/none" -- "$JF" bench-filters --filter median
# a side past INT_MAX was wrapped by sscanf("%d") into range (4294967297 -> 1)
expect_fail "wrapping size" "--size" "$T/x13.png" -- "$JF" bicubic --target "$DEP" --size 4294967297x60 --output "$T/x13.png"
expect_fail "wrapping bench size" "--size" "$T/none" -- "$JF" bench-filters --size 48x4294967328
# a PNG larger than JF_MAX_PIXELS is refused with the limit and how to raise it
JF_MAX_PIXELS=1000 expect_fail "pixel limit" "JF_MAX_PIXELS" "$T/x14.png" -- "$JF" guided --guide "$COL" --target "$DEP" --output "$T/x14.png"

# bench-filters: one JSON line per filter
n=$("$JF" bench-filters --size 48x32 --repeat 1 | grep -c '"median_ms"')
[ "$n" = 6 ] && ok || bad "bench-filters printed $n JSON lines, want 6"

jft_finish "filters cli: "
