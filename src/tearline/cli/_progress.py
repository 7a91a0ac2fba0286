"""Progress for the long commands, on standard error so standard output stays what a
script reads: a live bar (items done, rate) on a terminal or with ``--progress``, and a
closing summary line always.

    with Steps("reading", total=None, show=progress) as steps:
        for item in items:
            ...
            steps.advance()
    steps.summary(f"{steps.done} texts read: {failed} failed")
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from tearline.cli._common import err

P = ParamSpec("P")
R = TypeVar("R")

ProgressOpt = Annotated[
    bool | None,
    typer.Option(
        "--progress/--no-progress",
        help="Show progress on standard error (default: only when it is a terminal).",
    ),
]


class Steps:
    """Counts the items of a long command and draws them on standard error."""

    def __init__(self, description: str, *, total: int | None, show: bool | None) -> None:
        self.done = 0
        self._started = time.monotonic()
        columns = [
            TextColumn("{task.description}"),
            *([BarColumn(), MofNCompleteColumn()] if total else [TextColumn("{task.completed}")]),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
        ]
        self._progress = Progress(
            *columns,
            console=err,
            transient=True,
            disable=not (err.is_terminal if show is None else show),
        )
        self._task: TaskID = self._progress.add_task(description, total=total, rate="")

    def __enter__(self) -> Steps:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def advance(self, items: int = 1) -> None:
        self.done += items
        self._progress.update(self._task, advance=items, rate=f"{self.rate():.1f}/s")

    def counted(self, step: Callable[P, R]) -> Callable[P, R]:
        """``step`` that advances the count each time it returns (one item done)."""

        def counting(*args: P.args, **kwargs: P.kwargs) -> R:
            result = step(*args, **kwargs)
            self.advance()
            return result

        return counting

    def rate(self) -> float:
        """Items per second so far."""
        return self.done / max(time.monotonic() - self._started, 1e-9)

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def summary(self, line: str) -> None:
        """The closing line: what was done, then how long it took."""
        err.print(
            f"{line} ({self.elapsed():.1f} s, {self.rate():.1f}/s)", markup=False, soft_wrap=True
        )
