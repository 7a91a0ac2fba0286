"""A report in Russian, through the chain: stored as Russian, its facts in English beside
the Russian words they were read from, and warnings that read right in English and in
Russian. The language given at intake wins over the one identified, and is the one the
report is read in."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.errors import InputError
from tearline.model import Contact
from tearline.workflow import casefile, desk

# Written for these tests: ISIS cell members plan to bomb a concert hall in Kazan on 15 March.
KAZAN_RU = (
    "Члены ячейки ИГИЛ планируют взорвать бомбу в концертном зале в Казани 15 марта.\n"
).encode()
# An English cover note over a Russian quote: two languages in one document.
COVER_NOTE = (
    b"Liaison note, 10 March 2024. A partner passed us the following, in Russian, without "
    b"comment.\n\n"
) + KAZAN_RU
CYRILLIC = re.compile("[\u0400-\u04ff]")


@pytest.fixture
def kazan(app: wf.App, clock: FixedClock, people: object) -> wf.App:
    """Recipients for a threat in Kazan: the FSB (in Russian), an authority's English desk
    and the public in Kazan (in English); the clock on the report's day."""
    clock.set(datetime(2024, 3, 10, 9, 0, tzinfo=UTC))
    wf.add_recipient(
        app,
        name="FSB (liaison)",
        kind="government",
        tier="adversary",
        language="ru",
        jurisdiction="RU",
        contacts=[Contact("liaison_note", "kazan-desk")],
    )
    wf.add_recipient(
        app,
        name="National Antiterrorism Committee (English desk)",
        kind="government",
        tier="neutral",
        language="en",
        jurisdiction="RU",
        contacts=[Contact("liaison_note", "nak-desk")],
    )
    wf.add_recipient(
        app,
        name="Public in Kazan",
        kind="public",
        tier="public",
        language="en",
        area_country="RU",
        area_city="Kazan",
        contacts=[Contact("public_feed", "ru-kazan")],
    )
    return app


def _ingest(app: wf.App, raw: bytes, language: str | None = None) -> wf.Ingested:
    prov = wf.Provenance(source="Partner service", reliability="B", language=language)
    return wf.ingest_bytes(app, raw, "kazan.txt", prov, actor="dana")


def _case(got: wf.Ingested) -> str:
    refs = [e.threat_ref for e in got.events if e.threat_ref]
    assert refs, "the Russian report should open a threat case"
    return refs[0]


def _facts(app: wf.App, case: str) -> dict[str, tuple[str, str]]:
    rows = casefile.case_file(app, case, None)["fact_rows"]
    first: dict[str, tuple[str, str]] = {}
    for r in rows:  # the first of each (the organisation before the people described)
        first.setdefault(r["label"], (r["value"], r["evidence"]))
    return first


def test_a_russian_report_is_stored_as_russian_with_its_facts_in_english(kazan: wf.App) -> None:
    got = _ingest(kazan, KAZAN_RU)
    assert (got.language, got.language_given) == ("ru", False)
    assert got.language_note == "in Russian (ru), identified from the text"
    report = wf.show(kazan, got.report_ref)
    assert (report["language"], report["language_label"]) == ("ru", "Russian (ru)")
    ingested = next(e for e in wf.audit_entries(kazan) if e["action"] == "report.ingested")
    details = json.loads(ingested["details"])
    assert (details["language"], details["language_from"]) == ("ru", "identified")

    case = _case(got)
    facts = _facts(kazan, case)
    # The values a reader of English needs; the evidence exactly as the report wrote it.
    place, where = facts["place"]
    assert place.startswith("Kazan, Tatarstan, Russia (RU)")
    assert "Казани" in where
    assert facts["actor"] == ("Islamic State of Iraq and the Levant", "ИГИЛ")
    assert facts["method"] == ("bombing", "взорвать")
    assert facts["target"] == ("concert", "концертном зале")
    assert facts["time"] == ("15 March 2024 (day)", "15 марта")
    for value, _evidence in facts.values():
        assert not CYRILLIC.search(value), value
    # The case's title, the queue and the inbox speak English too.
    file = casefile.case_file(kazan, case, None)
    assert file["title"] == "bombing against concert — Kazan"
    assert file["reports"][0]["language_label"] == "Russian (ru)"
    [row] = desk.inbox(kazan, None)
    assert row["language_label"] == "Russian (ru)"
    assert not CYRILLIC.search(row["events"][0]["summary"]), row["events"][0]["summary"]


def test_the_warnings_read_right_in_english_and_in_russian(
    kazan: wf.App, people: tuple[wf.Identity, wf.Identity]
) -> None:
    dana, _ = people
    case = _case(_ingest(kazan, KAZAN_RU))
    wf.decide(kazan, case, dana)
    drafts = {d.recipient: d for d in wf.propose_release(kazan, case, dana).drafts}

    fsb = drafts["FSB (liaison)"]
    assert fsb.language == "ru"
    assert "Место: Казань, Россия" in fsb.text
    assert "Способ: взрыв" in fsb.text

    team = drafts["National Antiterrorism Committee (English desk)"]
    assert team.language == "en"
    assert "Place: Kazan, Russia" in team.text
    assert "Method: bombing" in team.text
    assert "Targets: concerts and concert venues" in team.text
    assert "Time: on 15 March 2024" in team.text
    assert "Group: Islamic State of Iraq and the Levant" in team.text

    public = drafts["Public in Kazan"]
    assert public.subject == "Security Alert: Kazan, Russia"
    assert "Avoid concerts and concert venues." in public.text

    # Nothing English a recipient reads holds the report's Russian words.
    with kazan.read() as s:
        from tearline.store import tables as t

        for w in s.query(t.WarningRecord):
            english: dict[str, Any] = w.content["texts"]["en"]
            for key in ("subject", "text", "alert", "sms", "place"):
                assert not CYRILLIC.search(str(english[key])), (w.recipient.name, key)


def test_a_language_given_at_intake_wins_and_is_the_one_the_report_is_read_in(
    kazan: wf.App,
) -> None:
    # Not given: each paragraph is read in its own language, the Russian quote included.
    found = _ingest(kazan, COVER_NOTE)
    assert found.language_given is False
    assert [e.kind.value for e in found.events] == ["threat"]
    # Given as English: stored as English, and read as English, so the quote says nothing.
    again = _ingest(kazan, COVER_NOTE + b"\n", language="EN")
    assert (again.language, again.language_given) == ("en", True)
    assert again.events == []
    assert wf.show(kazan, again.report_ref)["language"] == "en"
    # A BCP 47 tag is taken by its language.
    tagged = _ingest(kazan, KAZAN_RU + b"\n", language="ru-RU")
    assert (tagged.language, tagged.language_given) == ("ru", True)
    assert tagged.language_note == "in Russian (ru), as given"
    assert [e.kind.value for e in tagged.events] == ["threat"]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", r"extraction does not read German \(de\); it reads English \(en\)"),
        ("ru!", "not a language code such as ru"),
    ],
)
def test_a_language_extraction_cannot_read_is_refused_and_nothing_stored(
    kazan: wf.App, language: str, message: str
) -> None:
    before = wf.counts(kazan)
    with pytest.raises(InputError, match=message):
        _ingest(kazan, KAZAN_RU, language=language)
    assert wf.counts(kazan) == before


def test_a_report_ingested_twice_keeps_the_language_it_was_stored_with(kazan: wf.App) -> None:
    first = _ingest(kazan, KAZAN_RU)
    again = _ingest(kazan, KAZAN_RU)
    assert again.duplicate
    assert (again.report_ref, again.language) == (first.report_ref, "ru")
