"""Layering rules, read from the source: the core knows nothing of platforms or of `bot`."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_PACKAGES = {"telegram", "twilio", "apscheduler", "fastapi", "flask", "httpx", "requests"}


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    """Absolute module names a file imports (relative imports stay inside its package)."""
    return _imports_of(path.read_text(encoding="utf-8"), str(path))


def _imports_of(source: str, filename: str = "<source>") -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def _top(module: str) -> str:
    return module.split(".", 1)[0]


def test_the_import_reader_sees_imports() -> None:
    source = (
        "import telegram.ext\nfrom bot.app import App\nfrom . import ledger\n"
        "def f():\n    import httpx\n"
    )
    assert {_top(name) for name in _imports_of(source)} == {"telegram", "bot", "httpx"}
    everything = set().union(*(_imports(path) for path in _modules("orders")))
    assert "orders.ledger" in everything or "orders" in everything
    assert len(_modules("orders")) >= 10


@pytest.mark.parametrize("path", _modules("orders"), ids=lambda p: str(p.relative_to(ROOT)))
def test_orders_imports_no_platform_sdk_and_no_bot(path: Path) -> None:
    imported = {_top(name) for name in _imports(path)}
    assert not imported & PLATFORM_PACKAGES, f"{path.relative_to(ROOT)} imports a platform SDK"
    assert "bot" not in imported, f"{path.relative_to(ROOT)} imports bot"


@pytest.mark.parametrize("path", _modules("suppliers"), ids=lambda p: str(p.relative_to(ROOT)))
def test_suppliers_import_no_bot(path: Path) -> None:
    imported = {_top(name) for name in _imports(path)}
    assert "bot" not in imported, f"{path.relative_to(ROOT)} imports bot"
    assert not imported & PLATFORM_PACKAGES


def test_only_the_scheduler_imports_apscheduler() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("orders", "suppliers", "bot", "templates")
        for path in _modules(package)
        if "apscheduler" in {_top(name) for name in _imports(path)}
    ]
    assert offenders == []


IMPORT_TIME_PROBE = """
import os, sys

WATCHED = ("DATABASE_URL", "ORDERBOT_")
reads = []


class Spy(dict):
    \"\"\"os.environ that notes reads of our settings and any bulk read (pydantic-settings).\"\"\"

    def _note(self, key):
        if key is None or (isinstance(key, str) and key.upper().startswith(WATCHED)):
            reads.append(key or "the whole environment")

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def items(self):
        self._note(None)
        return super().items()

    def keys(self):
        self._note(None)
        return super().keys()

    def values(self):
        self._note(None)
        return super().values()

    def __iter__(self):
        self._note(None)
        return super().__iter__()

    def copy(self):
        self._note(None)
        return super().copy()


os.environ = Spy(os.environ)
MODULES
if reads:
    sys.exit("read at import time: " + ", ".join(sorted(set(reads))))
"""


def _probe(modules: str, cwd: Path, *, poison: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DATABASE_URL", None)
    if poison:
        # A .env and environment values that Settings() would reject: building settings at
        # import time would also fail the import.
        (cwd / ".env").write_text("ORDERBOT_LOG_LEVEL=bogus\n", encoding="utf-8")
        env |= {
            "DATABASE_URL": f"sqlite:///{cwd}/import-time.sqlite3",
            "ORDERBOT_MAX_MESSAGE_CHARS": "1",
        }
    code = IMPORT_TIME_PROBE.replace("MODULES", modules)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_import_time_probe_notices_settings_being_built(tmp_path: Path) -> None:
    building = "import bot.settings; bot.settings.Settings()"
    spied = _probe(building, tmp_path, poison=False)
    assert spied.returncode != 0
    assert "read at import time: the whole environment" in spied.stderr
    poisoned = _probe(building, tmp_path)
    assert poisoned.returncode != 0
    assert "ValidationError" in poisoned.stderr


def test_importing_the_app_creates_no_file_and_reads_no_setting(tmp_path: Path) -> None:
    result = _probe("import bot.cli, bot.app, orders.core", tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env"]


def test_building_settings_is_where_the_environment_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.settings import Settings

    monkeypatch.setenv("ORDERBOT_MAX_MESSAGE_CHARS", "250")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    settings = Settings()
    assert settings.max_message_chars == 250
    assert settings.database_url == "sqlite://"
