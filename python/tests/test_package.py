"""test_package.py - devices and contexts, which library was loaded, the
docstrings help() shows, and the README's venv + pip install recipe."""
from __future__ import annotations

import importlib.util
import os
import pydoc
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import jfilter
from support import SOURCE


def test_devices_and_contexts():
    devs = jfilter.devices()
    assert devs and [d.index for d in devs] == list(range(len(devs)))
    assert all(d.name and d.compute_units > 0 and d.global_mem_bytes > 0 for d in devs)
    with jfilter.Context(0) as c:
        assert c.device == devs[0] and "jfilter.Context" in repr(c)
        assert set(c.stats) == {"compile_ms", "programs_built", "programs_from_cache"}
    kind = "gpu" if devs[0].is_gpu else "cpu"
    with jfilter.Context(kind) as c:
        assert getattr(c.device, f"is_{kind}")
    assert repr(c).endswith("closed>")


def test_no_matching_device():
    with pytest.raises(jfilter.Error) as e:
        jfilter.Context("no-such-device-xyz")
    assert e.value.status_name == "JF_ERR_NO_DEVICE" and "no-such-device-xyz" in e.value.message
    with pytest.raises(TypeError, match="jfilter.Context"):
        jfilter.bicubic(__import__("numpy").zeros((2, 2), "f4"), 2, ctx="cpu")


def test_library_found():
    env = os.environ.get("JFILTER_LIBRARY")
    assert jfilter.library_path() == (env or str(SOURCE / "build" / "libjfilter.so"))
    assert jfilter.library_version().count(".") == 2


def _python(code: str, **env) -> subprocess.CompletedProcess:
    e = dict(os.environ, **env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e,
                          cwd=str(SOURCE / "python"))


def test_bad_library_path_is_an_error():
    p = _python("import jfilter; jfilter.devices()", JFILTER_LIBRARY="/nonexistent/libjfilter.so")
    assert p.returncode != 0 and "JFILTER_LIBRARY=/nonexistent/libjfilter.so does not load" in p.stderr
    # import and help() work without the library: it is loaded on first use
    p = _python("import jfilter; help(jfilter.jbu)", JFILTER_LIBRARY="/nonexistent/libjfilter.so")
    assert p.returncode == 0 and "Joint bilateral upsampling" in p.stdout


def test_help_teaches():
    doc = pydoc.render_doc(jfilter.guided_filter, renderer=pydoc.plaintext)
    for needle in ("guided_filter(guide", "radius", "eps", "255^2", "subsample", "Returns"):
        assert needle in doc
    for fn in (jfilter.joint_bilateral, jfilter.jbu, jfilter.bicubic, jfilter.load_model,
               jfilter.Model.run, jfilter.Context, jfilter.devices):
        assert fn.__doc__ and len(fn.__doc__) > 200, fn
    assert "load_model" in jfilter.__doc__


def test_pip_install_in_a_venv(tmp_path):
    """The README's recipe, offline: a venv over the system site-packages and
    pip install --no-build-isolation ./python; the installed copy then finds
    the checkout's build/libjfilter.so and weights/ by itself. Runs on a copy
    of python/ (pip builds in place) beside links to include/, weights/ and
    the build folder, so the source tree stays clean."""
    # Debian: ensurepip comes with python3-venv, setuptools and wheel with python3-pip
    missing = [m for m in ("ensurepip", "setuptools", "wheel") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"the venv recipe needs python3-venv and python3-pip; missing {missing}")
    tree = tmp_path / "checkout"
    shutil.copytree(SOURCE / "python", tree / "python",
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "_build_paths.py"))
    lib = Path(os.environ.get("JFILTER_LIBRARY") or SOURCE / "build" / "libjfilter.so")
    for name, target in (("include", SOURCE / "include"), ("weights", SOURCE / "weights"),
                         ("build", lib.resolve().parent)):
        (tree / name).symlink_to(target, target_is_directory=True)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    py = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JFILTER_LIBRARY")}
    env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS="", PIP_DISABLE_PIP_VERSION_CHECK="1")
    p = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-build-isolation", str(tree / "python")],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    code = ("import jfilter, numpy as np; m = jfilter.load_model('fdkn_x8');"
            "print(jfilter.__file__); print(jfilter.library_path()); print(m.info.path);"
            "print(m.run(np.zeros((16, 16, 3), np.uint8), np.zeros((2, 2), np.uint16), scale=8).shape)")
    p = subprocess.run([str(py), "-c", code], capture_output=True, text=True, env=env, cwd=str(tmp_path))
    assert p.returncode == 0, p.stderr
    where, found, model, shape = p.stdout.split("\n")[:4]
    assert where.startswith(str(venv)) and shape == "(16, 16)"
    assert Path(found) == tree / "build" / "libjfilter.so" and Path(model) == tree / "weights" / "fdkn_x8.safetensors"
