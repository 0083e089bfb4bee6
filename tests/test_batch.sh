#!/usr/bin/env bash
# test_batch.sh - batch `jfilter run` (issue 12): a folder of pairs made from
# the bundled sample (flipped copies under different stems, one broken target,
# one guide without a partner) run by glob patterns and by a CSV list, each
# output byte for byte what a single `jfilter run` writes, the failing pair
# reported with exit status 1 while the rest go on, --skip-existing resuming,
# --device all (one device on PoCL), the run options applied to every pair,
# and Python's jfilter.run_batch writing the same pixels as the CLI.
# Usage: test_batch.sh JFILTER SOURCE_DIR BUILD_DIR PYTHON
. "$(dirname "$0")/support/common.sh" "$@"
S="$SRC/weights/sample"
jft_scratch batch-test
"$PY" -c "import numpy, cv2" 2>/dev/null || { echo "FAIL: a python3 with numpy and cv2 is needed ($PY lacks them)"; exit 1; }
cd "$T" || exit 1

# --- the folder: p0 as is, p1 flipped left-right, p2 upside down (a mixed-up
# pairing shows), a target that is no image, a guide with no target
mkdir rgb depth
"$PY" -c '
import cv2, sys
g, d = (cv2.imread(p, cv2.IMREAD_UNCHANGED) for p in sys.argv[1:3])
for name, f in (("p0", lambda a: a), ("p1", lambda a: a[:, ::-1]), ("p2", lambda a: a[::-1])):
    cv2.imwrite(f"rgb/{name}_color.png", f(g)); cv2.imwrite(f"depth/{name}_depth.png", f(d))
cv2.imwrite("rgb/broken_color.png", g); cv2.imwrite("rgb/lonely_color.png", g)
' "$S/guide.png" "$S/depth_low.png" || bad "make the folder"
echo "not a png" > depth/broken_depth.png
P=(p0 p1 p2)
batch() { "$JF" run --model fdkn_x8 --guide 'rgb/*.png' --target 'depth/*.png' --guide-suffix _color \
  --target-suffix _depth --scale 8 "$@"; }
single() { # single NAME OUTPUT [options]: one pair through a plain `jfilter run`
  local n=$1 o=$2; shift 2
  "$JF" run --quiet --model fdkn_x8 --guide "rgb/${n}_color.png" --target "depth/${n}_depth.png" --scale 8 \
    --output "$o" "$@" || bad "single run $n $*"
}
# has NAME TEXT FILE: FILE holds TEXT
has() { grep -qF -- "$2" "$3" && ok || bad "$1: no '$2' in: $(cat "$3")"; }

# --- by patterns: three pairs done, the broken one reported, exit status 1
batch --output-dir out 2>err.txt
[ $? -eq 1 ] && ok || bad "a failing pair gives exit status 1"
has "failure reported" "FAILED depth/broken_depth.png (guide rgb/broken_color.png)" err.txt
has "its reason" "not an image file" err.txt
has "unmatched reported" "rgb/lonely_color.png has no partner" err.txt
has "summary" "3 done, 0 skipped, 1 failed in" err.txt
has "summary: pairs/s and partners" "pairs/s) on 1 device; 1 file without a partner" err.txt
[ "$(ls -A out | tr '\n' ' ')" = "p0_depth.png p1_depth.png p2_depth.png " ] && ok \
  || bad "outputs: $(ls -A out | tr '\n' ' ') (no file for the broken pair, no temporary left)"
for n in "${P[@]}"; do
  single "$n" "$n.png"
  cmp -s "$n.png" "out/${n}_depth.png" && ok || bad "batch output $n differs from a single run"
done
cmp -s out/p0_depth.png out/p1_depth.png && bad "p0 and p1 came out the same: pairing lost" || ok

# --- resuming: what exists is skipped, untouched
touch -d '2001-01-01' out/p1_depth.png
batch --output-dir out --skip-existing 2>err.txt
[ $? -eq 1 ] && ok || bad "skip-existing: the broken pair still fails"
has "skip-existing summary" "0 done, 3 skipped, 1 failed" err.txt
[ "$(stat -c %Y out/p1_depth.png)" = "$(date -d '2001-01-01' +%s)" ] && ok || bad "a skipped output was rewritten"
rm out/p1_depth.png
batch --output-dir out --skip-existing --quiet 2>err.txt
[ $? -eq 1 ] && [ -f out/p1_depth.png ] && cmp -s p1.png out/p1_depth.png && ok || bad "resume rewrote p1"
grep -q "done," err.txt && bad "--quiet printed the summary" || ok

