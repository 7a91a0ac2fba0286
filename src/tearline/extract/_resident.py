"""Reference data loaded once per process and kept for the rest of it."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def resident(build: Callable[[], T]) -> T:
    """``build()`` with the garbage collector paused, its result then frozen out of the
    collector's sight (``gc.freeze``).

    The gazetteer alone is half a million small objects that live as long as the
    process: built with collection passes running, it takes twice as long, and left in
    view, every later full collection walks all of it (a tenth of a second each) - the
    first document waited for two of them. Everything alive at the freeze is frozen with
    it; the loaders run once, at start or on first use, so that is little besides.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        built = build()
        gc.freeze()
        return built
    finally:
        if enabled:
            gc.enable()
