"""Fixtures for the extraction tests: the demo report, read once."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources

import pytest

from tearline.extract import extract, local_names
from tearline.model import Event

from ._support import DEMO_DATE


@pytest.fixture(scope="session")
def demo_text() -> str:
    source = resources.files("tearline.data").joinpath("demo/moscow-liaison-report.txt")
    return source.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def demo_events(demo_text: str) -> list[Event]:
    return extract(demo_text, DEMO_DATE)


@pytest.fixture(autouse=True)
def _names_file_of_the_settings() -> Iterator[None]:
    """A command run in a test points extraction at its --home's names file; the next
    test reads the one its own settings name."""
    yield
    local_names.use(None)
