"""Dates as a person types them: the rules (tearline/dates.py), and the CLI that uses them.

The CLI runs on the real clock, so a relative form is checked against "now" taken just
before and just after the command.
"""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tearline.cli import main
from tearline.dates import read_iso, read_when
from tearline.errors import InputError

NOW = datetime(2026, 12, 6, 13, 0, tzinfo=UTC)  # a Sunday


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-11", "2026-12-11T00:00:00+00:00"),
        ("2026-12-11T18:00+02:00", "2026-12-11T18:00:00+02:00"),  # ISO keeps its offset
        ("2026-12-11T18:00Z", "2026-12-11T18:00:00+00:00"),
        ("11 Dec", "2026-12-11T00:00:00+00:00"),
        ("11 December 2026", "2026-12-11T00:00:00+00:00"),
        ("on 11 December", "2026-12-11T00:00:00+00:00"),
        ("11 Dec 18:30", "2026-12-11T18:30:00+00:00"),
        ("11 Dec 2026 18:00 EST", "2026-12-11T23:00:00+00:00"),  # a zone given: to UTC
        ("in 5 days", "2026-12-11T13:00:00+00:00"),  # keeps the reference's time of day
        ("in five days", "2026-12-11T13:00:00+00:00"),
        ("in 2 hours", "2026-12-06T15:00:00+00:00"),
        ("tomorrow 18:00", "2026-12-07T18:00:00+00:00"),
        ("tomorrow at 6pm", "2026-12-07T18:00:00+00:00"),
        ("yesterday", "2026-12-05T13:00:00+00:00"),
        ("next Friday", "2026-12-11T00:00:00+00:00"),
        ("last Friday", "2026-12-04T00:00:00+00:00"),
        # no year: the nearest one, before or after
        ("3 Dec", "2026-12-03T00:00:00+00:00"),
        ("2 Jan", "2027-01-02T00:00:00+00:00"),
        ("Friday", "2026-12-04T00:00:00+00:00"),  # two days ago is nearer than in five
        # numbers: read only when they decide day and month
        ("13/04/2026", "2026-04-13T00:00:00+00:00"),
        ("04/13/2026", "2026-04-13T00:00:00+00:00"),
        ("13.04.2026 18:00", "2026-04-13T18:00:00+00:00"),
    ],
)
def test_what_a_person_types_is_read(typed: str, expected: str) -> None:
    assert read_when(typed, reference=NOW).isoformat() == expected


def test_a_date_without_a_year_is_the_latest_past_one_for_a_reports_own_date() -> None:
    assert read_when("11 Dec", reference=NOW, prefer="past").date().isoformat() == "2025-12-11"
    assert read_when("3 Dec", reference=NOW, prefer="past").date().isoformat() == "2026-12-03"
    assert read_when("11 Dec", reference=NOW, prefer="future").year == 2026


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("foo", "could not read 'foo' as a date; try 2026-12-11, '11 Dec'"),
        ("11 Decmber", "could not read '11 Decmber' as a date"),
        ("", "give a date"),
        ("03/04", "'03/04' could be 3 Apr or 4 Mar; write the month as a word ('3 Apr')"),
        ("11/12/26", "use ISO (2026-12-11)"),
        ("31/02/2026", "could not read '31/02/2026'"),
        ("12", "a number alone ('12') is not a date"),
        ("2026", "a number alone"),
        ("Dec 2026", "'Dec 2026' names a month, not a day"),
        ("next week", "names a week, not a day"),
        ("2026-13-01", "is not an ISO 8601 date"),
    ],
)
def test_what_cannot_be_read_is_refused_with_what_to_type(typed: str, message: str) -> None:
    with pytest.raises(InputError, match=r"^start: ") as refused:
        read_when(typed, reference=NOW, what="start")
    assert message in str(refused.value)


def test_machine_written_dates_take_iso_only() -> None:
    assert read_iso("2024-03-06").isoformat() == "2024-03-06T00:00:00+00:00"
    with pytest.raises(InputError, match="not an ISO 8601 date"):
        read_iso("yesterday")


