#!/usr/bin/env bash
# test_cli_args.sh - the option conventions every `jfilter` command shares
# (host/cli_args.c, host/main.c): `jfilter help CMD`, '--name=value', the
# short aliases (-m -g -t -o -d -q), '--' ending the options, usage errors that
# name the missing option, a top-level help that lists every JF_* variable
# the code reads, and bench-filters printing the fields its help promises.
# Needs no reference data; two tiny filter runs on the bundled sample.
# Usage: test_cli_args.sh JFILTER SOURCE_DIR BUILD_DIR PYTHON
. "$(dirname "$0")/support/common.sh" "$@"
jft_scratch cli-args-test
S=$SRC/weights/sample
# expect_fail NAME NEEDLE CMD...: exit status 2 and NEEDLE in stderr
expect_usage() {
  local name=$1 needle=$2 err rc; shift 2
  err=$("$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" -eq 2 ] || { bad "$name: exit status $rc, not 2 ($err)"; return; }
  [[ "$err" == *"$needle"* ]] && ok || bad "$name: message lacks '$needle': $err"
}

# every command of the overview: `jfilter help CMD` is CMD's --help
cmds=$("$JF" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
[ "$(echo "$cmds" | wc -w)" -ge 10 ] && ok || bad "commands in jfilter --help: $cmds"
for c in $cmds; do
  case $c in version | help) continue ;; esac
  a=$("$JF" help "$c") && b=$("$JF" "$c" --help) && [ -n "$a" ] && [ "$a" = "$b" ] && ok ||
    bad "jfilter help $c differs from jfilter $c --help"
  [[ "$a" == *"Usage: jfilter $c"* ]] && ok || bad "jfilter help $c is not $c's help"
done
[ "$("$JF" help)" = "$("$JF" --help)" ] && ok || bad "jfilter help (no command) is the overview"
# each command's help names the short form of every aliased option it has
for c in $cmds; do
  case $c in version | help) continue ;; esac
  h=$("$JF" help "$c")
  short=$(sed -n '/^Short form/,/^$/p' <<<"$h" | tr '\n' ' ')
  for pair in "-m --model" "-g --guide" "-t --target" "-o --output" "-d --device" "-q --quiet"; do
    long=${pair#* }
    if grep -qE "^  $long( |$)" <<<"$h"; then
      [[ "$short" == *"$pair"* ]] && ok || bad "jfilter help $c: has $long but no '$pair' in its short forms ($short)"
    else
      [[ "$short" != *"$pair"* ]] && ok || bad "jfilter help $c: names '$pair' but has no $long"
    fi
  done
done
expect_usage "help of an unknown command" "unknown command 'frob'" "$JF" help frob

# the missing option is named, the others are not
expect_usage "run: all missing" "missing --guide, --target and --output" "$JF" run
expect_usage "run: two missing" "missing --target and --output (" "$JF" run --guide "$S/guide.png"
expect_usage "run: one missing" "missing --output (" "$JF" run --guide "$S/guide.png" --target "$S/depth_low.png"
expect_usage "guided: guide missing" "missing --guide (" "$JF" guided --target a.png --output b.png
expect_usage "bicubic: output missing" "missing --output (--target and --output are required" "$JF" bicubic --target a.png --scale 2
expect_usage "smooth: input missing" "missing --input (" "$JF" smooth --output o.png
expect_usage "colorize: output missing" "missing --output (" "$JF" colorize --input i.png

# --name=value and the short aliases are options like the long form
expect_usage "run --guide= and -t" "missing --output (" "$JF" run --guide="$S/guide.png" -t "$S/depth_low.png"
expect_usage "guided -gVALUE -tVALUE" "missing --output (" "$JF" guided -g"$S/guide.png" -t"$S/depth_gt.png"
expect_usage "jbu -o" "missing --guide and --target (" "$JF" jbu -o x.png
expect_usage "bench --repeat=" "--repeat must be an integer" "$JF" bench --repeat=many
expect_usage "bench-filters --size=" "--size must look like" "$JF" bench-filters --size=big
expect_usage "colorize --colormap=" "--colormap must be" "$JF" colorize --colormap=plaid
expect_usage "-o with no value" "option --output needs a value" "$JF" guided -g a.png -o
expect_usage "unknown short option" "unknown option '-z'" "$JF" guided -z
# no command parses a value by hand: cli_opt (host/cli_args.c) is the one reader
grep -n 'argv\[++' "$SRC"/host/*.c | grep -v '^[^:]*cli_args\.c:' | grep -q . &&
  bad "a command reads an option value itself: $(grep -n 'argv\[++' "$SRC"/host/*.c | grep -v cli_args.c)" || ok

# '--' ends the options: nothing may follow (no command takes operands); alone it is fine
expect_usage "operand after --" "unexpected argument 'extra' after --" "$JF" guided -g a.png -- extra
expect_usage "an option after -- is an operand" "unexpected argument '--quiet' after --" "$JF" run -- --quiet
"$JF" devices -- >/dev/null && ok || bad "jfilter devices -- (nothing after it)"

# short and long forms give the same run; -q silences the summary line
"$JF" guided --guide "$S/guide.png" --target "$S/depth_gt.png" --radius 4 --output "$T/long.png" --quiet 2>"$T/long.err" &&
  "$JF" guided -g "$S/guide.png" -t"$S/depth_gt.png" --radius=4 -o "$T/short.png" -q -d 0 2>"$T/short.err" -- &&
  cmp -s "$T/long.png" "$T/short.png" && ok || bad "guided with short options: $(cat "$T/short.err")"
[ ! -s "$T/short.err" ] && ok || bad "-q left a message: $(cat "$T/short.err")"

# the overview names every JF_* variable the code reads
help=$("$JF" --help)
for v in $(grep -rhoE 'getenv\("JF_[A-Z_]+"\)' "$SRC/src" "$SRC/host" | sed 's/getenv("\(.*\)")/\1/' | sort -u); do
  [[ "$help" == *"$v"* ]] && ok || bad "jfilter --help does not mention $v"
done

# bench-filters prints every field its help lists
line=$("$JF" bench-filters --filter jbu --size 64x48 --repeat 1 2>/dev/null | head -1)
for f in filter params device width height first_ms median_ms min_ms repeat; do
  [[ "$line" == *"\"$f\": "* ]] && ok || bad "bench-filters line lacks $f: $line"
done
"$PY" -c 'import json, sys; json.loads(sys.argv[1])' "$line" && ok || bad "bench-filters line is not JSON: $line"

jft_finish
