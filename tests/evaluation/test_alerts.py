"""`tearline eval alerts`: kind, country and city read from hand-keyed alert texts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tearline.cli import main
from tearline.errors import InputError
from tearline.evaluation.alerts import AlertKey, read_alerts, read_events, score_alerts
from tearline.extract import extract
from tearline.model import Event, EventKind, Modality, Place, PlacePrecision, Span

ALERTS = Path(__file__).parents[1] / "extract" / "fixtures" / "alerts" / "alerts.toml"


def test_the_fixture_set_is_large_and_varied() -> None:
    keys = read_alerts(ALERTS)
    assert len(keys) >= 60
    kinds = {k.kind for k in keys}
    assert {"threat", "incident", "none"} <= kinds
    assert sum(k.kind == "none" for k in keys) >= 8  # negative controls


def test_nine_fields_in_ten_are_read_right_on_the_fixture_set() -> None:
    report = score_alerts(read_alerts(ALERTS), extract)
    assert report.share >= 0.90, [(m.id, m.field, m.expected, m.found) for m in report.misses]
    for name in ("kind", "country", "city"):
        assert report.right[name] >= 0.85 * report.texts, name


def _event(kind: EventKind, country: str | None, city: str | None = None) -> Event:
    span = Span(0, 4, "text")
    place = Place(span, PlacePrecision.CITY if city else PlacePrecision.COUNTRY, country, city)
    return Event(kind, Modality.REPORTED, (span,), place=place)


def test_an_incident_beside_the_keyed_threat_makes_the_kind_wrong() -> None:
    key = AlertKey("a", "text", datetime(2025, 1, 1, tzinfo=UTC), "threat", "FR", "")
    found = read_events(key, [_event(EventKind.INCIDENT, "IL"), _event(EventKind.THREAT, "FR")])
    # the threat still gives the place; the stray incident is what the kind shows
    assert found == {"kind": "mixed", "country": "FR", "city": ""}


def test_alternatives_and_accents_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(
        '[[alert]]\nid = "k"\ndate = 2025-05-12\nkind = "threat"\ncountry = "UA"\n'
        'city = "Kiev|Kyiv"\ntext = "A credible threat has been identified against the '
        'embassy in Kyiv."\n'
    )
    report = score_alerts(read_alerts(path), lambda t, d: [_event(EventKind.THREAT, "UA", "Kyïv")])
    assert report.right == {"kind": 1, "country": 1, "city": 1}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "no \\[\\[alert\\]\\] tables"),
        ('[[alert]]\nid = "x"\ntext = "t"\n', "lacks date, kind, country, city"),
        ("[[alert]\n", "not a TOML key file"),
        ('[[alert]]\nid="x"\ntext="t"\ndate="soon"\nkind=""\ncountry=""\ncity=""\n', "ISO 8601"),
    ],
)
def test_bad_key_files_are_refused_clearly(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(InputError, match=message):
        read_alerts(path)


def test_the_command_prints_accuracy_per_field_and_the_misses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["eval", "alerts", "--file", str(ALERTS)]) == 0
    out = capsys.readouterr().out
    for name in ("kind", "country", "city", "all"):
        assert name in out
    assert main(["eval", "alerts", "--file", str(ALERTS), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["texts"] == len(read_alerts(ALERTS))
    assert {m["field"] for m in report["misses"]} <= {"kind", "country", "city"}
    assert main(["eval", "alerts", "--file", "/nonexistent/keys.toml"]) != 0