def test_reading_reaches_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a date reader opened a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert read_when("next Friday 18:00", reference=NOW).isoformat() == (
        "2026-12-11T18:00:00+00:00"
    )


# --- through the CLI --------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TEARLINE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    path = tmp_path / "r.txt"
    path.write_text("Gunmen attacked a hotel in Kabul, killing 5 people.\n", encoding="utf-8")
    return path


def _stored_date(capsys: pytest.CaptureFixture[str]) -> datetime:
    code, out, _ = run(capsys, "show", "RPT-1", "--json")
    assert code == 0
    stored = datetime.fromisoformat(json.loads(out)["document_date"])
    return stored if stored.tzinfo else stored.replace(tzinfo=UTC)


def test_ingest_takes_a_date_in_words(capsys: pytest.CaptureFixture[str], report: Path) -> None:
    code, _, err = run(capsys, "ingest", str(report), "--date", "11 December 2026 18:00")
    assert code == 0, err
    assert _stored_date(capsys) == datetime(2026, 12, 11, 18, 0, tzinfo=UTC)


def test_ingest_counts_a_relative_date_from_now(
    capsys: pytest.CaptureFixture[str], report: Path
) -> None:
    before = datetime.now(UTC)
    code, _, err = run(capsys, "ingest", str(report), "--date", "yesterday 18:00")
    after = datetime.now(UTC)
    assert code == 0, err
    stored = _stored_date(capsys)
    assert stored.time().isoformat() == "18:00:00"
    assert stored.date() in {
        (before - timedelta(days=1)).date(),
        (after - timedelta(days=1)).date(),
    }


def test_ingest_refuses_an_ambiguous_date_and_stores_nothing(
    capsys: pytest.CaptureFixture[str], report: Path
) -> None:
    code, _, err = run(capsys, "ingest", str(report), "--date", "03/04")
    assert code == 65
    assert "--date: '03/04' could be 3 Apr or 4 Mar" in err
    assert "Traceback" not in err
    code, _, _ = run(capsys, "show", "RPT-1", "--json")
    assert code == 66  # nothing was stored


def test_extract_says_what_it_could_not_read(
    capsys: pytest.CaptureFixture[str], report: Path
) -> None:
    code, _, err = run(capsys, "extract", str(report), "--date", "foo")
    assert code == 65
    assert "could not read 'foo' as a date; try 2026-12-11, '11 Dec'" in err


def test_extract_help_says_what_relative_dates_count_from(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "extract", "--help")
    assert "'11 Dec'" in out
    assert "relative forms count from now" in " ".join(out.split())


def test_a_travel_stop_typed_in_words(capsys: pytest.CaptureFixture[str], report: Path) -> None:
    code, _, err = run(
        capsys,
        "recipients",
        "add",
        "Traveller",
        "--kind",
        "person",
        "--tier",
        "partner",
        "--contact",
        "email=t@example.org",
        "--stop",
        "22 Mar 2030 17:00/22 March 2030 23:00 +03:00@55.8253,37.3886@Crocus",
    )
    assert code == 0, err
    _, out, _ = run(capsys, "recipients", "list", "--json")
    stop = json.loads(out)[0]["itinerary"][0]
    assert datetime.fromisoformat(stop["from"]) == datetime(2030, 3, 22, 17, 0, tzinfo=UTC)
    assert datetime.fromisoformat(stop["to"]) == datetime(2030, 3, 22, 20, 0, tzinfo=UTC)
    code, _, err = run(
        capsys,
        "recipients",
        "add",
        "Other",
        "--kind",
        "person",
        "--tier",
        "partner",
        "--contact",
        "email=o@example.org",
        "--stop",
        "03.04.2030/05.04.2030@55.8,37.4",
    )
    assert code == 65
    assert "--stop FROM: '03.04.2030' could be 3 Apr or 4 Mar" in err
