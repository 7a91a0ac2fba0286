"""The recipient's reply page in Chromium, at a phone's width and by keyboard alone: the
warning's lines kept as lines, no sideways scrolling, and the three answers a recipient
gives most — acknowledged, disputed with a reason, more information asked — each
recorded on the case, a dispute without a reason refused with the typed text kept."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tearline import workflow as wf
from tearline.deliver.replies import issue_token
from tearline.store import tables as t
from tearline.workflow.replies import reply_key
from tests.web.browser import browser, shot
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Desk

__all__ = ["browser"]


def _reply_link(desk: Desk) -> tuple[str, int]:
    """A released warning's reply link for its first delivery, and that delivery's id."""
    app = desk.app
    threat = ingest_demo(app)
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    avery = wf.sign_in(app, "avery", PEOPLE["avery"][0])
    wf.decide(app, threat, dana)
    wf.approve_release(app, wf.propose_release(app, threat, dana).ref, avery)
    with app.read() as s:
        d = s.scalars(
            select(t.Delivery).where(t.Delivery.channel != "public_feed").order_by(t.Delivery.id)
        ).first()
        assert d is not None
        w = s.get(t.WarningRecord, d.warning_id)
        assert w is not None
        token = issue_token(reply_key(app), d.id, w.valid_until + timedelta(days=30))
        return f"{desk.url}/reply/{token}", d.id


def _answer_by_keyboard(page: Page, kind: str, note: str) -> None:
    """Tab to the answer's radio button, tick it with Space, type, send with Enter."""
    page.locator("body").focus()
    for _ in range(60):  # Tab through the page until the radio button has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "kind":
            break
    for _ in range(10):  # the arrow keys move within the group
        if page.evaluate("document.activeElement.value") == kind:
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # to the text
    assert page.evaluate("document.activeElement.id") == "note"
    page.keyboard.type(note)
    page.keyboard.press("Tab")  # to the button
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_reply_page_on_a_phone_by_keyboard(browser: Browser, sqlite_desk: Desk) -> None:
    link, delivery = _reply_link(sqlite_desk)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(link)
        expect(page.locator("h1")).to_be_visible()
        body = page.locator("section.warning-body")
        lines = body.inner_text().splitlines()
        # each fact on a line of its own, as the warning was written
        assert any(x.startswith("Place:") for x in lines), lines
        assert any(x.startswith("Time:") for x in lines), lines
        assert any(x.startswith("Reference:") for x in lines), lines
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide at 390"
        shot(page, "reply-390")

        _answer_by_keyboard(page, "disputed", "")
        expect(page.locator("#reply-error")).to_contain_text("say why you dispute")
        _answer_by_keyboard(page, "disputed", "We see no such plan.")
        expect(page.locator("[role=status]")).to_contain_text("We dispute or dismiss it")
        _answer_by_keyboard(page, "more_info", "Which entrances?")
        expect(page.locator("[role=status]")).to_contain_text("We need more information")
        _answer_by_keyboard(page, "received", "")
        expect(page.locator("[role=status]")).to_contain_text("Received")
        expect(page.locator("ul.answered li")).to_have_count(3)
        shot(page, "reply-answered-390")
    finally:
        context.close()
    with sqlite_desk.app.read() as s:
        got = s.execute(
            select(t.Response.kind, t.Response.note)
            .where(t.Response.delivery_id == delivery)
            .order_by(t.Response.id)
        ).all()
    assert [tuple(r) for r in got] == [
        ("disputed", "We see no such plan."),
        ("more_info", "Which entrances?"),
        ("received", ""),
    ]
