"""Migration 0006 adds the report's language, and takes it away again, on SQLite and
PostgreSQL, keeping every report and event: reports stored before it read "not recorded"."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import func, inspect, select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.store.db import alembic_config, create_db_engine

RUSSIAN = "Члены ячейки ИГИЛ планируют взорвать бомбу в концертном зале в Казани 15 марта.\n"


def _app(tmp_path: Path, url: str, clock: FixedClock) -> wf.App:
    settings = load_settings({"home": str(tmp_path / "home"), "database_url": url}, environ={})
    return wf.App(settings, clock=clock)


def _migrate(url: str, to: str) -> list[str]:
    """Up or down to revision ``to`` as the app does (its engine, one transaction); the
    columns of ``reports`` afterwards."""
    engine = create_db_engine(url)
    try:
        cfg = alembic_config(engine)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            if to == "0005":
                command.downgrade(cfg, to)
            else:
                command.upgrade(cfg, to)
        return [c["name"] for c in inspect(engine).get_columns("reports")]
    finally:
        engine.dispose()


def _counts(app: wf.App) -> tuple[int, int]:
    with app.read() as s:
        return (
            s.scalar(select(func.count()).select_from(t.Report)) or 0,
            s.scalar(select(func.count()).select_from(t.Event)) or 0,
        )


def test_the_language_column_goes_down_and_up_and_old_reports_are_not_recorded(
    tmp_path: Path, database_url: str, clock: FixedClock
) -> None:
    app = _app(tmp_path, database_url, clock)
    stored = wf.ingest_bytes(app, RUSSIAN.encode(), "kazan.txt", wf.Provenance(), actor="ana")
    assert wf.show(app, stored.report_ref)["language"] == "ru"
    before = _counts(app)
    assert before[1] >= 1  # an event refers to the report: the downgrade must keep both
    app.close()

    assert "language" not in _migrate(database_url, "0005")
    assert "language" in _migrate(database_url, "heads")

    app = _app(tmp_path, database_url, clock)
    try:
        assert _counts(app) == before
        old = wf.show(app, stored.report_ref)
        assert (old["language"], old["language_label"]) == (None, "not recorded")
        later = wf.ingest_bytes(
            app, RUSSIAN.replace("15", "16").encode(), "kazan-2.txt", wf.Provenance(), actor="ana"
        )
        assert wf.show(app, later.report_ref)["language"] == "ru"
    finally:
        app.close()
