"""Group alerts: the registered people at risk in an area warned by one public alert per
language instead of one warning each, with one delivery per person's contact point.

From ``TEARLINE_GROUP_ALERT_FROM`` people of the public tier at risk (``Role.AT_RISK``,
found by the location index), a release drafts, for each language they read, one warning
to a group recipient ("People registered in the area of Moscow (12,345)"): rendered,
leak-checked and signed once, like a public alert. At approval each person's contact
points get a delivery of that warning, inserted in bulk; ``deliveries.recipient_id`` says
whose it is, so a reply through it is that person's answer. Names and numbers never enter
the alert, the audit record or the logs: the alert is addressed to the group, the record
counts people and names recipient IDs only.

A group alert is a public alert (tier public): it expects no acknowledgement from each
person, so 100,000 silences are not 100,000 escalations (``track.escalation`` skips the
no-acknowledgement rule for public recipients).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tearline.assess import Assessment
from tearline.decide import Role, Suggestion
from tearline.deliver import CHANNEL_NAMES
from tearline.extract.gazetteer import country_name
from tearline.ids import Kind, format_id
from tearline.model import Event, RecipientKind, Tier
from tearline.release import MessageKind
from tearline.store import tables as t
from tearline.store.bulk import insert_rows
from tearline.workflow.app import App, Unit
from tearline.workflow.release_drafting import DraftInput, live_warning, new_draft

GROUP_KIND = "group"  # recipients.kind of a group recipient: never a person, never imported
_CHUNK = 5000  # IDs per IN (...) query: under every database's limit on parameters


@dataclass(frozen=True)
class Member:
    """One person of the group: their recipient ID, language and contact points."""

    recipient_id: int
    language: str
    contacts: tuple[tuple[str, str], ...]  # (channel, address) on a known channel


def _batched(items: Sequence[Any], n: int) -> Iterable[Sequence[Any]]:
    return (items[i : i + n] for i in range(0, len(items), n))


def is_group(recipient: t.Recipient) -> bool:
    return recipient.kind == GROUP_KIND


def _at_risk_ids(choices: Iterable[dict[str, Any]]) -> set[int]:
    return {
        int(c["recipient_id"])
        for c in choices
        if c.get("role") == Role.AT_RISK.value and c.get("via") is None
    }


def _members(session: Session, ids: Iterable[int], language: str | None = None) -> list[Member]:
    """The people of the public tier among ``ids`` (reading ``language``, if given), with
    their usable contact points."""
    out = []
    for chunk in _batched(sorted(ids), _CHUNK):
        q = select(t.Recipient.id, t.Recipient.language, t.Recipient.contacts).where(
            t.Recipient.id.in_(chunk),
            t.Recipient.kind == "person",
            t.Recipient.tier == "public",
        )
        rows = session.execute(q if language is None else q.where(t.Recipient.language == language))
        for rid, reads, contacts in rows:
            usable = tuple(
                (c["channel"], c["address"]) for c in contacts if c["channel"] in CHANNEL_NAMES
            )
            out.append(Member(rid, reads, usable))
    return out


@dataclass(frozen=True)
class Split:
    """A determination's recipients: those warned one by one, and the group by language."""

    individual: list[dict[str, Any]]
    group: dict[str, list[Member]]


def split(app: App, session: Session, choices: Sequence[dict[str, Any]]) -> Split:
    """Below the threshold everyone keeps a warning of their own (nothing changes)."""
    members = _members(session, _at_risk_ids(choices))
    if not members or len(members) < app.settings.group_alert_from:
        return Split(list(choices), {})
    grouped = {m.recipient_id for m in members}
    individual = [
        c
        for c in choices
        if not (
            c["recipient_id"] in grouped
            and c.get("role") == Role.AT_RISK.value
            and c.get("via") is None
        )
    ]
    by_language: dict[str, list[Member]] = defaultdict(list)
    for m in members:
        by_language[m.language].append(m)
    return Split(individual, dict(sorted(by_language.items())))


