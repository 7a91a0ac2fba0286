"""The inbox and the triage queue are kept by each web process between requests, and
are never stale: a change made by another process, or by hand in the database, shows on
the very next request, and every answer is the one a process that keeps nothing gives.

The tables' versions are kept by triggers (migration 0026); a list may read only the
tables whose versions it checks, and a test runs each list to hold it to that."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import Connection, create_engine, event, text, update

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.demo.scenario import report_text
from tearline.settings import Settings
from tearline.store import table_versions
from tearline.store import tables as t
from tearline.web.server import DeskServer
from tearline.workflow import cases, sessions
from tearline.workflow import desk as wdesk
from tearline.workflow.list_cache import ListCache
from tests.factories import add_moscow_recipients
from tests.web.conftest import PROVENANCE, ingest_demo, start_desk
from tests.web.desk import PEOPLE

LISTS = (
    "/api/reports",
    "/api/threats",
    "/api/threats?limit=1",
    "/api/reports?limit=1",
    "/api/reports?limit=1&offset=1",
)


def another_process(app: wf.App, *, list_cache_mb: int | None = None) -> wf.App:
    """A second App on the same database (another web process, a CLI, a worker)."""
    values = dict(app.settings.values)
    if list_cache_mb is not None:
        values["list_cache_mb"] = list_cache_mb
    return wf.App(Settings(values, app.settings.given), clock=app.clock)


@pytest.fixture
def two_desks(app: wf.App) -> Iterator[tuple[httpx.Client, httpx.Client, wf.App]]:
    """The desk (keeping its lists) and a second desk on the same database that keeps
    nothing, each asked with the same token; and the second desk's App."""
    desk = start_desk(app, worker=False)
    fresh = another_process(app, list_cache_mb=0)
    other = DeskServer(fresh, port=0, worker=False)
    other.start()
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    auth = {"Authorization": f"Bearer {sessions.create_token(app, 'dana', 'lists', by=dana)[1]}"}
    kept = httpx.Client(base_url=desk.url, headers=auth, timeout=30)
    afresh = httpx.Client(base_url=other.url, headers=auth, timeout=30)
    try:
        yield kept, afresh, fresh
    finally:
        kept.close()
        afresh.close()
        other.stop()
        fresh.close()
        desk.stop()


def same_answers(kept: httpx.Client, afresh: httpx.Client) -> dict[str, httpx.Response]:
    got = {}
    for path in LISTS:
        a, b = kept.get(path), afresh.get(path)
        assert a.status_code == b.status_code == 200
        assert a.content == b.content, path
        assert a.headers.get("link") == b.headers.get("link"), path
        got[path] = a
    return got


def test_a_change_by_another_process_shows_on_the_next_request(
    app: wf.App, two_desks: tuple[httpx.Client, httpx.Client, wf.App]
) -> None:
    kept, afresh, other = two_desks
    threat = ingest_demo(app)
    same_answers(kept, afresh)
    hits = app.lists.hits
    first = same_answers(kept, afresh)
    assert app.lists.hits >= hits + len(LISTS)  # unchanged: answered from memory
    assert first["/api/reports?limit=1&offset=1"].json() == []
    assert first["/api/threats?limit=1"].json()[0]["ref"] == threat

    # A second report, ingested by the other process: first in the inbox at once.
    again = report_text() + b"\n\nA second source repeats the warning.\n"
    got = wf.ingest_bytes(other, again, "again.txt", PROVENANCE, actor="ana")
    answers = same_answers(kept, afresh)
    assert answers["/api/reports?limit=1"].json()[0]["ref"] == got.report_ref
    assert "link" in answers["/api/reports?limit=1"].headers

    # Graded and decided elsewhere: the queue's row says so on the next request.
    ana = wf.sign_in(other, "ana", PEOPLE["ana"][0])
    before = next(r for r in kept.get("/api/threats").json() if r["ref"] == threat)
    cases.grade_case(other, threat, ana, reason="a second look", info_credibility=1)
    graded = next(
        r for r in same_answers(kept, afresh)["/api/threats"].json() if r["ref"] == threat
    )
    assert graded["admiralty"] != before["admiralty"]
    assert graded["admiralty"].endswith("1")
    wf.decide(other, threat, wf.sign_in(other, "dana", PEOPLE["dana"][0]))
    decided = next(
        r for r in same_answers(kept, afresh)["/api/threats"].json() if r["ref"] == threat
    )
    assert decided["determination"] is not None

    # Closed by hand in the database (no program of ours): gone from the queue at once.
    with other.db.engine.begin() as conn:
        conn.execute(update(t.Threat).values(status="closed"))
    assert same_answers(kept, afresh)["/api/threats"].json() == []


