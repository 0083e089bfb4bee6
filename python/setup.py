"""setup.py - only records, in the installed package, which source checkout it
was installed from (jfilter/_build_paths.py), so an installed jfilter finds
that checkout's build/libjfilter.so and weights/. Metadata: pyproject.toml."""
import os

from setuptools import setup
from setuptools.command.build_py import build_py


class build_py_with_paths(build_py):
    def run(self):
        super().run()
        source = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        if os.path.isfile(os.path.join(source, "include", "jfilter.h")):
            target = os.path.join(self.build_lib, "jfilter", "_build_paths.py")
            with open(target, "w") as f:
                f.write('"""Written by setup.py: the source checkout jfilter was installed from."""\n')
                f.write(f"SOURCE_DIR = {source!r}\n")


setup(cmdclass={"build_py": build_py_with_paths})
