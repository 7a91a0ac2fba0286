"""Fixtures for the extraction tests: the demo report, read once."""

from __future__ import annotations

from importlib import resources

import pytest

from tearline.extract import extract
from tearline.model import Event

from ._support import DEMO_DATE


@pytest.fixture(scope="session")
def demo_text() -> str:
    source = resources.files("tearline.data").joinpath("demo/moscow-liaison-report.txt")
    return source.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def demo_events(demo_text: str) -> list[Event]:
    return extract(demo_text, DEMO_DATE)
