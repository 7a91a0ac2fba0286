"""Partners with TAXII collections, and the demo case released to them (tests of sharing)."""

from __future__ import annotations

from dataclasses import replace

from tearline import workflow as wf
from tearline.demo.scenario import report_text
from tearline.model import Contact
from tests.conftest import seed_users
from tests.workflow.conftest import PROVENANCE

ALLY = "Allied embassy security (Moscow)"
ADVERSARY = "Russian Federation (liaison)"
THIRD = "Another partner (no warning)"


def add_partners(app: wf.App, *, push: Contact | None = None) -> dict[str, str]:
    """Two partners of different tiers that the demo threat concerns, each with a TAXII
    collection, and a third partner it does not concern; returns their references."""
    refs = {
        ALLY: wf.add_recipient(
            app,
            name=ALLY,
            kind="organisation",
            tier="ally",
            language="en",
            area_country="RU",
            area_city="Moscow",
            nation="GBR",
            contacts=[Contact("taxii", "Allied embassy warnings"), *([push] if push else [])],
        ),
        ADVERSARY: wf.add_recipient(
            app,
            name=ADVERSARY,
            kind="government",
            tier="adversary",
            language="en",
            jurisdiction="RU",
            contacts=[Contact("liaison_note", "moscow-desk"), Contact("taxii", "Liaison feed")],
        ),
        THIRD: wf.add_recipient(
            app,
            name=THIRD,
            kind="government",
            tier="partner",
            language="en",
            jurisdiction="FR",
            contacts=[Contact("taxii", "Paris desk")],
        ),
    }
    return {name: ref.split(" ")[0] if " " in ref else ref for name, ref in refs.items()}


def release_demo(app: wf.App, *, markings: tuple[str, ...] = ()) -> str:
    """The demo report (with releasability ``markings``, if any) ingested, decided and
    released by two people; returns its case."""
    dana, avery = seed_users(app)
    given = replace(PROVENANCE, markings=markings)
    ingested = wf.ingest_bytes(app, report_text(), "moscow.txt", given, actor="dana")
    threat = next(e.threat_ref for e in ingested.events if e.threat_ref)
    assert threat is not None
    wf.decide(app, threat, dana)
    proposed = wf.propose_release(app, threat, dana)
    wf.approve_release(app, proposed.ref, avery)
    return threat


def deliver(app: wf.App) -> list[wf.Sent]:
    """Run the outbox once with the real channels."""
    channels = wf.channels_for(app)
    return wf.deliver_due(app, channels)