# --- a CSV list on every device (PoCL: one), float outputs, a row with its own output
{ echo "guide,target,output"; echo "# the good pairs"
  echo "rgb/p0_color.png,depth/p0_depth.png"
  echo "\"rgb/p1_color.png\", depth/p1_depth.png,"
  echo "rgb/p2_color.png,depth/p2_depth.png,elsewhere/p2.npy"; } > list.csv
"$JF" run --model fdkn_x8 --pairs list.csv --output-dir csv --output-suffix .npy --scale 8 --device all 2>err.txt \
  && ok || bad "CSV batch on --device all: $(cat err.txt)"
has "CSV summary" "3 done, 0 skipped, 0 failed" err.txt
for n in "${P[@]}"; do single "$n" "$n.npy"; done
cmp -s p0.npy csv/p0_depth.npy && cmp -s p1.npy csv/p1_depth.npy && cmp -s p2.npy elsewhere/p2.npy && ok \
  || bad "CSV batch .npy outputs differ from single runs"
printf 'rgb/p0_color.png\n' > short.csv
"$JF" run --pairs short.csv --output-dir csv 2>err.txt && bad "a one-column row accepted" || has "bad row" "line 1" err.txt

# --- the run options apply to each pair (here the 0.1 behaviour: no normalisation, no holes)
batch --output-dir raw --output-suffix .npy --no-normalize --invalid none --quiet 2>/dev/null
for n in "${P[@]}"; do
  single "$n" "${n}_raw.npy" --no-normalize --invalid none
  cmp -s "${n}_raw.npy" "raw/${n}_depth.npy" && ok || bad "options: batch output $n differs from a single run"
done
cmp -s p0_raw.npy p0.npy && bad "--no-normalize changed nothing" || ok

# --- mistakes said before any work
"$JF" run --guide 'rgb/*.png' --target 'nothing/*.png' --output-dir x 2>err.txt; [ $? -eq 2 ] && ok || bad "no match: status"
has "no match" "no target files match 'nothing/*.png'" err.txt
"$JF" run --guide 'rgb/*.png' --target 'depth/*.png' --output-dir x --output o.png 2>err.txt && bad "--output in a batch" \
  || has "batch takes no --output" "takes no --output" err.txt
cp depth/p0_depth.png depth/p0.png  # the key of p0_depth, the suffix stripped
batch --output-dir x 2>err.txt && bad "two targets of one key accepted" || has "two of a key" "two target files match the name 'p0'" err.txt
rm depth/p0.png
"$JF" run --help | grep -q -- "--output-dir D" && ok || bad "--help teaches batch runs"

# --- Python's run_batch: the same pairs, the same float results; its 16-bit
# PNGs round in the library (lrintf, ties to even) and the CLI's in its writer
# (+0.5 in float32), so a float32 tie may come out 1 count apart
# (not in a sanitized build: an instrumented libjfilter cannot be loaded into
# the uninstrumented Python interpreter; the sanitized CLI checks above still run)
if [ -n "${JF_SANITIZED:-}" ]; then
  echo "test_batch: Python's run_batch not compared in a sanitized build (uninstrumented interpreter)"
else
PYTHONPATH="$SRC/python" JFILTER_LIBRARY="$(dirname "$JF")/libjfilter.so" PYTHONDONTWRITEBYTECODE=1 "$PY" -c '
import os, cv2, numpy as np, jfilter
pairs = jfilter.match_pairs("rgb/p*_color.png", "depth/p*_depth.png", guide_suffix="_color", target_suffix="_depth")
assert [os.path.basename(t) for _, t in pairs] == ["p0_depth.png", "p1_depth.png", "p2_depth.png"], pairs
s = jfilter.run_batch(pairs, "py", "fdkn_x8", scale=8, progress=False)
assert s.ok == 3 and not s.failed, s
assert sorted(os.listdir("py")) == sorted(os.listdir("out")), (os.listdir("py"), os.listdir("out"))
for f in os.listdir("out"):
    a, b = (cv2.imread(os.path.join(d, f), cv2.IMREAD_UNCHANGED) for d in ("py", "out"))
    d = np.abs(a.astype(int) - b.astype(int))
    assert a.dtype == b.dtype == np.uint16 and d.max() <= 1 and (d > 0).mean() < 0.01, (f, d.max(), (d > 0).sum())
s = jfilter.run_batch(pairs, "pynpy", "fdkn_x8", scale=8, suffix=".npy", progress=False)
assert s.ok == 3, s
for n, cli in (("p0", "csv/p0_depth.npy"), ("p1", "csv/p1_depth.npy"), ("p2", "elsewhere/p2.npy")):
    assert np.array_equal(np.load(f"pynpy/{n}_depth.npy"), np.load(cli)), n
' && ok || bad "Python run_batch gives other files than the CLI"
fi

jft_finish "test_batch: "
