"""What the CLI tests share: a fresh home, and the names file a command points extraction
at staying with the test that set it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tearline.extract import local_names


@pytest.fixture(autouse=True)
def _names_file_of_the_settings() -> Iterator[None]:
    yield
    local_names.use(None)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh home for CLI commands run in this process (wide output, SQLite)."""
    monkeypatch.setenv("TEARLINE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TEARLINE_SENDER", "Tearline test agency")
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path / "home"
