"""A recipient whose language Tearline does not write: the proposal asks what to do (in
English, in its country's language, or hold the warning), records the choice, and the
preview says it beside the warning — never a silent English (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from tearline import workflow as wf
from tearline.errors import InputError
from tearline.store import tables as t
from tearline.workflow.casefile import case_file

People = tuple[wf.Identity, wf.Identity]
LIAISON = "Russian Federation (liaison)"  # jurisdiction RU


def _registered_in(app: wf.App, name: str, language: str) -> str:
    with app.unit() as u:
        u.session.execute(
            update(t.Recipient).where(t.Recipient.name == name).values(language=language)
        )
        rid = u.session.scalars(select(t.Recipient.id).where(t.Recipient.name == name)).one()
    return f"RCP-{rid}"


def _proposal_audit(app: wf.App) -> dict[str, object]:
    rows = [r for r in wf.audit_entries(app, limit=500) if r["action"] == "release.proposed"]
    details: dict[str, object] = json.loads(str(rows[0]["details"]))
    return details


def test_without_a_choice_the_proposal_asks_and_drafts_nothing(
    app: wf.App, threat_ref: str, people: People
) -> None:
    ref = _registered_in(app, LIAISON, "ja")
    wf.decide(app, threat_ref, people[0])
    with pytest.raises(InputError) as asked:
        wf.propose_release(app, threat_ref, people[0])
    said = str(asked.value)
    assert LIAISON in said
    assert ref in said
    assert "日本語 (ja)" in said
    assert "--language-fallback" in said
    for choice in ("english", "country", "hold"):
        assert choice in said
    with app.read() as s:
        assert s.scalars(select(t.WarningRecord)).first() is None
        assert s.scalars(select(t.Release)).first() is None
    with pytest.raises(InputError, match="choose one of english, country, hold"):
        wf.propose_release(app, threat_ref, people[0], "klingon")


@pytest.mark.parametrize(
    ("choice", "written", "said"),
    [
        ("english", "en", "written in English (en) (choice: english)"),
        ("country", "ru", "written in русский (ru) (choice: country)"),
    ],
)
def test_the_choice_writes_the_warning_and_the_preview_says_so(
    app: wf.App, threat_ref: str, people: People, choice: str, written: str, said: str
) -> None:
    ref = _registered_in(app, LIAISON, "ja-JP")
    wf.decide(app, threat_ref, people[0])
    proposed = wf.propose_release(app, threat_ref, people[0], choice)
    liaison, public = proposed.preview.recipients
    assert liaison.recipient == LIAISON
    assert liaison.language == written
    assert liaison.language_note == f"no warning phrases in 日本語 (ja-JP): {said}"
    assert public.language_note == ""  # the public's language is written: nothing to say
    if written == "ru":
        assert "Место" in liaison.text
    recorded = _proposal_audit(app)["languages"]
    assert recorded == [
        {
            "recipient": ref,
            "name": LIAISON,
            "registered": "ja-JP",
            "choice": choice,
            "written_in": written,
        }
    ]
    # the desk's case file says the same beside the warning
    case = case_file(app, threat_ref, people[0])
    (rel,) = case["releases"]
    notes = {w["recipient"]: w["language_note"] for w in rel["warnings"]}
    assert notes[LIAISON].endswith(f"(choice: {choice})")
    # an adjustment redrafts in the language chosen, not in the silent English
    why = "The police must guard the venue itself."
    draft = wf.adjust_fact(app, liaison.warning_ref, "place", "venue", people[0], reason=why)
    assert ("Место" in draft.text) is (written == "ru")


def test_hold_drafts_no_warning_for_that_recipient_and_says_so(
    app: wf.App, threat_ref: str, people: People
) -> None:
    ref = _registered_in(app, LIAISON, "ja")
    wf.decide(app, threat_ref, people[0])
    proposed = wf.propose_release(app, threat_ref, people[0], "hold")
    assert [r.recipient for r in proposed.preview.recipients] == ["Public in Moscow"]
    assert proposed.preview.held == [
        f"{LIAISON} ({ref}): no warning phrases in 日本語 (ja): held, no warning drafted "
        "(choice: hold)"
    ]
    with app.read() as s:
        names = {w.recipient.name for w in s.scalars(select(t.WarningRecord))}
    assert names == {"Public in Moscow"}


def test_a_language_that_is_written_needs_no_choice(
    app: wf.App, threat_ref: str, people: People
) -> None:
    _registered_in(app, LIAISON, "de-DE")
    wf.decide(app, threat_ref, people[0])
    proposed = wf.propose_release(app, threat_ref, people[0])  # nothing to ask
    liaison = proposed.preview.recipients[0]
    assert liaison.language == "de"
    assert liaison.language_note == ""
    assert "Ort:" in liaison.text
    assert "languages" not in _proposal_audit(app)
