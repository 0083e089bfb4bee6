#!/usr/bin/env bash
# test_no_shared.sh - a fresh clone without ../shared: every suite that reads
# the reference data is labelled needs-shared (so `ctest -LE needs-shared`
# leaves exactly those out), and each of them, pointed at a shared folder that
# does not exist, stops at once with one line naming what is missing and
# where it is expected, rather than failing somewhere inside with a
# misleading message. The suites without the label name no shared path.
# Usage: test_no_shared.sh JFILTER SOURCE_DIR BUILD_DIR PYTHON
. "$(dirname "$0")/support/common.sh" "$@"
[ -n "${JF_CTEST:-}" ] || { echo "FAIL: JF_CTEST (the ctest program) is not set; run this through ctest"; exit 1; }
"$PY" - "$JF_CTEST" "$BUILD" "$SRC" <<'PY' && ok || bad "labels and messages"
import json, os, re, subprocess, sys
ctest, build, src = sys.argv[1:4]
info = json.loads(subprocess.run([ctest, "--test-dir", build, "--show-only=json-v1"], capture_output=True,
                                 text=True, check=True).stdout)
missing = "/nonexistent/jfilter-shared"
# what reads the shared folder in a test's source
reads_shared = re.compile(r"jft_shared_path|jft_converted_model|\$SHARED\b|\$\{SHARED")
labelled, problems = [], []
for t in info["tests"]:
    name = t["name"]
    props = {p["name"]: p["value"] for p in t.get("properties", [])}
    env = dict(kv.split("=", 1) for kv in props.get("ENVIRONMENT", []))
    cmd = t["command"]
    srcs = [os.path.join(src, "tests", name + ".c")] + [a for a in cmd if a.endswith(".sh")]
    text = "".join(open(p).read() for p in srcs if os.path.isfile(p))
    if name == "test_no_shared":
        continue
    if "needs-shared" not in props.get("LABELS", []):
        if "JFT_NEEDS_SHARED" in env or reads_shared.search(text):
            problems.append("%s reads the shared data but is not labelled needs-shared" % name)
        continue
    labelled.append(name)
    run_env = dict(os.environ, **env)
    run_env["JF_SHARED_DIR"] = missing
    p = subprocess.run(cmd, env=run_env, capture_output=True, text=True, timeout=300, cwd=build)
    lines = (p.stdout + p.stderr).strip().splitlines()
    want = "needs the reference data %s/" % missing
    if p.returncode == 0 or len(lines) != 1 or want not in lines[0] or "-DJF_SHARED_DIR" not in lines[0] \
            or "ctest -LE needs-shared" not in lines[0]:
        problems.append("%s without the shared data: exit %d, said %r" % (name, p.returncode, lines[:3]))
print("needs-shared:", " ".join(sorted(labelled)))
if len(labelled) < 5:
    problems.append("only %d suites are labelled needs-shared" % len(labelled))
for pr in problems:
    print("FAIL:", pr)
sys.exit(1 if problems else 0)
PY
jft_finish "no shared: "
