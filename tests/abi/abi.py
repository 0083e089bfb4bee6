#!/usr/bin/env python3
"""abi.py - the ABI check: jfilter's binary interface as a text table.

Reads every public struct (its fields) and enum (its constants) from
include/jfilter.h, compiles a small program against the header and the built
libjfilter.so that prints sizeof/alignof/offsetof/sizeof of each field and the
value of each constant (and checks jf_version_number() == JF_VERSION_NUMBER
through the shared library), adds the exported symbols (nm -D), and compares
the result with the checked-in table tests/abi/jfilter.abi (--check, the ctest
test test_abi), or rewrites the table (--update) after an intended change:

    cmake --build build --target abi-update

Only the standard library: it runs under any Python 3.
"""
import argparse
import difflib
import os
import platform
import re
import subprocess
import sys
import tempfile

SKIP = 77  # ctest SKIP_RETURN_CODE: the table is for another platform


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def field_names(decl):
    """Names declared by one struct member declaration ('int width, height')."""
    fp = re.search(r"\(\s*\*\s*(\w+)\s*\)", decl)
    if fp:  # a function pointer member
        return [fp.group(1)]
    decl = re.sub(r"\[[^\]]*\]", "", decl)  # array bounds
    parts = decl.split(",")
    names = []
    for i, part in enumerate(parts):
        ids = re.findall(r"[A-Za-z_]\w*", part)
        if not ids or (i == 0 and len(ids) < 2):
            raise SystemExit(f"abi.py: cannot read the member declaration '{decl.strip()}'")
        names.append(ids[-1])
    return names


def parse_header(path):
    text = strip_comments(open(path, encoding="utf-8").read())
    structs = []
    for m in re.finditer(r"\bstruct\s+(\w+)\s*\{([^{}]*)\}", text):
        fields = []
        for decl in m.group(2).split(";"):
            if decl.strip():
                fields += field_names(decl)
        structs.append((m.group(1), fields))
    if re.search(r"\b(struct|union)\s+\w*\s*\{[^}]*\{", text):
        raise SystemExit("abi.py: a nested struct or union in jfilter.h: teach parse_header about it")
    enums = []
    for m in re.finditer(r"\benum\s+\w*\s*\{([^{}]*)\}", text):
        for item in m.group(1).split(","):
            ident = re.match(r"\s*([A-Za-z_]\w*)", item)
            if ident:
                enums.append(ident.group(1))
    return structs, enums


def dump_program(structs, enums):
    out = ["#include <stddef.h>", "#include <stdio.h>", "#include <jfilter.h>", "",
           "int main(void)", "{"]
    out.append('    printf("platform %s-%zubit\\n", "' + platform.machine() + '", sizeof(void *) * 8);')
    for name, fields in structs:
        out.append(f'    printf("struct {name} size %zu align %zu\\n", sizeof(struct {name}), '
                   f'_Alignof(struct {name}));')
        for f in fields:
            out.append(f'    printf("field {name}.{f} offset %zu size %zu\\n", '
                       f'offsetof(struct {name}, {f}), sizeof(((struct {name} *)0)->{f}));')
    for e in enums:
        out.append(f'    printf("enum {e} %lld\\n", (long long){e});')
    out += ['    if (jf_version_number() != JF_VERSION_NUMBER) {',
            '        fprintf(stderr, "abi: jf_version_number() %d, JF_VERSION_NUMBER %d\\n",',
            '                jf_version_number(), JF_VERSION_NUMBER);',
            '        return 1;', '    }',
            '    return 0;', "}", ""]
    return "\n".join(out)


def exported_symbols(nm, lib):
    res = subprocess.run([nm, "-D", "--defined-only", lib], capture_output=True, text=True)
    if res.returncode:
        raise SystemExit(f"abi.py: {nm} -D {lib} failed: {res.stderr.strip()}")
    syms = set()
    for line in res.stdout.splitlines():
        parts = line.split()
        if len(parts) < 3 or parts[1] in ("A", "w", "v"):
            continue
        name = parts[2].split("@")[0]
        # the toolchain's own (_init, _fini, sanitizer and coverage hooks): not jfilter's ABI
        if name.startswith("_"):
            continue
        syms.add(name)
    return [f"symbol {s}" for s in sorted(syms)]


def current_table(args):
    structs, enums = parse_header(args.header)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "abi_dump.c")
        exe = os.path.join(tmp, "abi_dump")
        with open(src, "w") as f:
            f.write(dump_program(structs, enums))
        libdir = os.path.dirname(os.path.abspath(args.lib))
        cmd = [args.cc, "-std=c11", "-Wall", "-Werror"] + \
              [f"-I{d}" for d in [os.path.dirname(os.path.abspath(args.header))] + args.include] + \
              [src, "-o", exe, os.path.abspath(args.lib), f"-Wl,-rpath,{libdir}"] + args.flags.split()
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode:
            raise SystemExit("abi.py: the layout program does not build:\n" + " ".join(cmd) + "\n" + res.stderr)
        res = subprocess.run([exe], capture_output=True, text=True)
        if res.returncode:
            raise SystemExit("abi.py: the layout program failed:\n" + res.stdout + res.stderr)
        lines = res.stdout.splitlines()
    return lines + exported_symbols(args.nm, args.lib)


HEADER = """# jfilter's binary interface (tests/abi/abi.py writes this file; test_abi checks it):
# every public struct's size, alignment and field offsets/sizes, every enum
# constant of include/jfilter.h, and the symbols libjfilter.so exports.
# A difference fails CI. After an intended change (a new function, a new
# field in a release that breaks the ABI anyway) regenerate it and commit it:
#     cmake --build build --target abi-update
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cc", required=True)
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--header", required=True)
    ap.add_argument("--lib", required=True, help="the built libjfilter.so")
    ap.add_argument("--include", action="append", default=[], help="more include dirs (OpenCL)")
    ap.add_argument("--flags", default=os.environ.get("JF_CONSUMER_FLAGS", ""),
                    help="extra compiler/linker flags (a sanitized build's)")
    ap.add_argument("--table", required=True)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--update", action="store_true")
    args = ap.parse_args()

    now = current_table(args)
    if args.update:
        with open(args.table, "w") as f:
            f.write(HEADER + "\n".join(now) + "\n")
        print(f"abi.py: wrote {args.table} ({len(now)} entries)")
        return 0
    want = [l for l in open(args.table, encoding="utf-8").read().splitlines()
            if l.strip() and not l.startswith("#")]
    if want and want[0] != now[0]:
        print(f"abi.py: the table is for {want[0]}, this is {now[0]}: not checked")
        return SKIP
    if want == now:
        print(f"abi.py: the ABI matches {args.table} ({len(now)} entries)")
        return 0
    removed = sorted(set(want) - set(now))
    added = sorted(set(now) - set(want))
    print("abi.py: the ABI differs from " + args.table + ":")
    sys.stdout.writelines(difflib.unified_diff([l + "\n" for l in want], [l + "\n" for l in now],
                                               "checked-in table", "this build", n=1))
    if removed:
        print("Changed or removed (breaks compiled callers): " + "; ".join(removed))
    elif added:
        print("Only additions (compatible), but the table must say so.")
    print("If the change is intended: cmake --build build --target abi-update, and commit the table.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
