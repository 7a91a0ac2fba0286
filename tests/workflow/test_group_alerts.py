"""Group alerts: the registered people at risk in Moscow warned by one public alert per
language, delivered to each person's phone through a loopback SMS gateway."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import func, select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.demo.receiver import LoopbackReceiver
from tearline.demo.scenario import report_text
from tearline.display import PEOPLE_SHOWN, print_determination
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.workflow import group_alerts
from tearline.workflow.board import deliveries_board
from tearline.workflow.replies import reply_by_sms
from tearline.workflow.responses import check_due
from tearline.workflow.worker import channels_for
from tests.factories import add_moscow_recipients
from tests.workflow.conftest import PROVENANCE

RU, EN = 160, 80  # a few hundred people, in two languages
WEBHOOKS = 40  # every 40th person has a webhook too


def person(i: int, language: str) -> dict[str, Any]:
    return {
        "name": f"Zinaida Kuznetsova-{i}",
        "kind": "person",
        "tier": "public",
        "language": language,
        "contacts": [{"channel": "sms", "address": phone(i)}],
        # within a km of Crocus City Hall, the demo's venue (data/venues.toml)
        "home": {"lat": 55.8218 + (i % 40) * 0.0002, "lon": 37.3883 + (i // 40) * 0.0004},
    }


def hook(base: str, i: int) -> str:
    return f"{base}/people/{i}"


def phone(i: int) -> str:
    return f"+7916{i:07d}"


@pytest.fixture
def gateway() -> Iterator[tuple[LoopbackReceiver, str]]:
    r = LoopbackReceiver()
    url = r.start()
    yield r, url
    r.stop()


@pytest.fixture
def sms_app(
    app: wf.App, gateway: tuple[LoopbackReceiver, str], monkeypatch: pytest.MonkeyPatch
) -> wf.App:
    """The test's App, with the loopback receiver as its SMS gateway; people are read in
    chunks of 64 (not thousands), so that a few hundred take several chunks."""
    monkeypatch.setattr(group_alerts, "_CHUNK", 64)
    _, url = gateway
    settings = load_settings(
        {
            "home": str(app.home),
            "database_url": app.db.url,
            "sender": "Test agency",
            "sms_gateway_url": f"{url}/sms",
        },
        environ={},
    )
    return wf.App(settings, clock=app.clock, database=app.db)


def register(app: wf.App, people: int, webhook: str) -> None:
    rows = [person(i, "ru" if i < RU else "en") for i in range(people)]
    for i, row in enumerate(rows[::WEBHOOKS]):  # a few also take warnings by webhook
        row["contacts"] = [*row["contacts"], {"channel": "webhook", "address": hook(webhook, i)}]
    wf.import_recipients(app, json.dumps(rows).encode(), "json", actor="dana")
    add_moscow_recipients(app, webhook)


def case(app: wf.App) -> str:
    ingested = wf.ingest_bytes(app, report_text(), "moscow.txt", PROVENANCE, actor="dana")
    threat = next(e.threat_ref for e in ingested.events if e.threat_ref)
    assert threat is not None
    return threat


def run_cli(app: wf.App, *args: str) -> subprocess.CompletedProcess[str]:
    """The command as an officer runs it, in its own process."""
    env = {
        **os.environ,
        "TEARLINE_HOME": str(app.home),
        "TEARLINE_DATABASE_URL": app.db.url,
        "COLUMNS": "220",
    }
    command = [sys.executable, "-m", "tearline", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def deliver_all(app: wf.App) -> None:
    """Run the worker until nothing waits: a send a loaded machine timed out is retried."""
    for _ in range(6):
        wf.run_worker(app, channels_for(app), once=True)
        with app.read() as s:
            waiting = s.scalar(
                select(func.count()).select_from(t.Delivery).where(t.Delivery.status == "pending")
            )
        if not waiting:
            return
        clock = app.clock
        assert isinstance(clock, FixedClock)
        clock.advance(timedelta(hours=1))  # past any retry's back-off


def test_a_public_alert_per_language_reaches_every_person(
    sms_app: wf.App,
    people: tuple[wf.Identity, wf.Identity],
    gateway: tuple[LoopbackReceiver, str],
) -> None:
    app, (dana, avery), (r, url) = sms_app, people, gateway
    register(app, RU + EN, url)
    threat = case(app)
    decided = wf.decide(app, threat, dana)
    console = Console(record=True, width=200, file=io.StringIO())
    print_determination(console, decided)  # what `tearline decide` prints
    assert f"… {RU + EN - PEOPLE_SHOWN} more people" in console.export_text()  # not 240 rows
    entry = next(e for e in wf.audit_entries(app, limit=50) if e["action"] == "determination.warn")
    recorded = json.loads(entry["details"])
    assert recorded["at_risk_people"]["count"] == RU + EN  # counted and digested, not listed
    assert len(recorded["recipients"]) == 2  # the liaison and the public in Moscow
    proposed = wf.propose_release(app, threat, dana)
    assert proposed.preview.audience == (
        f"public alert to {RU + EN} people in 2 languages (ru {RU}, en {EN})"
    )
    addressed = [d for d in proposed.drafts if d.recipient.startswith("People registered")]
    assert len(addressed) == 2  # one per language, not one per person
    assert len(proposed.drafts) == 2 + 2  # beside the liaison and the public in Moscow
    shown = run_cli(app, "preview", proposed.ref)
    assert shown.returncode == 0, shown.stderr
    words = " ".join(shown.stdout.split())  # however wide the terminal wraps it
    assert f"public alert to {RU + EN} people in 2 languages (ru {RU}, en {EN})" in words
    assert "Kuznetsova" not in shown.stdout
    released = wf.approve_release(app, proposed.ref, avery)
    assert released.deliveries >= RU + EN
    deliver_all(app)

    sms = [p for p in r.posts if p.path == "/sms"]
    assert {p.body["to"] for p in sms} == {phone(i) for i in range(RU + EN)}
    # the warning, how to answer, and the reply page's short link, to each phone
    assert len(sms) == 3 * (RU + EN)
    assert {p.path for p in r.posts} >= {"/alerts"}  # the public in Moscow as before
    hooks = [p for p in r.posts if p.path.startswith("/people/")]
    assert len(hooks) == len(range(0, RU + EN, WEBHOOKS))
    assert all(p.signature and "v1=" in p.signature for p in hooks)  # signed with their secret
    assert all("Kuznetsova" not in json.dumps(p.body, ensure_ascii=False) for p in hooks)
    with app.read() as s:
        groups = s.scalars(
            select(t.WarningRecord).join(t.Recipient).where(t.Recipient.kind == "group")
        ).all()
        assert {w.content["recipient"]["name"] for w in groups} == {
            f"People registered in the area of Moscow ({EN})",
            f"People registered in the area of Moscow ({RU})",
        }
        assert sorted(w.content["language"] for w in groups) == ["en", "ru"]
        ids = {
            rid for (rid,) in s.execute(select(t.Recipient.id).where(t.Recipient.kind == "person"))
        }
        delivered = s.execute(
            select(t.Delivery.recipient_id, t.Delivery.status).where(
                t.Delivery.warning_id.in_([w.id for w in groups])
            )
        ).all()
        assert {rid for rid, _ in delivered} == ids
        assert {status for _, status in delivered} == {"delivered"}
        own = s.scalar(
            select(func.count())
            .select_from(t.WarningRecord)
            .where(t.WarningRecord.recipient_id.in_(ids))
        )
        assert own == 0  # nobody got a warning of their own
        artifacts = [json.dumps([w.content, w.artifacts], ensure_ascii=False) for w in groups]
    record = wf.show(app, f"WRN-{groups[0].id}", dana)
    assert record["deliveries"] == []  # one per person: counted, not listed
    assert list(record["delivery_counts"]) == ["delivered"]
    assert record["delivery_counts"]["delivered"] >= EN
    audit = json.dumps(wf.audit_entries(app, limit=1000), ensure_ascii=False, default=str)
    for text in [*artifacts, audit]:
        assert "Kuznetsova" not in text
        assert "+7916" not in text
    assert all("Kuznetsova" not in p.body.get("text", "") for p in sms)


def test_a_reply_through_a_group_alert_is_that_persons_answer(
    sms_app: wf.App,
    people: tuple[wf.Identity, wf.Identity],
    gateway: tuple[LoopbackReceiver, str],
) -> None:
    app, (dana, avery), (_, url) = sms_app, people, gateway
    register(app, RU + EN, url)
    threat = case(app)
    wf.decide(app, threat, dana)
    wf.approve_release(app, wf.propose_release(app, threat, dana).ref, avery)
    deliver_all(app)

    answered = reply_by_sms(app, phone(RU + 3), "2")
    assert answered.kind.value == "acting"
    with app.read() as s:
        response = s.scalars(select(t.Response)).one()
        delivery = s.get(t.Delivery, response.delivery_id)
        assert delivery is not None
        who = s.get(t.Recipient, delivery.recipient_id)
        assert who is not None
        assert who.name == f"Zinaida Kuznetsova-{RU + 3}"
        who_ref = f"RCP-{who.id}"
    entry = next(e for e in wf.audit_entries(app, limit=50) if e["action"] == "response.recorded")
    details = json.loads(entry["details"])
    assert details["person"] == who_ref  # the person's ID, never the name or number
    assert "Kuznetsova" not in entry["details"]
    assert "+7916" not in entry["details"]
    # Officers see whose answer it is, on the desk's board and in the case's record.
    board = deliveries_board(app, dana)["warnings"]
    (answered_row,) = [row for row in board if row["responses"]]
    assert answered_row["responses"][0]["person"] == f"Zinaida Kuznetsova-{RU + 3} ({who_ref})"
    (case_answer,) = wf.show(app, threat, dana)["responses"]
    assert case_answer["person"] == f"Zinaida Kuznetsova-{RU + 3} ({who_ref})"
    # A public alert expects no acknowledgement from each person: hours of silence from
    # 239 people escalate nothing (the liaison's own silence still may).
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(hours=3))
    check_due(app)
    with app.read() as s:
        unanswered = s.scalars(
            select(t.Escalation.rule)
            .join(t.WarningRecord, t.WarningRecord.id == t.Escalation.warning_id)
            .join(t.Recipient, t.Recipient.id == t.WarningRecord.recipient_id)
            .where(t.Recipient.kind == "group")
        ).all()
    assert unanswered == []


def test_below_the_threshold_each_person_gets_a_warning_of_their_own(
    sms_app: wf.App,
    people: tuple[wf.Identity, wf.Identity],
    gateway: tuple[LoopbackReceiver, str],
) -> None:
    app, (dana, avery), (r, url) = sms_app, people, gateway
    register(app, 12, url)
    threat = case(app)
    wf.decide(app, threat, dana)
    proposed = wf.propose_release(app, threat, dana)
    assert proposed.preview.audience == ""
    assert not any(d.recipient.startswith("People registered") for d in proposed.drafts)
    assert sum(d.recipient.startswith("Zinaida") for d in proposed.drafts) == 12
    wf.approve_release(app, proposed.ref, avery)
    deliver_all(app)
    assert len({p.body["to"] for p in r.posts if p.path == "/sms"}) == 12


def test_people_the_gateway_refuses_are_one_dead_letter_per_alert(
    sms_app: wf.App,
    people: tuple[wf.Identity, wf.Identity],
    gateway: tuple[LoopbackReceiver, str],
) -> None:
    app, (dana, avery), (r, url) = sms_app, people, gateway
    register(app, RU + EN, url)
    threat = case(app)
    wf.decide(app, threat, dana)
    wf.approve_release(app, wf.propose_release(app, threat, dana).ref, avery)
    r.status = 400  # the gateway refuses every number: each delivery fails for good
    wf.run_worker(app, channels_for(app), once=True)
    check_due(app)  # the timers too see one dead letter per alert, not one per person
    with app.read() as s:
        groups = s.scalars(
            select(t.WarningRecord.id).join(t.Recipient).where(t.Recipient.kind == "group")
        ).all()
        statuses = dict(
            s.execute(
                select(t.Delivery.status, func.count())
                .where(t.Delivery.warning_id.in_(groups))
                .group_by(t.Delivery.status)
            ).all()
        )
        # dead letters, bar any a loaded machine timed out (those wait for their retry)
        assert statuses.get("dead", 0) > RU
        assert set(statuses) <= {"dead", "pending"}
        proposed = s.execute(
            select(t.Escalation.warning_id, t.Escalation.action).where(
                t.Escalation.warning_id.in_(groups), t.Escalation.rule == "dead-letter"
            )
        ).all()
    actions = {action for _, action in proposed}
    assert actions  # the duty officer hears of it ...
    assert len(proposed) == len(groups) * len(actions)  # ... once per alert and action


def test_the_all_clear_reaches_the_people_the_alert_reached(
    sms_app: wf.App,
    people: tuple[wf.Identity, wf.Identity],
    gateway: tuple[LoopbackReceiver, str],
) -> None:
    app, (dana, avery), (r, url) = sms_app, people, gateway
    register(app, RU + EN, url)
    threat = case(app)
    wf.decide(app, threat, dana)
    wf.approve_release(app, wf.propose_release(app, threat, dana).ref, avery)
    deliver_all(app)
    r.posts.clear()
    ended = wf.propose_end(
        app, threat, dana, all_clear=True, reason="The plotters were arrested this morning."
    )
    groups = [d for d in ended.drafts if d.recipient.startswith("People registered")]
    assert [d.kind for d in groups] == ["all_clear", "all_clear"]
    # Addressed as the alert was: the area and how many people, not the group's own row.
    assert {d.recipient for d in groups} == {
        f"People registered in the area of Moscow ({EN})",
        f"People registered in the area of Moscow ({RU})",
    }
    assert ended.preview.audience == (
        f"public alert to {RU + EN} people in 2 languages (ru {RU}, en {EN})"
    )
    wf.approve_release(app, ended.ref, avery)
    with app.read() as s:
        persons = set(s.scalars(select(t.Recipient.id).where(t.Recipient.kind == "person")))
        queued = s.scalars(
            select(t.Delivery.recipient_id)
            .join(t.WarningRecord)
            .where(t.WarningRecord.release_id == int(ended.ref.split("-")[1]))
        ).all()
        assert set(queued) - {None} == persons  # everyone the alert reached
    deliver_all(app)
    sms = {p.body["to"] for p in r.posts if p.path == "/sms"}
    assert sms == {phone(i) for i in range(RU + EN)}


def test_an_officer_adjusting_a_group_alert_keeps_its_count_of_people(
    sms_app: wf.App,
    people: tuple[wf.Identity, wf.Identity],
    gateway: tuple[LoopbackReceiver, str],
) -> None:
    app, (dana, _avery), (_r, url) = sms_app, people, gateway
    register(app, RU + EN, url)
    threat = case(app)
    wf.decide(app, threat, dana)
    proposed = wf.propose_release(app, threat, dana)
    russian = next(d for d in proposed.drafts if d.recipient.endswith(f"Moscow ({RU})"))
    why = "The venue is public knowledge and tells people where not to go."
    adjusted = wf.adjust_fact(app, russian.ref, "place", "venue", dana, reason=why)
    assert adjusted.recipient == f"People registered in the area of Moscow ({RU})"
    assert wf.preview_release(app, proposed.ref).audience == (
        f"public alert to {RU + EN} people in 2 languages (ru {RU}, en {EN})"
    )
