"""Where log lines go and what they look like: one place for the CLI, the desk, the workers.

``TEARLINE_LOG_FORMAT=text`` (the default) writes ``time level logger: message`` lines;
``json`` writes one JSON object per line (``time``, ``level``, ``logger``, ``message``,
then the record's structured fields: ``worker_id``, ``delivery``, ``count``...) for a log
collector to index. The JSON comes from python-json-logger, a formatter on the standard
``logging`` module: every existing ``log.warning(...)`` and uvicorn's own lines come out
as JSON without a second logging API in the code (structlog would bring one).

Log lines name terms by ID only (a warning's WRN ref, a delivery's DLV ref, a worker's
id), never a protected term, a recipient's address or a secret: the message and its
fields are what the code passes, nothing is added from a request or a document.

``configure`` puts one handler on the root logger (standard error) and leaves any other
handler alone; uvicorn is started with ``log_config=None`` so that its lines reach the
same handler. Every command calls it (the CLI's root callback), and so does each web
process of ``tearline serve --workers N``.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

from tearline.errors import ConfigError
from tearline.settings import Settings, load_settings

# The loggers whose level follows TEARLINE_LOG_LEVEL; libraries log warnings and above.
OURS = ("tearline",)


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is when a line is logged (a test's capture too)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        return JsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",  # ISO 8601, UTC
            json_ensure_ascii=False,
        )
    return logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%Y-%m-%dT%H:%M:%S%z"
    )


def configure(fmt: str = "text", level: str = "info") -> None:
    """Log to standard error in ``fmt`` (text or json), Tearline's lines from ``level`` up."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(old)
    handler = StderrHandler()
    handler.setFormatter(formatter(fmt))
    root.addHandler(handler)
    for name in OURS:
        logging.getLogger(name).setLevel(level.upper())


def configure_from(settings: Settings) -> None:
    configure(settings.log_format, settings.log_level)


def configure_from_environment(home: str | None = None) -> None:
    """``configure`` as the settings say. Settings that cannot be read give the defaults
    here: the command then says what is wrong with them (if it reads them at all)."""
    try:
        settings = load_settings({"home": home})
    except ConfigError:
        configure()
        return
    configure_from(settings)
