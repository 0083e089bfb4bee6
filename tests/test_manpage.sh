#!/usr/bin/env bash
# test_manpage.sh - docs/jfilter.1 and docs/jfilter.bash against the program:
# the man page is what tools/gen_manpage.py makes from the help texts now
# (regenerate: cmake --build build --target manpage), every command of
# `jfilter --help` has its section, and every JF_* variable an ENVIRONMENT
# entry; the bash completion offers the commands, a command's options and
# files for path options.
# Usage: test_manpage.sh JFILTER SOURCE_DIR BUILD_DIR PYTHON
. "$(dirname "$0")/support/common.sh" "$@"
jft_scratch manpage-test
MAN=$SRC/docs/jfilter.1

"$PY" "$SRC/tools/gen_manpage.py" "$JF" >"$T/jfilter.1" && ok || bad "gen_manpage.py failed"
if diff -u "$MAN" "$T/jfilter.1" >"$T/man.diff"; then ok; else
  bad "docs/jfilter.1 is not what the help texts make now (cmake --build build --target manpage):"
  head -40 "$T/man.diff"
fi
for c in $("$JF" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'); do
  grep -qx "\.SS $c" "$MAN" && ok || bad "docs/jfilter.1 has no section for $c"
done
env_section=$(sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$MAN")
for v in $(grep -rhoE 'getenv\("JF_[A-Z_]+"\)' "$SRC/src" "$SRC/host" | sed 's/getenv("\(.*\)")/\1/' | sort -u); do
  grep -qx "\.B $v" <<<"$env_section" && ok || bad "docs/jfilter.1 ENVIRONMENT lacks $v"
done
if command -v man >/dev/null; then
  MANWIDTH=80 man -l "$MAN" 2>"$T/man.err" | grep -q "^COMMANDS" && [ ! -s "$T/man.err" ] && ok ||
    bad "man -l docs/jfilter.1: $(cat "$T/man.err")"
fi

# bash completion, driven as bash drives it; `jfilter` is the built program
complete_words() { # complete_words WORD... : COMPREPLY for the last word
  bash -c '
    jfilter() { "$JFB" "$@"; }
    . "$1"; shift
    COMP_WORDS=("$JFB" "$@"); COMP_CWORD=$(($# ))
    _jfilter; printf "%s\n" "${COMPREPLY[@]}"' _ "$SRC/docs/jfilter.bash" "$@"
}
export JFB=$JF
got=$(complete_words r)
[[ "$got" == *run* ]] && ok || bad "completion of 'jfilter r': $got"
got=$(complete_words bench-)
[ "$got" = bench-filters ] && ok || bad "completion of 'jfilter bench-': $got"
got=$(complete_words help gui)
[ "$got" = guided ] && ok || bad "completion of 'jfilter help gui': $got"
got=$(complete_words run --gu)
[[ "$got" == *--guide* && "$got" == *--guide-suffix* && "$got" != *--radius* ]] && ok || bad "completion of 'jfilter run --gu': $got"
got=$(complete_words bicubic --mode "")
[ "$(echo $got)" = "pil opencv" ] && ok || bad "completion of 'jfilter bicubic --mode': $got"
got=$(cd "$SRC/weights/sample" && complete_words guided --guide gui)
[ "$got" = guide.png ] && ok || bad "completion of a --guide file: $got"

jft_finish
