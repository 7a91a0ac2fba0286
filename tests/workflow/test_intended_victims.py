"""The intended victim on the record and warned: the venue's operator gets its own warning
(its tier, its language, nothing protected), or is warned through its protector by policy."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy import select

from tearline import workflow as wf
from tearline.model import Contact
from tearline.settings import load_settings
from tearline.store import tables as t

OPERATOR = "Crocus City Hall management / security desk"
REASON = "operator of Crocus City Hall, the named target"


@pytest.fixture
def operator(app: wf.App, registry: None) -> None:
    wf.add_recipient(
        app,
        name=OPERATOR,
        kind="organisation",
        tier="partner",
        language="ru",
        area_country="RU",
        area_city="Moscow",
        contacts=[Contact("email", "security@crocus.test")],
    )


def test_the_operator_is_on_record_and_gets_its_own_warning(
    app: wf.App,
    operator: None,
    threat_ref: str,
    people: tuple[wf.Identity, wf.Identity],
) -> None:
    dana, _ = people
    decided = wf.decide(app, threat_ref, dana)
    mine = {r.name: (r.role.value, r.reason) for r in decided.recipients}
    assert mine[OPERATOR] == ("intended_victim", REASON)
    with app.read() as s:
        det = s.scalars(select(t.Determination)).one()
        row = next(r for r in det.recipients if r["reason"] == REASON)
        assert row["role"] == "intended_victim"
        entry = s.scalars(
            select(t.AuditEntry).where(t.AuditEntry.action == "determination.warn")
        ).one()
        assert f"intended_victim: {REASON}" in json.loads(entry.details)["why"].values()
    # tearline target says the same, from the same rules
    targeted = {a.name: (a.role, a.reason) for a in wf.target(app, threat_ref).recipients}
    assert targeted[OPERATOR] == ("intended_victim", REASON)
    proposed = wf.propose_release(app, threat_ref, dana)  # the leak check runs here
    draft = next(d for d in proposed.drafts if d.recipient == OPERATOR)
    assert (draft.tier, draft.role, draft.language) == ("partner", "intended_victim", "ru")
    assert "Crocus City Hall" in draft.text  # a partner is told the venue: it can act on it


def test_via_protector_keeps_the_victim_on_record_without_its_own_warning(
    app: wf.App,
    operator: None,
    threat_ref: str,
    people: tuple[wf.Identity, wf.Identity],
) -> None:
    dana, _ = people
    values = dict(app.settings.values)
    app.settings = replace(
        load_settings(environ={}), values={**values, "warn_victims": "via_protector"}
    )
    decided = wf.decide(app, threat_ref, dana)
    victim = next(r for r in decided.recipients if r.name == OPERATOR)
    assert victim.reason == f"{REASON}; warned through Russian Federation (liaison)"
    proposed = wf.propose_release(app, threat_ref, dana)
    assert OPERATOR not in {d.recipient for d in proposed.drafts}
    assert "Russian Federation (liaison)" in {d.recipient for d in proposed.drafts}