def people_in_group(app: App, suggestions: Iterable[Suggestion]) -> set[int]:
    """The people at risk a release will warn by group alert (none below the threshold)."""
    ids = {
        s.recipient.id
        for s in suggestions
        if s.role is Role.AT_RISK
        and s.via is None
        and s.recipient.kind is RecipientKind.PERSON
        and s.recipient.tier is Tier.PUBLIC
    }
    return ids if len(ids) >= app.settings.group_alert_from else set()


def audit_choices(choices: Sequence[tuple[int, Role, str]], grouped: set[int]) -> dict[str, Any]:
    """A determination's recipients as its audit entry keeps them: each one with why, but
    the people of a group alert as a count and the SHA-256 of their (ID, why) list — the
    list itself is the determination's row — so that 100,000 people are not 100,000 lines
    of one entry in the hash chain."""
    listed = [c for c in choices if c[0] not in grouped]
    out: dict[str, Any] = {
        "recipients": [format_id(Kind.RECIPIENT, rid) for rid, _, _ in listed],
        "why": {
            format_id(Kind.RECIPIENT, rid): f"{role.value}: {why}" for rid, role, why in listed
        },
    }
    if grouped:
        people = sorted([rid, why] for rid, _, why in choices if rid in grouped)
        digest = hashlib.sha256(json.dumps(people, ensure_ascii=False).encode()).hexdigest()
        out["at_risk_people"] = {"count": len(people), "sha256": digest}
    return out


def _where(event: Event) -> str:
    p = event.place
    if p is None:
        return "the threatened area"
    return p.city or p.region or (country_name(p.country) if p.country else None) or "the area"


def audience_name(where: str, people: int) -> str:
    return f"People registered in the area of {where} ({people:,})"


def group_recipient(u: Unit, event: Event, language: str) -> t.Recipient:
    """The group recipient for the area and language: made once, then reused, so that a
    later alert to the same people updates the one in force."""
    where = _where(event)
    name = f"People registered in the area of {where} ({language})"
    row = u.session.scalar(select(t.Recipient).where(t.Recipient.name == name))
    if row is not None:
        return row
    p = event.place
    row = t.Recipient(
        name=name,
        kind=GROUP_KIND,
        tier="public",
        language=language,
        jurisdiction=None,
        area_country=p.country if p else None,
        area_city=p.city if p else None,
        contacts=[],  # each person's own contact points receive the alert
        created_at=u.now,
    )
    u.session.add(row)
    u.session.flush()
    return row


@dataclass(frozen=True)
class Case:
    threat: t.Threat
    event: Event
    assessment: Assessment


def draft_group_alerts(
    app: App, u: Unit, release: t.Release, case: Case, group: dict[str, list[Member]]
) -> list[t.WarningRecord]:
    """One draft per language, addressed to the group and counting its people."""
    out = []
    for language, members in group.items():
        rcp = group_recipient(u, case.event, language)
        previous = live_warning(u.session, case.threat.id, rcp.id)
        kind = MessageKind.UPDATE if previous is not None else MessageKind.ALERT
        d = DraftInput(
            case.threat, case.event, case.assessment, rcp, Role.AT_RISK.value, kind, previous
        )
        w = new_draft(app, u, release, d)
        address(w, case.event, len(members))
        out.append(w)
    return out


def address(w: t.WarningRecord, event: Event, people: int) -> None:
    """Address a group warning to its area and how many people it reaches, never who.
    Every draft of a group warning is addressed here: the first alert, a redraft after
    an officer's adjustment, and the all-clear or withdrawal that ends it."""
    addressed = audience_name(_where(event), people)
    w.content = {
        **w.content,
        "recipient": {**w.content["recipient"], "name": addressed, "people": people},
    }


def summary(group: dict[str, list[Member]]) -> dict[str, Any]:
    """What the audit record keeps of a group: counts, never names or numbers."""
    return {
        "people": sum(len(m) for m in group.values()),
        "by_language": {lang: len(m) for lang, m in group.items()},
        "without_contact": sum(1 for ms in group.values() for m in ms if not m.contacts),
    }


