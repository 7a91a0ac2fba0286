"""/metrics in Prometheus's text format: what the outbox holds and how long the oldest
delivery has waited, read back with Prometheus's own parser; counts only, and served to
the machine itself or to admins and auditors."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.web.metrics import may_read_metrics
from tearline.workflow.users import Role
from tests.web.conftest import ingest_demo, start_desk
from tests.web.desk import PEOPLE


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_the_outbox_and_the_oldest_wait_are_scraped(sqlite_app: wf.App) -> None:
    app = sqlite_app
    assert isinstance(app.clock, FixedClock)
    desk = start_desk(app, worker=False)  # nothing sends: the deliveries stay pending
    try:
        threat = ingest_demo(app)
        dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
        wf.decide(app, threat, dana)
        proposed = wf.propose_release(app, threat, dana)
        released = wf.approve_release(
            app, proposed.ref, wf.sign_in(app, "avery", PEOPLE["avery"][0])
        )
        app.clock.advance(timedelta(minutes=7))
        scraped = desk.client().get("/metrics")  # anonymous, from this machine
        assert scraped.status_code == 200
        assert scraped.headers["content-type"].startswith("text/plain")
        got = _samples(scraped.text)
        assert got[("tearline_deliveries", (("status", "pending"),))] == released.deliveries
        assert got[("tearline_deliveries", (("status", "dead"),))] == 0
        assert got[("tearline_oldest_pending_delivery_seconds", ())] == 7 * 60
        assert got[("tearline_warnings_released_total", ())] == len(released.warnings)
        assert ("tearline_embedded_worker_up", ()) not in got  # this desk runs none
        assert "Moscow" not in scraped.text
        assert "PINE HARBOUR" not in scraped.text
    finally:
        desk.stop()


def test_the_embedded_worker_is_reported_up(sqlite_app: wf.App) -> None:
    desk = start_desk(sqlite_app)
    try:
        got = _samples(desk.client().get("/metrics").text)
        assert got[("tearline_embedded_worker_up", ())] == 1
    finally:
        desk.stop()


def test_only_this_machine_admins_and_auditors_may_read_them() -> None:
    assert may_read_metrics("127.0.0.1", frozenset())
    assert may_read_metrics("::1", frozenset())
    assert not may_read_metrics("203.0.113.9", frozenset())
    assert not may_read_metrics("203.0.113.9", frozenset({Role.DUTY_OFFICER, Role.ANALYST}))
    assert may_read_metrics("203.0.113.9", frozenset({Role.AUDITOR}))
    assert may_read_metrics("203.0.113.9", frozenset({Role.ADMIN}))
    assert not may_read_metrics(None, frozenset())
