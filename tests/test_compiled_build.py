"""The opt-in compiled build: every orders.parsing module is loaded from a mypyc extension.

Skipped unless ORDERBOT_EXPECT_COMPILED=1, which .ci/run sets when it runs the suite against a
`ORDERBOT_COMPILE=1 pip install .` build (see setup.py and build_support/orderbot_build.py).
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import pkgutil

import pytest

EXPECT_COMPILED = os.environ.get("ORDERBOT_EXPECT_COMPILED") == "1"


@pytest.mark.skipif(
    not EXPECT_COMPILED, reason="checks a compiled install; set ORDERBOT_EXPECT_COMPILED=1"
)
def test_every_parsing_module_is_compiled() -> None:
    import orders.parsing

    names = ["orders.parsing"] + [
        f"orders.parsing.{info.name}" for info in pkgutil.iter_modules(orders.parsing.__path__)
    ]
    assert len(names) > 1, f"no module found in {orders.parsing.__path__}"
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    not_compiled = {
        name: str(module.__file__)
        for name in names
        if not str((module := importlib.import_module(name)).__file__).endswith(suffixes)
    }
    assert not not_compiled, f"loaded from source, not a compiled extension: {not_compiled}"
