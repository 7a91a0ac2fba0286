"""A report in Russian at the desk: the inbox asks for the language (or identifies it), every
screen says which language a report is in, and a case's facts are in English beside the
Russian words they were read from."""

from __future__ import annotations

import re
from typing import cast

import lxml.html
from lxml.html import HtmlElement
from sqlalchemy import update

from tearline import workflow as wf
from tearline.demo.scenario import SECOND_PROVENANCE, second_report_text
from tearline.store import tables as t
from tests.web.conftest import ingest_demo
from tests.web.desk import Desk

# Written for these tests: ISIS cell members plan to bomb a concert hall in Kazan on 15 March.
KAZAN_RU = "Члены ячейки ИГИЛ планируют взорвать бомбу в концертном зале в Казани 15 марта.\n"
CYRILLIC = re.compile("[\u0400-\u04ff]")


def _find(node: HtmlElement, path: str) -> list[HtmlElement]:
    return cast(list[HtmlElement], node.xpath(path))


def _text(node: HtmlElement) -> str:
    return " ".join(node.text_content().split())


def _cells(rows: list[HtmlElement]) -> list[list[str]]:
    return [[_text(c) for c in _find(tr, "./th|./td")] for tr in rows]


def _fact_rows(html: str) -> dict[str, list[str]]:
    """The case's facts table: label → [value, evidence], as the page shows them (the
    first row of a label: the organisation before the people described)."""
    table = "//section[@id='facts']//table[contains(@class, 'facts')]/tbody/tr"
    first: dict[str, list[str]] = {}
    for row in _cells(_find(lxml.html.fromstring(html), table)):
        first.setdefault(row[0], row[1:])
    return first


def test_a_pasted_russian_report_is_stored_as_russian_and_shown_in_english(desk: Desk) -> None:
    ana = desk.client("ana")
    form = ana.get("/inbox").text
    assert '<option value="">identify from the text</option>' in form
    assert '<option value="ru">Russian (ru)</option>' in form
    r = ana.post(
        "/inbox",
        data={"text": KAZAN_RU, "title": "kazan.txt", "compartments": "CT", "language": ""},
    )
    message = ana.flash(r)
    assert message.startswith("ok: RPT-1 stored, in Russian (ru), identified from the text:")
    assert "THR-1 (new case)" in message

    report = ana.get("/reports/RPT-1").text
    assert re.search(r"<dt>Language</dt><dd[^>]*>Russian \(ru\)</dd>", report)
    assert 'lang="ru"' in report

    inbox = ana.get("/inbox").text
    assert "in Russian (ru)" in inbox
    [item] = _find(lxml.html.fromstring(inbox), "//table[@id='reports']//ul/li")
    summary = _text(item).split("→")[0]  # the event, before the case it is filed to
    assert "Kazan" in summary
    assert not CYRILLIC.search(summary), summary

    case = ana.get("/threats/THR-1").text
    facts = _fact_rows(case)
    value, evidence = facts["place"]
    assert value.startswith("Kazan, Tatarstan, Russia (RU)")
    assert "“Казани”" in evidence  # the words as the report wrote them
    assert facts["actor"][0] == "Islamic State of Iraq and the Levant"
    assert facts["actor"][1].startswith("“ИГИЛ”")
    assert facts["method"][0] == "bombing"
    assert facts["time"][0] == "15 March 2024 (day)"
    assert "in Russian (ru)" in case


def test_a_case_shows_the_russian_report_that_corroborates_it_beside_its_words(
    desk: Desk,
) -> None:
    case = ingest_demo(desk.app)
    wf.ingest_bytes(desk.app, second_report_text(), "ru.txt", SECOND_PROVENANCE, actor="ana")
    page = desk.client("ana").get(f"/threats/{case}").text
    root = lxml.html.fromstring(page)
    english, russian = _find(root, "//details[contains(@class, 'report-facts')]")
    assert english.get("open") is None  # the liaison report's facts are the case's own
    [summary] = _find(russian, "./summary")
    assert _text(summary) == "Facts read from RPT-2: in English, beside its words in Russian (ru)"
    assert russian.get("open") is not None
    rows = _cells(_find(russian, ".//tbody/tr"))
    assert ["actor", "ISIL Khorasan", "“ИГИЛ-Хорасан”"] in rows
    assert ["target", "concert", "“концерты”"] in rows
    assert "confirmed by 1 other independent source(s)" in page


def test_the_api_takes_the_language_and_refuses_one_it_cannot_read(desk: Desk) -> None:
    ana = desk.client("ana")
    r = ana.api(
        "POST", "/api/reports", {"content": KAZAN_RU, "language": "ru", "compartments": ["CT"]}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["language"], body["language_given"]) == ("ru", True)
    assert "in Russian (ru), as given" in body["message"]
    shown = ana.get(f"/api/reports/{body['report']}").json()
    assert (shown["language"], shown["language_label"]) == ("ru", "Russian (ru)")
    assert ana.get("/api/reports").json()[0]["language"] == "ru"
    refused = ana.api("POST", "/api/reports", {"content": "Ein Anschlag.", "language": "de"})
    assert refused.status_code == 422
    assert "extraction does not read German (de)" in refused.json()["error"]
    assert len(ana.get("/api/reports").json()) == 1


def test_a_report_stored_before_languages_were_recorded_says_so(desk: Desk) -> None:
    got = wf.ingest_bytes(
        desk.app, KAZAN_RU.encode(), "kazan.txt", wf.Provenance(compartments=("CT",)), "ana"
    )
    with desk.app.unit() as u:  # as migration 0006 leaves a report stored before it
        u.session.execute(update(t.Report).values(language=None))
    page = desk.client("ana").get(f"/reports/{got.report_ref}").text
    assert re.search(r"<dt>Language</dt><dd[^>]*>not recorded</dd>", page)
    assert 'lang="' not in page.split("<h2>Text</h2>")[1]
