"""A Russian report in a real browser (Debian's Chromium): the analyst pastes it without
saying its language, the desk says it is Russian, and the case shows its facts in English
with the Russian words beside them, highlighted in the text on a click."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.web.browser import browser, flash, shot, sign_in
from tests.web.desk import PEOPLE, Desk

__all__ = ["browser"]

# Written for this test: ISIS cell members plan to bomb a concert hall in Kazan on 15 March.
KAZAN_RU = "Члены ячейки ИГИЛ планируют взорвать бомбу в концертном зале в Казани 15 марта.\n"


def test_a_russian_report_in_chromium(browser: Browser, sqlite_desk: Desk) -> None:
    base = sqlite_desk.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, base, "ana", PEOPLE["ana"][0])
        page.goto(f"{base}/inbox")
        expect(page.locator("#language option:checked")).to_have_text("identify from the text")
        page.fill("#text", KAZAN_RU)
        page.fill("#title", "kazan-ru.txt")
        page.check("input[name=compartments][value=CT]")
        with page.expect_navigation():
            page.click("#ingest-form button[type=submit]")
        assert "RPT-1 stored, in Russian (ru), identified from the text" in flash(page)
        expect(page.locator("dd.report-language")).to_have_text("Russian (ru)")
        expect(page.locator("pre.report-text")).to_have_attribute("lang", "ru")

        page.goto(f"{base}/threats/THR-1")
        place = page.locator("#facts table.facts tr", has_text="place")
        expect(place).to_contain_text("Kazan, Tatarstan, Russia (RU) — city")
        expect(place).to_contain_text("“Казани”")
        place.locator("a.fact-link").click()
        active = page.locator("mark.fact.active")
        expect(active).to_have_count(1)
        assert active.inner_text() == "Казани"
        # the first actor row: the organisation (the people described come after it)
        expect(page.locator("#facts table.facts tr", has_text="actor").first).to_contain_text(
            "Islamic State of Iraq and the Levant"
        )
        shot(page, "20-russian-report")
    finally:
        context.close()
