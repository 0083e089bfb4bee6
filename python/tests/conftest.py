"""conftest.py - shared fixtures: the jfilter program (the CLI the package is
compared with), one context for the whole session (kernels compile once), the
bundled sample and a seeded random generator. Helpers live in support.py.

Environment (ctest sets them): JFILTER_LIBRARY (the library under test),
JFILTER_CLI (the jfilter program; default <source>/build/jfilter),
JF_CACHE_DIR (the kernel cache shared with the other tests)."""
from __future__ import annotations

import os
import subprocess

import cv2
import numpy as np
import pytest

import jfilter
from support import SAMPLE, SOURCE


def cli_path() -> str:
    path = os.environ.get("JFILTER_CLI") or str(SOURCE / "build" / "jfilter")
    if not os.access(path, os.X_OK):
        pytest.fail(f"the jfilter program {path} is missing: build it, or set JFILTER_CLI")
    return path


@pytest.fixture(scope="session")
def cli():
    """cli(command, *args) runs `jfilter command --quiet args...` and fails the
    test with its stderr when it exits non-zero."""
    exe = cli_path()

    def run(command: str, *args) -> None:
        p = subprocess.run([exe, command, "--quiet", *map(str, args)], capture_output=True, text=True)
        if p.returncode != 0:
            pytest.fail(f"jfilter {command} {' '.join(map(str, args))} exited {p.returncode}: {p.stderr}")
    return run


@pytest.fixture(scope="session")
def ctx():
    with jfilter.Context() as c:
        yield c


@pytest.fixture(scope="session")
def sample():
    """The bundled sample: guide (RGB uint8, 256x192), depth_low (uint16 32x24),
    depth_gt (uint16 256x192), read as cv2 gives them (the guide in BGR)."""
    read = lambda name: cv2.imread(str(SAMPLE / name), cv2.IMREAD_UNCHANGED)  # noqa: E731
    bgr = read("guide.png")
    return {"bgr": bgr, "guide": np.ascontiguousarray(bgr[..., ::-1]),
            "depth_low": read("depth_low.png"), "depth_gt": read("depth_gt.png"),
            "dir": SAMPLE}


@pytest.fixture
def rng():
    return np.random.default_rng(12)
