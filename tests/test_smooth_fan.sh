#!/usr/bin/env bash
# test_smooth_fan.sh - `jfilter smooth` with Fan et al.'s shipped network
# (weights/fan_smooth.safetensors): the 37 x 29 fixture image through .npy
# files against FanNet's output (tests/data/fan/trained_odd_output.npy, 1e-4),
# the sample colour PNG by model name (colour in, colour out, same size), and
# a gray input refused with a message saying the model wants colour, and the
# progress bar on a terminal only.
# Usage: test_smooth_fan.sh JFILTER SOURCE_DIR BUILD_DIR PYTHON
. "$(dirname "$0")/support/common.sh" "$@"
jft_scratch smooth-fan-test
D="$SRC/tests/data/fan"
FM="$SRC/weights/fan_smooth.safetensors"

# the fixture (planes B, G, R) as an H x W x 3 R, G, B .npy, smoothed, and compared
"$PY" -c "import numpy as np, sys; np.save(sys.argv[2], np.ascontiguousarray(np.load(sys.argv[1])[::-1].transpose(1, 2, 0)))" \
  "$D/odd_input.npy" "$T/in.npy" &&
  "$JF" smooth --model "$FM" --input "$T/in.npy" --output "$T/out.npy" --quiet &&
  "$PY" -c "
import numpy as np, sys
got = np.load(sys.argv[1]).astype(np.float64)
want = np.load(sys.argv[2])[::-1].transpose(1, 2, 0)
d = np.abs(got - want).max()
print('fan_smooth vs PyTorch: max |diff| %.3g' % d)
sys.exit(0 if got.shape == want.shape and d <= 1e-4 else 1)" "$T/out.npy" "$D/trained_odd_output.npy" &&
  ok || bad "fan_smooth on the fixture against FanNet"

# by name, PNG in and out: colour stays colour, the size is kept
JF_WEIGHTS_DIR="$SRC/weights" "$JF" smooth --model fan_smooth --input "$SRC/weights/sample/guide.png" \
  --output "$T/guide_smooth.png" --quiet &&
  "$PY" -c "
import sys
from PIL import Image
a, b = Image.open(sys.argv[1]), Image.open(sys.argv[2])
sys.exit(0 if a.size == b.size and b.mode == 'RGB' else 1)" "$SRC/weights/sample/guide.png" "$T/guide_smooth.png" &&
  ok || bad "fan_smooth by name on the sample PNG"

# the progress bar: drawn when stderr is a terminal (util-linux's script gives one), never
# into a log
if command -v script >/dev/null; then
  tty_err=$(JF_WEIGHTS_DIR="$SRC/weights" script -qec "'$JF' smooth --model fan_smooth --input '$SRC/weights/sample/guide.png' --output '$T/bar.png'" /dev/null)
  [[ "$tty_err" == *"] 1/1"* ]] && ok || bad "no progress bar on a terminal: $tty_err"
fi
log_err=$(JF_WEIGHTS_DIR="$SRC/weights" "$JF" smooth --model fan_smooth --input "$SRC/weights/sample/guide.png" \
  --output "$T/bar.png" 2>&1 >/dev/null)
[[ "$log_err" != *"1/1"* ]] && ok || bad "progress bar written into a log: $log_err"

# a gray image: the model filters colour only
"$PY" -c "import numpy as np, sys; np.save(sys.argv[1], np.full((16, 16), 0.5, np.float32))" "$T/gray.npy"
err=$("$JF" smooth --model "$FM" --input "$T/gray.npy" --output "$T/gray_out.npy" 2>&1 >/dev/null) &&
  bad "gray input: exited 0" || { [[ "$err" == *colour* ]] && ok || bad "gray input: message lacks 'colour': $err"; }
[ -e "$T/gray_out.npy" ] && bad "gray_out.npy left behind" || ok

jft_finish "test_smooth_fan: "
