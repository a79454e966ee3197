"""Docs are part of the product: they must not name settings, commands or files that do not exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from service.cli import app
from service.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DOCS = [
    REPO / "README.md",
    *sorted((REPO / "docs").glob("*.md")),
    REPO / "knowledge" / "README.md",
    REPO / "eval" / "README.md",
]


def _text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in DOCS if p.exists())


def test_every_setting_is_documented() -> None:
    reference = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [
        f"REPLYDRAFT_{name.upper()}"
        for name in Settings.model_fields
        if f"REPLYDRAFT_{name.upper()}" not in reference
    ]
    assert not missing, f"undocumented settings: {missing}"


def test_documented_settings_exist() -> None:
    known = {f"REPLYDRAFT_{name.upper()}" for name in Settings.model_fields} | {
        "REPLYDRAFT_SETTINGS_FILE",
        "REPLYDRAFT_TEST_LLM_URL",
        "REPLYDRAFT_TEST_LLM_MODEL",
        "REPLYDRAFT_TEST_PG_URL",
    }
    named = set(re.findall(r"REPLYDRAFT_[A-Z0-9_]+[A-Z0-9]", _text()))
    assert not (named - known), f"docs name unknown settings: {sorted(named - known)}"


def _commands() -> set[str]:
    """Commands shown in code: inline `replydraft x y` or at the start of a line in a code block."""
    text = _text()
    found = set(re.findall(r"`replydraft ([a-z]+(?: [a-z]+)?)", text))
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        found |= set(re.findall(r"^\s*(?:\$ )?replydraft ([a-z]+(?: [a-z]+)?)", block, flags=re.M))
    return found


@pytest.mark.parametrize("command", sorted(_commands()))
def test_documented_commands_exist(command: str) -> None:
    """By its exact path: under a command group the second word must be one of its subcommands (a
    subcommand that was removed must fail here); under a plain command it is an argument."""
    words = command.split()
    root: Any = typer.main.get_command(app)  # typer's own click: groups are recognised by their commands
    first = root.commands.get(words[0])
    assert first is not None, f"`replydraft {words[0]}` is documented but does not exist"
    path = words[:1]
    if len(words) > 1 and hasattr(first, "commands"):
        assert words[1] in first.commands, (
            f"`replydraft {command}` is documented but {words[0]} has no subcommand {words[1]!r}"
        )
        path = words
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, f"`replydraft {command}` --help failed: {result.output}"


def test_documented_files_exist() -> None:
    """Paths in backticks that look like repository files must exist."""
    missing = []
    for path in set(
        re.findall(r"`((?:service|docs|eval|knowledge|prompts|bench|tests|\.ci)/[\w./-]+)`", _text())
    ):
        if not (REPO / path.rstrip("/")).exists():
            missing.append(path)
    assert not missing, f"docs name missing files: {sorted(missing)}"


def test_make_targets_in_docs_exist() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.M))
    named = set(re.findall(r"`make ([a-z-]+)`", _text()))
    assert not (named - targets), f"docs name missing make targets: {sorted(named - targets)}"


def test_committed_openapi_document_is_current() -> None:
    """docs/openapi.json is the API reference; regenerate with `replydraft openapi > docs/openapi.json`."""
    import json

    result = CliRunner().invoke(app, ["openapi"])
    assert result.exit_code == 0, result.output
    committed = json.loads((REPO / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert json.loads(result.output) == committed, "docs/openapi.json is stale: regenerate it"
