"""What `orderbot`, `orderbot --version` and every `--help` tell a newcomer."""

from __future__ import annotations

import argparse
from importlib.metadata import version

import pytest

from bot.cli import _parser, main


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _subparsers(sub)
    return found


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"orderbot {version('orderbot')}"


def test_no_command_lists_the_commands_one_line_each(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    for command in ("demo", "console", "replay", "serve", "catalog import"):
        [line] = [li for li in lines if li.startswith(f"  orderbot {command} ")]
        assert len(line.split(None, 2 + command.count(" "))[-1]) > 10, line
    assert "--help" in out and "--version" in out


def test_catalog_without_an_action_lists_its_actions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog"]) == 0
    assert "  orderbot catalog import " in capsys.readouterr().out


def test_every_option_has_a_help_text() -> None:
    missing = [
        f"{parser.prog} {'/'.join(action.option_strings) or action.dest}"
        for parser in _subparsers(_parser())
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction)
        and (not action.help or action.help == argparse.SUPPRESS)
    ]
    assert missing == []


def test_replay_help_describes_its_options_and_the_thread_format(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["replay", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for option in ("--catalog CATALOG", "--thread THREAD", "--format {json,text}"):
        assert option in out
    assert "catalogue YAML" in out
    assert "one JSON object per line" in out
    assert '"author_id"' in out and '"edit_of"' in out
