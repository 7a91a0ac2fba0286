"""The deliveries board stays small however many deliveries a warning has: counts come
from the database, a warning lists the few deliveries that need attention, and the
warnings come a page at a time (the API and the desk page alike)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tearline import workflow as wf
from tearline.store import tables as t
from tests.web.conftest import ingest_demo, start_desk
from tests.web.desk import PEOPLE


def test_a_warning_with_thousands_of_deliveries_is_counted_not_listed(
    sqlite_app: wf.App,
) -> None:
    app = sqlite_app
    desk = start_desk(app, worker=False)  # nothing sends: the rows stay as written
    try:
        threat = ingest_demo(app)
        dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
        wf.decide(app, threat, dana)
        proposed = wf.propose_release(app, threat, dana)
        wf.approve_release(app, proposed.ref, wf.sign_in(app, "avery", PEOPLE["avery"][0]))
        with app.unit() as u:  # a public alert by SMS to 3,000 people: 2 failed for good
            first = u.session.scalar(select(func.min(t.WarningRecord.id)))
            for i in range(3000):
                status = "dead" if i in (17, 2900) else "delivered"
                done = u.now + timedelta(seconds=i) if status == "delivered" else None
                u.session.add(
                    t.Delivery(
                        warning_id=first,
                        channel="sms",
                        address=f"+7916{i:07d}",
                        idempotency_key=f"bulk-{i}",
                        status=status,
                        attempts=1,
                        next_attempt_at=u.now,
                        created_at=u.now,
                        delivered_at=done,
                        last_error="gateway said: unknown number" if status == "dead" else None,
                    )
                )
        dana_desk = desk.client("dana")
        board = dana_desk.get("/api/deliveries?per_page=1").json()
        assert (board["page"], board["per_page"]) == (1, 1)
        assert board["warnings_total"] == len(proposed.drafts)
        assert board["pages"] == len(proposed.drafts)
        older = dana_desk.get(f"/api/deliveries?per_page=1&page={board['pages']}").json()
        card = next(
            w for w in [*board["warnings"], *older["warnings"]] if w["ref"] == f"WRN-{first}"
        )
        assert card["deliveries_total"] >= 3000
        assert card["delivery_counts"]["delivered"] == 2998
        assert card["delivery_counts"]["dead"] == 2
        assert len(card["deliveries"]) == 10
        dead = [d for d in card["deliveries"] if d["status"] == "dead"]
        assert len(dead) == 2  # those needing attention are listed first
        assert all(d["last_error"] == "gateway said: unknown number" for d in dead)
        assert board["delivery_counts"]["delivered"] >= 2998  # every visible warning
        page = dana_desk.get("/deliveries")
        assert page.status_code == 200
        assert "10 of 30" in page.text  # "10 of 3001 deliveries listed, …"
        assert "deliveries listed, those needing attention first" in page.text
        assert page.text.count("data-delivery=") < 100  # not 3,000 table rows
        rows = dana_desk.get("/deliveries/rows?page=1")
        assert rows.status_code == 200
        assert rows.text.count("data-delivery=") < 100
    finally:
        desk.stop()