def test_the_queue_moves_with_the_clock(
    app: wf.App, two_desks: tuple[httpx.Client, httpx.Client, wf.App]
) -> None:
    """Nothing in the database changes, but the hours left do: the queue is worked out
    for the second it is asked in."""
    kept, afresh, _ = two_desks
    ingest_demo(app)
    row = same_answers(kept, afresh)["/api/threats"].json()[0]
    assert isinstance(app.clock, FixedClock)
    app.clock.advance(timedelta(hours=1))
    later = same_answers(kept, afresh)["/api/threats"].json()[0]
    assert row["hours_left"] is not None
    assert later["hours_left"] == pytest.approx(row["hours_left"] - 1.0)


def test_what_a_viewer_may_not_see_is_never_answered_from_anothers_page(app: wf.App) -> None:
    """Pages are kept per viewer: the outsider, asking after an insider, sees nothing."""
    desk = start_desk(app, worker=False)
    try:
        ingest_demo(app)
        dana, otto = desk.client("dana"), desk.client("otto")
        for path in ("/api/reports", "/api/threats"):
            assert len(dana.get(path).json()) == 1
            assert otto.get(path).json() == []
    finally:
        desk.stop()


# -- the versions ------------------------------------------------------------------------


def versions(app: wf.App) -> table_versions.Stamp:
    with app.read_rows() as conn:
        return table_versions.stamp(conn, table_versions.TRACKED)


def of(stamp: table_versions.Stamp, table: str) -> tuple[tuple[int, int], ...]:
    return tuple((i, v) for n, i, v in stamp if n == table)


def test_every_change_to_a_tracked_table_changes_its_version_and_only_its(app: wf.App) -> None:
    wf.add_user(app, "ana", PEOPLE["ana"][0], ["analyst", "duty_officer"], compartments=["CT"])
    add_moscow_recipients(app, "http://127.0.0.1:9")
    start = versions(app)
    threat = ingest_demo(app)  # inserts reports, events, threats, sources
    after_ingest = versions(app)
    for table in ("reports", "events", "threats", "sources"):
        assert of(after_ingest, table) != of(start, table), table
    assert of(after_ingest, "determinations") == of(start, "determinations")
    ana = wf.sign_in(app, "ana", PEOPLE["ana"][0])
    cases.grade_case(app, threat, ana, reason="checked against a second source", info_credibility=2)
    graded = versions(app)
    assert of(graded, "case_grades") != of(after_ingest, "case_grades")
    assert of(graded, "reports") == of(after_ingest, "reports")
    wf.decide(app, threat, ana)
    decided = versions(app)
    assert of(decided, "determinations") != of(graded, "determinations")
    for table in sorted(table_versions.TRACKED):
        now = versions(app)
        with app.db.engine.begin() as conn:  # by hand: every row, rewritten as it was
            conn.execute(text(f"UPDATE {table} SET id = id"))  # noqa: S608 (our own names)
        assert of(versions(app), table) != of(now, table), table
        assert [x for x in versions(app) if x[0] != table] == [x for x in now if x[0] != table]


def test_a_change_that_touches_no_row_or_is_rolled_back_changes_no_version(app: wf.App) -> None:
    ingest_demo(app)
    start = versions(app)
    with app.db.engine.begin() as conn:
        conn.execute(update(t.Threat).where(t.Threat.id < 0).values(status="closed"))
    assert versions(app) == start

    def undone() -> None:
        with app.unit() as u:
            u.session.execute(update(t.Report).values(title="undone"))
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        undone()
    assert versions(app) == start


