"""The review of a public alert to a few hundred registered people: a step per warning and
channel with its count, not a row per person, and a chart that counts every delivery."""

from __future__ import annotations

from sqlalchemy import func, select

from tearline import workflow as wf
from tearline.demo.receiver import LoopbackReceiver
from tearline.store import tables as t
from tearline.workflow import after_action as aa
from tests.workflow.test_group_alerts import EN, RU, case, deliver_all, gateway, register, sms_app

__all__ = ["gateway", "sms_app"]  # the group-alert tests' fixtures, used here


def test_a_group_alert_is_a_few_rows_with_its_counts(
    sms_app: wf.App,
    people: tuple[wf.Identity, wf.Identity],
    gateway: tuple[LoopbackReceiver, str],
) -> None:
    app, (dana, avery) = sms_app, people
    register(app, RU + EN, gateway[1])
    threat = case(app)
    wf.decide(app, threat, dana)
    released = wf.approve_release(app, wf.propose_release(app, threat, dana).ref, avery)
    deliver_all(app)
    review = aa.case_review(app, threat, None)
    with app.read() as s:
        total = s.scalar(select(func.count()).select_from(t.Delivery))
        by_group = dict(
            s.execute(
                select(t.Delivery.warning_id, func.count())
                .where(t.Delivery.channel == "sms", t.Delivery.status == "delivered")
                .group_by(t.Delivery.warning_id)
            ).all()
        )
    assert total is not None
    assert total >= RU + EN
    steps = [e for e in review["lead_times"] if e["step"] == "delivery"]
    assert len(steps) < 3 * len(released.warnings)  # a row per warning and channel at most
    counted = {
        int(e["refs"][1].split("-")[1]): e.get("count", 1) for e in steps if e["channel"] == "sms"
    }
    assert counted == by_group  # RU and EN people, each alert's delivered count
    assert sum(counted.values()) == RU + EN
    charted = sum(v for b in review["chart"]["buckets"] for k, v in b.items() if k != "label")
    assert charted == total
    for e in steps:  # the first delivery of each group is named, and its audit entry
        assert e["audit"], e
