# jfilter.bash - bash completion for the `jfilter` program (installed as
# share/bash-completion/completions/jfilter). Commands come from
# `jfilter --help` and each command's options from `jfilter help CMD`, so the
# completion never lists an option the program does not have; values: files
# for the path options, the known words for --device, --mode, --colormap,
# --degradation, --bits.
_jfilter_commands()
{
    "$1" --help 2>/dev/null | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'
}

_jfilter()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local prog=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]:-}
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ] || { [ "$cmd" = help ] && [ "$COMP_CWORD" -eq 2 ]; }; then
        COMPREPLY=($(compgen -W "$(_jfilter_commands "$prog")" -- "$cur"))
        return 0
    fi
    case $prev in
        --device | -d)
            COMPREPLY=($(compgen -W "cpu gpu all $("$prog" devices 2>/dev/null | sed -n 's/^[* ]*\([0-9][0-9]*\)[^0-9].*/\1/p')" -- "$cur"))
            return 0 ;;
        --mode) COMPREPLY=($(compgen -W "pil opencv" -- "$cur")); return 0 ;;
        --colormap) COMPREPLY=($(compgen -W "turbo viridis" -- "$cur")); return 0 ;;
        --degradation) COMPREPLY=($(compgen -W "bicubic area subsample" -- "$cur")); return 0 ;;
        --bits) COMPREPLY=($(compgen -W "8 16 32" -- "$cur")); return 0 ;;
        --output-dir) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
        --guide | --target | --output | --input | --pairs | --model | --coefficients | -g | -t | -o | -m)
            COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$("$prog" help "$cmd" 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
    return 0
}
complete -o filenames -F _jfilter jfilter