# PostgreSQL only: SQLite lets one transaction write at a time, so "two writers at once"
# cannot be set up there (this test takes the PostgreSQL case of the ``app`` fixture).
@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_two_writers_of_a_table_do_not_wait_on_each_others_version(app: wf.App) -> None:
    ingest_demo(app)
    again = report_text() + b"\n\nA second source repeats the warning.\n"
    wf.ingest_bytes(app, again, "again.txt", PROVENANCE, actor="ana")
    first, second = sorted(r["ref"] for r in wdesk.inbox(app, None))
    engine = create_engine(app.db.engine.url)
    try:
        with engine.connect() as a, engine.connect() as b:
            for conn in (a, b):  # a wait becomes an error, not a hang; no time is measured
                conn.execute(text("SET lock_timeout = '2s'"))
            a.execute(update(t.Report).where(t.Report.id == int(first[4:])).values(title="by a"))
            # A row of its own, but the same table: were the version one row held by a,
            # b would wait on it, and lock_timeout would end b here.
            b.execute(update(t.Report).where(t.Report.id == int(second[4:])).values(title="by b"))
            b.commit()
            a.rollback()
    finally:
        engine.dispose()
    with app.read_rows() as conn:
        rows = list(table_versions.stamp(conn, ["reports"]))
    assert len(rows) == 2  # b's change went to a row of its own


def test_a_list_reads_only_the_tables_whose_versions_it_checks(app: wf.App) -> None:
    """Were a list to read a table it does not name, a change there would not show:
    each list is run and every table its statements name must be among its reads."""
    threat = ingest_demo(app)
    add_moscow_recipients(app, "http://127.0.0.1:9")
    wf.add_user(app, "d2", "d2-duty-officer-pass", ["duty_officer", "analyst"], compartments=["CT"])
    viewer = wf.sign_in(app, "d2", "d2-duty-officer-pass")
    cases.grade_case(app, threat, viewer, reason="seen by a second analyst", info_credibility=2)
    wf.decide(app, threat, viewer)
    names = sorted(t.Base.metadata.tables, key=len, reverse=True)
    said: list[str] = []

    def heard(_c: Connection, _cur: object, statement: str, *_: object) -> None:
        said.append(statement)

    engines = {app.db.engine, app.db.reader, app.db._row_reader}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", heard)
    try:
        for run, reads in (
            (lambda: wdesk.inbox(app, None), wdesk.INBOX_READS),
            (lambda: wdesk.inbox(app, viewer, query="moscow"), wdesk.INBOX_READS),
            (lambda: wdesk.triage_queue(app, None, limit=5), wdesk.QUEUE_READS),
            (lambda: wdesk.triage_queue(app, viewer, query="x"), wdesk.QUEUE_READS),
        ):
            said.clear()
            assert run() is not None
            assert said
            named = {n for n in names for s in said if re.search(rf"\b{n}\b", s)}
            assert named <= set(reads), sorted(named - set(reads))
            assert set(reads) <= table_versions.TRACKED
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", heard)


# -- the memory it takes -----------------------------------------------------------------


def test_pages_are_kept_within_their_budget_least_recently_asked_first(app: wf.App) -> None:
    ingest_demo(app)
    kept = ListCache(250, app.read_rows)
    built: list[str] = []

    def page(name: str, size: int) -> tuple[str, int]:
        built.append(name)
        return name, size

    for name in ("a", "b", "a", "c", "a", "b"):
        assert kept.kept(name, ["reports"], lambda n=name: page(n, 100)) == name
    # a, b built; a kept; c built (a, b, c is 300 > 250: b, the least recent, goes);
    # a kept; b built again (c goes).
    assert built == ["a", "b", "c", "b"]
    assert kept.size == 200
    assert len(kept) == 2
    assert kept.kept("huge", ["reports"], lambda: page("huge", 251)) == "huge"
    assert len(kept) == 2  # bigger than the whole budget: answered, not kept
    none = ListCache(0, app.read_rows)
    for _ in range(3):
        none.kept("a", ["reports"], lambda: page("a", 1))
    assert built[-3:] == ["a", "a", "a"]
    assert len(none) == 0
    with pytest.raises(ValueError, match="deliveries"):
        kept.kept("x", ["deliveries"], lambda: page("x", 1))
