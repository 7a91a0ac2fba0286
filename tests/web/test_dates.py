"""The desk reads a date as the analyst types it: correcting a case's time, dating a report.

The desk runs on the tests' fixed clock (2024-03-06 09:00 UTC, tests/conftest.py), which
is the "now" relative forms count from.
"""

from __future__ import annotations

import html

from tearline import workflow as wf
from tests.web.conftest import ingest_demo
from tests.web.desk import Desk


def _correct_time(desk: Desk, start: str, end: str) -> tuple[str, str]:
    ref = ingest_demo(desk.app)
    ana = desk.client("ana")
    r = ana.post(
        f"/threats/{ref}/correct",
        data={
            "field": "time",
            "start": start,
            "end": end,
            "time_precision": "window",
            "reason": "the report gives the window in words",
        },
    )
    return ana.flash(r), ana.get(f"/threats/{ref}").text


def test_a_time_corrected_in_words_is_stored_and_shown(sqlite_desk: Desk) -> None:
    flash, page = _correct_time(sqlite_desk, "tomorrow 18:00", "in 5 days")
    assert flash.startswith("ok: time corrected on THR-")
    window = wf.show(sqlite_desk.app, "THR-1")["facts"]["time"]
    assert window["start"] == "2024-03-07T18:00:00+00:00"
    assert window["end"] == "2024-03-11T09:00:00+00:00"
    assert "7 March 2024 18:00 → 11 March 2024 09:00 UTC (window)" in page


def test_a_day_and_month_take_the_year_nearest_today(sqlite_desk: Desk) -> None:
    flash, _ = _correct_time(sqlite_desk, "11 Mar", "12 March 2024 06:00")
    assert flash.startswith("ok: ")
    window = wf.show(sqlite_desk.app, "THR-1")["facts"]["time"]
    assert window["start"] == "2024-03-11T00:00:00+00:00"
    assert window["end"] == "2024-03-12T06:00:00+00:00"


def test_an_ambiguous_or_unreadable_time_is_refused_and_nothing_changes(
    sqlite_desk: Desk,
) -> None:
    ref = ingest_demo(sqlite_desk.app)
    before = wf.show(sqlite_desk.app, ref)["facts"]["time"]
    ana = sqlite_desk.client("ana")
    for start, message in [
        ("03/04", "error: start: '03/04' could be 3 Apr or 4 Mar; write the month as a word"),
        ("foo", "error: start: could not read 'foo' as a date; try 2026-12-11, '11 Dec'"),
    ]:
        r = ana.post(
            f"/threats/{ref}/correct",
            data={
                "field": "time",
                "start": start,
                "end": "in 5 days",
                "time_precision": "window",
                "reason": "trying a date that cannot be read",
            },
        )
        assert html.unescape(ana.flash(r)).startswith(message)
        assert wf.show(sqlite_desk.app, ref)["facts"]["time"] == before


def test_a_report_dated_in_words_from_the_inbox(sqlite_desk: Desk) -> None:
    ana = sqlite_desk.client("ana")
    r = ana.post(
        "/inbox",
        data={
            "text": "Gunmen plan to attack a hotel in Kabul tomorrow.",
            "document_date": "yesterday 18:00",
        },
    )
    assert ana.flash(r).startswith("ok: RPT-1 stored")
    report = wf.show(sqlite_desk.app, "RPT-1")
    assert report["document_date"].startswith("2024-03-05T18:00:00")
    window = wf.show(sqlite_desk.app, report["events"][0]["threat"])["facts"]["time"]
    assert window["start"].startswith("2024-03-06")  # "tomorrow" of the report's date


def test_a_report_date_without_a_year_is_never_in_the_future(sqlite_desk: Desk) -> None:
    ana = sqlite_desk.client("ana")
    r = ana.post("/inbox", data={"text": "A plot in Kabul.", "document_date": "11 Mar"})
    assert ana.flash(r).startswith("ok: ")
    assert wf.show(sqlite_desk.app, "RPT-1")["document_date"].startswith("2023-03-11")
