"""The desk's Release page for a recipient whose language Tearline does not write: the
proposal asks (the officer's choice of English, the country's language or hold), and the
page then says beside the warning what it is written in and why (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import update

from tearline import workflow as wf
from tearline.store import tables as t
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Desk

LIAISON = "Russian Federation (liaison)"


def test_the_release_page_asks_and_then_says_the_language(desk: Desk) -> None:
    app = desk.app
    threat = ingest_demo(app)
    wf.decide(app, threat, wf.sign_in(app, "dana", PEOPLE["dana"][0]))
    with app.unit() as u:
        u.session.execute(
            update(t.Recipient).where(t.Recipient.name == LIAISON).values(language="ja")
        )
    dana = desk.client("dana")
    page = dana.get(f"/threats/{threat}/release").text
    assert 'name="language_fallback"' in page
    assert '<label for="language-fallback">' in page
    asked = dana.flash(dana.post(f"/threats/{threat}/release"))
    assert asked.startswith("error:")
    assert "日本語 (ja)" in asked
    assert "hold" in asked
    done = dana.flash(dana.post(f"/threats/{threat}/release", {"language_fallback": "english"}))
    assert done.startswith("ok:")
    page = dana.get(f"/threats/{threat}/release").text
    assert "no warning phrases in 日本語 (ja): written in English (en) (choice: english)" in page
    held = dana.flash(dana.post(f"/threats/{threat}/release", {"language_fallback": "hold"}))
    assert held.startswith("ok:")
    page = dana.get(f"/threats/{threat}/release").text
    assert f"Held, no warning drafted: {LIAISON} (RCP-" in page
