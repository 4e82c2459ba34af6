"""orderbot's PEP 517 build backend: setuptools, plus mypy only for the compiled parser.

The opt-in compiled build (``ORDERBOT_COMPILE=1``, see setup.py) compiles orders/parsing/
with mypyc, so it needs mypy at build time. Listing mypy in pyproject.toml's static
``requires`` would make every install download it; this wrapper adds it to the build
requirements only when compiling. Everything else is ``setuptools.build_meta`` as is, except:

- the hooks that only read metadata or make the sdist run setup.py without compiling (mypy
  is not installed yet when the requirements are asked for, and an sdist ships sources);
- editable installs with compiling asked for are refused: compiled modules would shadow
  the sources being edited.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  (re-export every hook, then override a few)

COMPILE_ENV = "ORDERBOT_COMPILE"
MYPY_REQUIREMENT = "mypy==2.4.1"  # the mypyc the parser is known to compile and pass with

_sources_only = False  # set while a hook runs setup.py for metadata or an sdist


def compile_requested() -> bool:
    """True for ORDERBOT_COMPILE=1, False when unset, empty or 0; any other value is an error."""
    value = os.environ.get(COMPILE_ENV, "").strip()
    if value in ("", "0"):
        return False
    if value == "1":
        return True
    raise SystemExit(f"{COMPILE_ENV}={value!r}: set it to 1 to compile the parser, or to 0.")


def should_compile() -> bool:
    """What setup.py asks: compiling was requested and this hook builds a wheel."""
    return compile_requested() and not _sources_only


def refuse_editable_compile() -> None:
    """Stop an editable install that asks for the compiled parser, with the reason."""
    if compile_requested():
        raise SystemExit(
            f"{COMPILE_ENV}=1 cannot be used with an editable install (pip install -e): "
            "the compiled modules would shadow the orders/parsing sources being edited. "
            f"Install without -e to get the compiled parser, or unset {COMPILE_ENV}."
        )


@contextmanager
def _without_compiling() -> Iterator[None]:
    global _sources_only
    _sources_only = True
    try:
        yield
    finally:
        _sources_only = False


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    with _without_compiling():
        requires = _setuptools.get_requires_for_build_wheel(config_settings)
    return [*requires, MYPY_REQUIREMENT] if compile_requested() else requires


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    with _without_compiling():
        return _setuptools.prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def get_requires_for_build_sdist(config_settings: dict[str, Any] | None = None) -> list[str]:
    with _without_compiling():
        return _setuptools.get_requires_for_build_sdist(config_settings)


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    with _without_compiling():
        return _setuptools.build_sdist(sdist_directory, config_settings)


def get_requires_for_build_editable(config_settings: dict[str, Any] | None = None) -> list[str]:
    refuse_editable_compile()
    return _setuptools.get_requires_for_build_editable(config_settings)


def prepare_metadata_for_build_editable(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    refuse_editable_compile()
    return _setuptools.prepare_metadata_for_build_editable(metadata_directory, config_settings)


def build_editable(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    refuse_editable_compile()
    return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)