def describe(counts: dict[str, int]) -> str:
    """'public alert to 12,345 people in 2 languages (ru 11,000, en 1,345)'."""
    total = sum(counts.values())
    langs = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    each = ", ".join(f"{lang} {n:,}" for lang, n in langs)
    n = len(counts)
    return f"public alert to {total:,} people in {n} language{'s' if n != 1 else ''} ({each})"


def addressee(w: t.WarningRecord) -> str:
    """Whom a warning is addressed to, as officers see it: a group alert's area and count
    of people, any other warning its recipient's name."""
    return str((w.content.get("recipient") or {}).get("name") or w.recipient.name)


def people_of(w: t.WarningRecord) -> int | None:
    """How many people a group alert is for; None for any other warning."""
    people = (w.content.get("recipient") or {}).get("people")
    return int(people) if is_group(w.recipient) and people is not None else None


def describe_warnings(warnings: Iterable[t.WarningRecord]) -> str:
    """The preview's line for a release's group alerts ('' when it has none)."""
    counts: dict[str, int] = {}
    for w in warnings:
        people = people_of(w)
        if people is not None:
            counts[w.recipient.language] = counts.get(w.recipient.language, 0) + people
    return describe(counts) if counts else ""


def _people_warned_by(session: Session, warning_id: int) -> set[int]:
    rows = session.scalars(
        select(t.Delivery.recipient_id)
        .where(t.Delivery.warning_id == warning_id, t.Delivery.recipient_id.is_not(None))
        .distinct()
    )
    return {int(r) for r in rows if r is not None}


def members_for(session: Session, w: t.WarningRecord) -> list[Member]:
    """Whom a group warning goes to: for an all-clear or a withdrawal, the people the
    warning it ends went to; otherwise the release's determination's people of its
    language."""
    if w.supersedes_id is not None and w.content.get("kind") in ("cancel", "all_clear"):
        ids: set[int] = _people_warned_by(session, w.supersedes_id)
    else:
        release = session.get(t.Release, w.release_id)
        assert release is not None
        det = session.get(t.Determination, release.determination_id)
        assert det is not None
        ids = _at_risk_ids(det.recipients)
    return _members(session, ids, w.recipient.language)


def queue_group(u: Unit, w: t.WarningRecord) -> int:
    """One delivery per person's contact point, inserted in bulk; returns how many."""
    now: datetime = u.now
    rows = [
        {
            "warning_id": w.id,
            "recipient_id": m.recipient_id,
            "channel": channel,
            "address": address,
            "idempotency_key": f"tl-{uuid.uuid4().hex}",
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for m in members_for(u.session, w)
        for channel, address in m.contacts
    ]
    return insert_rows(u.session, t.Delivery, rows)  # a statement per chunk, not per row


def people_answering(session: Session, delivery_ids: Iterable[int | None]) -> dict[int, str]:
    """For the officers' views: delivery ID → 'name (RCP-n)' of the person a group
    alert's delivery was for (other deliveries are left out)."""
    ids = sorted({d for d in delivery_ids if d is not None})
    out: dict[int, str] = {}
    for chunk in _batched(ids, _CHUNK):
        rows = session.execute(
            select(t.Delivery.id, t.Recipient.id, t.Recipient.name)
            .join(t.Recipient, t.Recipient.id == t.Delivery.recipient_id)
            .where(t.Delivery.id.in_(chunk))
        )
        for did, rid, name in rows:
            out[did] = f"{name} ({format_id(Kind.RECIPIENT, rid)})"
    return out


def people_secrets(session: Session, warning_id: int) -> dict[tuple[str, str], str]:
    """The shared secrets of the people's webhook contact points a group alert (the
    warning ``warning_id`` to a group recipient) posts to, so that those posts are signed
    as a recipient's own warnings are."""
    rows = session.execute(
        select(t.Recipient.contacts)
        .join(t.Delivery, t.Delivery.recipient_id == t.Recipient.id)
        .where(t.Delivery.warning_id == warning_id, t.Delivery.channel == "webhook")
    )
    return {
        (c["channel"], c["address"]): c["secret"]
        for (contacts,) in rows
        for c in contacts
        if c["channel"] == "webhook" and c.get("secret")
    }
