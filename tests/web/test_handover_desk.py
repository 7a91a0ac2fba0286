"""The liaison hand-over on the deliveries page: only a duty officer, only a liaison note
still awaiting its hand delivery, and once; anything else is refused with the reason."""

from __future__ import annotations

import time

from sqlalchemy import select

from tearline import workflow as wf
from tearline.store import tables as t
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Desk


def _released(desk: Desk) -> tuple[str, str]:
    """The demo case released; the refs of its liaison note and of another delivery."""
    app = desk.app
    threat = ingest_demo(app)
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    wf.decide(app, threat, dana)
    proposed = wf.propose_release(app, threat, dana)
    wf.approve_release(app, proposed.ref, wf.sign_in(app, "avery", PEOPLE["avery"][0]))
    with app.read() as s:
        rows = s.execute(select(t.Delivery.id, t.Delivery.channel)).all()
    note = next(f"DLV-{i}" for i, c in rows if c == "liaison_note")
    other = next(f"DLV-{i}" for i, c in rows if c != "liaison_note")
    return note, other


def test_a_duty_officer_records_the_hand_over_once(desk: Desk) -> None:
    note, other = _released(desk)
    dana = desk.client("dana")
    # The desk's worker writes the note in the background; wait for it (a hang guard only).
    deadline = time.monotonic() + 60
    board = dana.get("/deliveries").text
    while f'action="/deliveries/{note}/handed-over"' not in board:
        assert time.monotonic() < deadline, "the liaison note was never written"
        time.sleep(0.2)
        board = dana.get("/deliveries").text
    assert f'action="/deliveries/{other}/handed-over"' not in board

    # An analyst may not; the note still waits.
    ana = desk.client("ana")
    assert ana.post(f"/deliveries/{note}/handed-over", data={}).status_code == 403

    # Another channel is not handed over: the reason, and nothing changes.
    refused = dana.flash(dana.post(f"/deliveries/{other}/handed-over", data={}))
    assert refused.startswith("error: ")
    assert "only liaison notes are handed over" in refused

    said = dana.flash(
        dana.post(f"/deliveries/{note}/handed-over", data={"note": "to the FSB duty desk"})
    )
    assert said.startswith("ok: ")
    assert "delivered (handed over by dana: to the FSB duty desk)" in said
    assert f'action="/deliveries/{note}/handed-over"' not in dana.get("/deliveries").text

    again = dana.flash(dana.post(f"/deliveries/{note}/handed-over", data={}))
    assert "is delivered, not a note awaiting hand delivery" in again
    with desk.app.read() as s:
        row = s.get(t.Delivery, int(note.split("-")[1]))
        assert row is not None
        assert row.status == "delivered"
        assert row.receipt == "handed over by dana: to the FSB duty desk"
        handed = s.scalars(
            select(t.AuditEntry).where(t.AuditEntry.action == "delivery.handed_over")
        ).all()
        assert [(e.actor, e.subject) for e in handed] == [("dana", note)]
