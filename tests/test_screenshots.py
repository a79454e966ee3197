"""Running the tests leaves the work tree as it was: screenshots go to a temporary folder unless
`make screenshots` asks for docs/screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import conftest as browser
from tests.conftest import REPO


def test_screenshots_go_to_a_temporary_folder_by_default(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(browser.SCREENSHOTS_ENV, raising=False)
    folder = browser.screenshot_dir(tmp_path_factory)
    assert not folder.resolve().is_relative_to(REPO.resolve())


def test_make_screenshots_names_the_docs_folder(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert f"{browser.SCREENSHOTS_ENV}=docs/screenshots" in makefile
    monkeypatch.setenv(browser.SCREENSHOTS_ENV, str(tmp_path / "shots"))
    assert browser.screenshot_dir(tmp_path_factory) == (tmp_path / "shots").resolve()
