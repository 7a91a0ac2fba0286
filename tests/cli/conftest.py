"""The names file a command points extraction at stays with that test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tearline.extract import local_names


@pytest.fixture(autouse=True)
def _names_file_of_the_settings() -> Iterator[None]:
    yield
    local_names.use(None)
