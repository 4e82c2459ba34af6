"""Only the opt-in compiled parser: everything else about the package is in pyproject.toml.

With ORDERBOT_COMPILE=1 (see build_support/orderbot_build.py, the build backend, which also
puts mypy in the build requirements) every module of orders/parsing/ is compiled with mypyc
into a C extension. Without it this is a plain setup() and the install is pure Python.
"""

from __future__ import annotations

import glob
import sys
from pathlib import Path

from setuptools import setup

sys.path.insert(0, str(Path(__file__).resolve().parent / "build_support"))
from orderbot_build import refuse_editable_compile, should_compile

if not should_compile():
    setup()
else:
    if {"develop", "editable_wheel"} & set(sys.argv[1:]):
        refuse_editable_compile()
    try:
        from mypyc.build import mypycify
    except ImportError as exc:
        raise SystemExit(f"ORDERBOT_COMPILE=1 needs mypy (mypyc) to build: {exc}") from exc
    modules = sorted(glob.glob("orders/parsing/*.py"))
    if not modules:
        raise SystemExit(f"ORDERBOT_COMPILE=1: no orders/parsing/*.py under {Path.cwd()}")
    # No fallback to pure Python: a type error or a failed C build fails the install.
    setup(ext_modules=mypycify(modules, opt_level="3"))
