"""A release on the record, on SQLite and PostgreSQL: propose, see the preview, tighten or
loosen a fact (who and why kept), approve as a second person, every format signed and
verifiable; then an update that supersedes, and an all-clear that ends the warnings."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.errors import InputError, InvalidState, LeakDetected, TwoPersonRule
from tearline.release import find_leaks
from tearline.store import tables as t
from tearline.workflow.records import protected_terms

People = tuple[wf.Identity, wf.Identity]
FORMATS = {"jws", "text", "alert", "sms", "email", "cap", "stix", "stix_jws"}


def decided(app: wf.App, threat_ref: str, people: People) -> None:
    wf.decide(app, threat_ref, people[0])


def audit(app: wf.App, action: str) -> list[dict[str, object]]:
    rows = wf.audit_entries(app, limit=500)
    return [
        json.loads(str(r["details"])) | {"subject": r["subject"], "actor": r["actor"]}
        for r in rows
        if r["action"] == action
    ]


def test_preview_sets_the_internal_picture_beside_each_recipient(
    app: wf.App, threat_ref: str, people: People
) -> None:
    decided(app, threat_ref, people)
    proposed = wf.propose_release(app, threat_ref, people[0])
    p = proposed.preview
    assert isinstance(p, wf.ReleasePreview)
    assert p.internal["actor"] == "ISIL Khorasan"
    assert "Crocus City Hall" in p.internal["place"]
    assert "venue" in p.internal["place"]
    assert p.internal["weapon"] == "automatic rifles"
    adversary, public = p.recipients
    assert (adversary.tier, public.tier) == ("adversary", "public")
    assert adversary.facts["actor"].value == "ISIL Khorasan"
    assert adversary.facts["weapon"].status == "withheld"
    assert adversary.facts["place"].status == "coarsened"
    assert adversary.facts["named_targets"].value == "Crocus City Hall"
    assert public.facts["actor"].status == "coarsened"  # a name became "an extremist group"
    assert public.facts["named_targets"].status == "withheld"
    assert public.facts["likelihood"].status == "withheld"
    assert adversary.tier_policy["place"] == "city"
    # Nothing is signed before approval.
    with app.read() as s:
        assert all(not w.artifacts and w.jws is None for w in s.scalars(select(t.WarningRecord)))


def test_an_override_is_recorded_with_who_and_why_and_redrafts(
    app: wf.App, threat_ref: str, people: People
) -> None:
    decided(app, threat_ref, people)
    proposed = wf.propose_release(app, threat_ref, people[0])
    liaison = proposed.drafts[0].ref
    why = "Police must guard the venue itself; the venue is already public knowledge."
    draft = wf.adjust_fact(app, liaison, "place", "venue", people[0], reason=why)
    assert "Place: Crocus City Hall, Moscow, Russia" in draft.text
    (entry,) = audit(app, "warning.adjusted")
    assert entry["subject"] == liaison
    assert entry["actor"] == "dana"
    assert (entry["fact"], entry["from"], entry["to"], entry["direction"]) == (
        "place",
        "city",
        "venue",
        "loosened",
    )
    assert why not in json.dumps(entry)  # the reason stays with the override, its digest here
    view = wf.preview_release(app, proposed.ref).recipients[0]
    (o,) = view.overrides
    assert (o.fact, o.to_level, o.by, o.reason, o.direction) == (
        "place",
        "venue",
        "dana",
        why,
        "loosened",
    )
    assert view.facts["place"].value.startswith("Crocus City Hall, Moscow, Russia — venue")
    # The judgement carries over when the release is proposed again.
    again = wf.propose_release(app, threat_ref, people[0])
    assert "Place: Crocus City Hall" in again.drafts[0].text
    tightened = wf.adjust_fact(
        app,
        again.drafts[0].ref,
        "actor",
        "generic",
        people[0],
        reason="Naming the group would expose the liaison channel.",
    )
    assert "Group: an extremist group" in tightened.text
    assert "ISIL" not in tightened.text


def test_adjusting_is_checked(app: wf.App, threat_ref: str, people: People) -> None:
    decided(app, threat_ref, people)
    ref = wf.propose_release(app, threat_ref, people[0]).drafts[0].ref
    with pytest.raises(InputError, match="say why"):
        wf.adjust_fact(app, ref, "place", "venue", people[0], reason="ok")
    with pytest.raises(InputError, match="already 'city'"):
        wf.adjust_fact(app, ref, "place", "city", people[0], reason="no change at all here")
    with pytest.raises(InputError, match="unknown fact"):
        wf.adjust_fact(app, ref, "mood", "calm", people[0], reason="not a fact we know of")
    with pytest.raises(Exception, match="duty_officer"):
        wf.adjust_fact(app, ref, "place", "venue", people[1], reason="approvers cannot adjust")


def test_a_protected_name_in_a_fact_refuses_the_proposal(
    app: wf.App, threat_ref: str, people: People
) -> None:
    with app.unit() as u:
        u.session.add(
            t.ProtectedTerm(term="Crocus", kind="marked_span", created_by="dana", created_at=u.now)
        )
    decided(app, threat_ref, people)
    # The adversary tier is told named targets: with "Crocus" protected, refused.
    with pytest.raises(LeakDetected) as refused:
        wf.propose_release(app, threat_ref, people[0])
    assert "marked span PT-" in str(refused.value)
    assert "Crocus" not in str(refused.value)  # an error never carries the protected text
    assert "WRN-" in str(refused.value)
    (entry,) = audit(app, "release.refused")
    assert entry["term"].startswith("PT-")
    assert "Crocus" not in json.dumps(entry)


def test_loosening_into_a_protected_term_is_refused_and_nothing_is_kept(
    app: wf.App, threat_ref: str, people: People
) -> None:
    (app.home / "release-policy.toml").write_text('[adversary]\ntarget = "category"\n')
    with app.unit() as u:
        u.session.add(
            t.ProtectedTerm(term="Crocus", kind="marked_span", created_by="dana", created_at=u.now)
        )
    decided(app, threat_ref, people)
    proposed = wf.propose_release(app, threat_ref, people[0])  # no names: it passes
    assert "Crocus" not in proposed.drafts[0].text
    with pytest.raises(LeakDetected, match="marked span PT-") as refused:
        wf.adjust_fact(
            app,
            proposed.drafts[0].ref,
            "target",
            "specific",
            people[0],
            reason="The hall must be named so it is guarded.",
        )
    assert "Crocus" not in str(refused.value)
    with app.read() as s:
        assert s.scalars(select(t.FactOverride)).all() == []
        draft = s.get(t.WarningRecord, 1)
        assert draft is not None
        assert "Crocus" not in draft.content["text"]
    assert len(audit(app, "release.refused")) == 1


def test_approval_signs_every_format_and_each_verifies(
    app: wf.App, threat_ref: str, people: People
) -> None:
    decided(app, threat_ref, people)
    proposed = wf.propose_release(app, threat_ref, people[0])
    with pytest.raises(TwoPersonRule):
        wf.approve_release(app, proposed.ref, people[0])
    released = wf.approve_release(app, proposed.ref, people[1])
    keys = app.keys.keyset()
    with app.read() as s:
        terms = protected_terms(s)
        for w in s.scalars(select(t.WarningRecord)):
            assert set(w.artifacts) == FORMATS
            for fmt in ("jws", "cap", "email", "stix_jws"):
                v = wf.verify_artifact(w.artifacts[fmt], keys)
                assert v.key_id == released.key_id, fmt
            doc = {k: v for k, v in w.content.items() if k not in ("role", "changes")}
            assert wf.verify_artifact(w.artifacts["jws"], keys).document == doc
            assert find_leaks(w.artifacts, terms) == []
    (entry,) = audit(app, "release.approved")
    assert (entry["proposed_by"], entry["approved_by"]) == ("dana", "avery")


def test_a_second_release_updates_and_supersedes_then_an_all_clear_ends_it(
    app: wf.App, threat_ref: str, people: People, clock: FixedClock
) -> None:
    decided(app, threat_ref, people)
    first = wf.approve_release(app, wf.propose_release(app, threat_ref, people[0]).ref, people[1])
    clock.advance(timedelta(hours=6))
    update = wf.propose_release(app, threat_ref, people[0])
    assert [d.kind for d in update.drafts] == ["update", "update"]
    assert [d.supersedes for d in update.drafts] == [w[0] for w in first.warnings]
    assert update.drafts[0].text.startswith(
        "This warning updates and replaces warning WRN-1 of 6 March 2024."
    )
    second = wf.approve_release(app, update.ref, people[1])
    assert second.superseded == [w[0] for w in first.warnings]
    rows = {r["ref"]: r for r in wf.list_warnings(app)}
    assert rows["WRN-1"]["status"] == "superseded"
    assert rows["WRN-1"]["superseded_by"] == "WRN-3"
    assert rows["WRN-3"]["msg_type"] == "Update"
    assert rows["WRN-3"]["supersedes"] == "WRN-1"
    cap = wf.export_warning(app, "WRN-3", "cap").content
    assert "<msgType>Update</msgType>" in cap
    assert "<references>Test-agency,Test-agency-WRN-1,2024-03-06T09:00:00+00:00</references>" in cap
    assert "<incidents>Test-agency-WRN-1</incidents>" in cap
    with pytest.raises(InputError, match="say why"):
        wf.propose_end(app, threat_ref, people[0], all_clear=True, reason="over")
    clock.advance(timedelta(days=8))
    ending = wf.propose_end(
        app, threat_ref, people[0], all_clear=True, reason="Arrests made; the cell is in custody."
    )
    assert [d.kind for d in ending.drafts] == ["all_clear", "all_clear"]
    wf.approve_release(app, ending.ref, people[1])
    rows = {r["ref"]: r for r in wf.list_warnings(app)}
    assert {rows[r]["status"] for r in ("WRN-3", "WRN-4")} == {"superseded"}
    assert rows["WRN-5"]["msg_type"] == "Cancel"
    assert rows["WRN-5"]["kind"] == "all_clear"
    assert "<responseType>AllClear</responseType>" in wf.export_warning(app, "WRN-5", "cap").content
    assert wf.list_threats(app)[0]["status"] == "closed"
    with pytest.raises(InvalidState, match="no warning in force"):
        wf.propose_end(
            app, threat_ref, people[0], all_clear=False, reason="Nothing left to withdraw."
        )
    (proposal,) = [e for e in audit(app, "release.proposed") if e.get("kind") == "all_clear"]
    assert proposal["reason"] == "Arrests made; the cell is in custody."


def test_a_withdrawal_is_a_cancel_and_leaves_the_case_open(
    app: wf.App, threat_ref: str, people: People
) -> None:
    decided(app, threat_ref, people)
    wf.approve_release(app, wf.propose_release(app, threat_ref, people[0]).ref, people[1])
    ending = wf.propose_end(
        app,
        threat_ref,
        people[0],
        all_clear=False,
        reason="Sent on a mistaken reading of the report.",
    )
    assert ending.drafts[1].text.startswith(
        "Location: Moscow, Russia\n\nEvent: Warning WRN-2 of 6 March 2024 is withdrawn"
    )
    wf.approve_release(app, ending.ref, people[1])
    assert wf.list_threats(app)[0]["status"] == "determined"


def test_export_gives_each_format_and_language(
    app: wf.App, threat_ref: str, people: People
) -> None:
    with app.unit() as u:
        rcp = u.session.scalar(select(t.Recipient).where(t.Recipient.tier == "adversary"))
        assert rcp is not None
        rcp.language = "ru"
    decided(app, threat_ref, people)
    wf.approve_release(app, wf.propose_release(app, threat_ref, people[0]).ref, people[1])
    ru = wf.export_warning(app, "WRN-1", "text")
    assert (ru.language, ru.filename) == ("ru", "WRN-1.txt")
    assert "Место: Москва, Россия" in ru.content
    en = wf.export_warning(app, "WRN-1", "text", "en")
    assert en.filename == "WRN-1.en.txt"
    assert "Place: Moscow, Russia" in en.content
    assert wf.export_warning(app, "WRN-1", "email").filename == "WRN-1.eml"
    # The recipient's language first in every multi-language form (JSONB keeps no key order).
    cap = wf.export_warning(app, "WRN-1", "cap").content
    assert cap.index("<language>ru</language>") < cap.index("<language>en</language>")
    with pytest.raises(InputError, match="written in ru, en, not 'fa'"):
        wf.export_warning(app, "WRN-1", "text", "fa")
    with pytest.raises(InputError, match="unknown format"):
        wf.export_warning(app, "WRN-1", "pdf")
    rows = wf.list_warnings(app)
    assert [(r["ref"], r["language"], r["tier"]) for r in rows] == [
        ("WRN-1", "ru", "adversary"),
        ("WRN-2", "en", "public"),
    ]
