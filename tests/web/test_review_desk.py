"""The after-action review in the desk: its pages, its JSON, its audited PDF, the
compartment rule, and the pages on a phone and a laptop in Chromium."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from pypdf import PdfReader
from sqlalchemy import select

from tearline import workflow as wf
from tearline.demo.scenario import CODE_WORD, METHODS, SOURCE
from tearline.store import tables as t
from tearline.workflow import after_action as aa
from tests.web.browser import browser, shot, sign_in
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Desk

__all__ = ["browser"]  # the module-scoped Chromium fixture, used below

PROTECTED = (SOURCE, CODE_WORD, *METHODS)


def _released_case(desk: Desk) -> str:
    """The demo case, decided by dana and released by avery, through the workflow."""
    ref = ingest_demo(desk.app)
    dana = wf.sign_in(desk.app, "dana", PEOPLE["dana"][0])
    avery = wf.sign_in(desk.app, "avery", PEOPLE["avery"][0])
    wf.decide(desk.app, ref, dana)
    proposed = wf.propose_release(desk.app, ref, dana)
    wf.approve_release(desk.app, proposed.ref, avery)
    return ref


def _exports(desk: Desk) -> list[tuple[str, str, dict[str, object]]]:
    with desk.app.read() as s:
        rows = s.scalars(select(t.AuditEntry).where(t.AuditEntry.action == "review.exported"))
        return [(e.actor, e.subject, json.loads(e.details)) for e in rows]


def test_the_review_pages_json_and_audited_pdf(desk: Desk) -> None:
    ref = _released_case(desk)
    dana = desk.client("dana")
    page = dana.get(f"/threats/{ref}/review")
    assert page.status_code == 200
    html = page.text
    for heading in ("Lead times", "Who heeded", "Waivers, parity flags", "Deliveries over time"):
        assert heading in html, heading
    assert html.count('<svg class="chart"') == 4
    assert 'aria-current="page">Review</a>' in html
    for term in PROTECTED:
        assert term not in html
    data = dana.api("GET", f"/api/review/{ref}").json()
    steps = [e["step"] for e in data["lead_times"]]
    assert steps[:2] == ["determination", "release_approval"]
    assert all(e["audit"] for e in data["lead_times"])
    assert _exports(desk) == []  # reading the page or the JSON is not an export
    pdf = dana.get(f"/threats/{ref}/review.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert ref in text
    assert "Lead time" in " ".join(text.split())
    exported = _exports(desk)
    assert [(actor, subject, d["format"]) for actor, subject, d in exported] == [
        ("dana", ref, "pdf")
    ]
    period = dana.get("/review?from=2000-01-01").text
    assert f'href="/threats/{ref}/review"' in period
    refused = dana.get("/review?from=not-a-date")
    assert refused.status_code == 422
    assert "from" in refused.text


def test_a_viewer_outside_the_compartment_sees_none_of_it(desk: Desk) -> None:
    ref = _released_case(desk)
    otto = desk.client("otto")  # every role, no CT compartment
    assert otto.get(f"/threats/{ref}/review").status_code == 404
    assert otto.get(f"/threats/{ref}/review.pdf").status_code == 404
    assert otto.api("GET", f"/api/review/{ref}").status_code == 404
    assert ref not in otto.get("/review").text
    assert otto.api("GET", "/api/review").json()["cases"] == []
    pdf = otto.get("/review.pdf")
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert ref not in text
    assert "No case in this period" in " ".join(text.split())


@pytest.mark.slow
def test_the_review_fits_a_phone_and_a_laptop(
    browser: Browser, sqlite_desk: Desk, tmp_path: Path
) -> None:
    ref = _released_case(sqlite_desk)
    exported = tmp_path / "review.html"  # the file `tearline review` writes, opened as is
    exported.write_bytes(aa.export_review(sqlite_desk.app, None, "html", by="aude", threat_ref=ref))
    errors: list[str] = []
    for width in (390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        sign_in(page, sqlite_desk.url, "dana", PEOPLE["dana"][0])
        for path in (f"/threats/{ref}/review", "/review", exported.as_uri()):
            page.goto(path if path.startswith("file:") else sqlite_desk.url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (path, width, overflow)
            chart = page.locator("svg.chart").first
            assert chart.is_visible()
            assert chart.bounding_box()["width"] <= width  # type: ignore[index]
            assert page.get_by_role("img", name="Deliveries by hour and status").count() == 1
        shot(page, f"review-{width}")
        context.close()
        assert errors == [], errors  # no CSP violation from the charts
