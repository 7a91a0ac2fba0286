"""A public alert from the feed checked by a citizen: each feed entry links to "Verify this
alert", a page that checks the published signature on the server and says each step —
the signed file, the key its header names, that key among the published ones, the
signature — with nothing to run in the browser (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import feedparser

from tearline import workflow as wf
from tearline.workflow.worker import channels_for
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Desk


def _published(desk: Desk) -> None:
    app = desk.app
    threat = ingest_demo(app)
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    avery = wf.sign_in(app, "avery", PEOPLE["avery"][0])
    wf.decide(app, threat, dana)
    wf.approve_release(app, wf.propose_release(app, threat, dana).ref, avery)
    wf.run_worker(app, channels_for(app), once=True)


def test_a_feed_entry_is_verified_step_by_step(desk: Desk) -> None:
    _published(desk)
    visitor = desk.client()
    feed = feedparser.parse(visitor.get("/feed.atom").text)
    (entry,) = feed.entries
    (link,) = [x for x in entry.links if x.get("title") == "Verify this alert"]
    assert link["type"] == "text/html"
    ref = re.search(r"WRN-\d+", link["href"])
    assert ref is not None
    path = link["href"].split("://", 1)[1].split("/", 1)[1]
    page = visitor.get("/" + path)
    assert page.status_code == 200
    html = page.text
    assert "✓ Authentic" in html
    steps = re.findall(r"<li><strong>([^<]+)</strong>: ([^<]+)", html.split('id="verify-steps"')[1])
    assert [s[0] for s in steps] == [
        "The alert as it was signed",
        "The key its header names",
        "That key among the sender&#39;s published keys",
        "The signature checked with that key",
    ]
    assert "(Ed25519)" in steps[1][1]
    assert steps[2][1].strip().startswith("found")
    assert steps[3][1].startswith("it matches")
    assert (
        f'href="{desk.url}/feed/{ref.group(0)}.jws"' in html or f"/feed/{ref.group(0)}.jws" in html
    )


def test_an_alert_not_published_is_said_so(desk: Desk) -> None:
    visitor = desk.client()
    for asked in ("WRN-999", "<script>alert(1)</script>"):
        page = visitor.get("/verify", params={"warning": asked})
        assert page.status_code == 404
        assert "Not verified" in page.text
        assert "<script>alert(1)" not in page.text
