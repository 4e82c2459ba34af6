"""Every setting, command and entry point is documented where people look for it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import Settings
from orders.commands import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
PRIMARY_COMMANDS = (
    "help",
    "order",
    "cancel",
    "catalog",
    "summary",
    "open",
    "close",
    "price",
    "available",
)
FRENCH_COMMANDS = (
    "aide",
    "commande",
    "annuler",
    "catalogue",
    "recap",
    "ouvrir",
    "fermer",
    "prix",
    "dispo",
)
CLI_COMMANDS = ("orderbot demo", "orderbot console", "orderbot replay", "orderbot catalog import")


def _env_name(name: str) -> str:
    field = Settings.model_fields[name]
    if isinstance(field.validation_alias, str):
        return field.validation_alias
    prefix = Settings.model_config.get("env_prefix", "")
    return f"{prefix}{name}".upper()


def _documented_variables() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^\s*#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.M))


def _help_commands() -> set[str]:
    text = "\n".join(
        (ROOT / "templates" / locale / "help.txt").read_text(encoding="utf-8")
        for locale in ("fr", "en")
    )
    return set(re.findall(r"/([a-zé]+)", text))


def test_settings_have_env_names() -> None:
    names = {_env_name(name) for name in Settings.model_fields}
    assert {"DATABASE_URL", "ORDERBOT_LOG_LEVEL"} <= names


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_env_example(field: str) -> None:
    assert _env_name(field) in _documented_variables()


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_has_a_description(field: str) -> None:
    assert Settings.model_fields[field].description


def test_env_example_names_no_unknown_setting() -> None:
    known = {_env_name(name) for name in Settings.model_fields}
    assert _documented_variables() <= known


@pytest.mark.parametrize("name", PRIMARY_COMMANDS + FRENCH_COMMANDS)
def test_command_is_registered_and_in_the_help(name: str) -> None:
    assert name in COMMANDS
    assert name in _help_commands()


def test_every_command_in_the_help_exists() -> None:
    assert _help_commands() <= set(COMMANDS)


def test_every_command_handler_is_documented_under_one_of_its_names() -> None:
    documented = _help_commands()
    handlers: dict[int, set[str]] = {}
    for name, command in COMMANDS.items():
        handlers.setdefault(id(command), set()).add(name)
    undocumented = [sorted(names) for names in handlers.values() if not names & documented]
    assert undocumented == []


@pytest.mark.parametrize("command", CLI_COMMANDS)
def test_readme_mentions_the_command_line(command: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert command in readme, f"README.md does not mention `{command}`"
