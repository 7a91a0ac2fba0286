"""Superseding a determination: a new version on the record, never a silent replacement.

Re-deciding a case whose determination is in force needs a reason. The new version says
what it changes, waits for a second person (the two-person rule), and only then replaces
the old one; until then the old one stays in force. Released warnings stay released. A
downgrade after a warning was released asks what the recipients already warned are told —
an update, an all-clear, or nothing — and records the answer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, not_, or_, select
from sqlalchemy.orm import Session

from tearline.decide import Outcome
from tearline.errors import InputError, InvalidState, TwoPersonRule
from tearline.ids import Kind, format_id
from tearline.release import find_leaks
from tearline.store import tables as t
from tearline.store.idlists import id_list, in_ids
from tearline.workflow.access import load_visible
from tearline.workflow.app import App, Unit
from tearline.workflow.records import protected_terms
from tearline.workflow.users import Identity, same_person

MIN_REASON = 20
FOLLOW_UPS = ("update", "all-clear", "nothing")


@dataclass(frozen=True)
class Change:
    """What a supersede changes, shown before it is recorded and kept in the audit."""

    supersedes: str
    version: int
    before: str
    after: str
    added: list[str]
    dropped: list[str]
    released: list[str]
    downgrade: bool
    follow_up: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _in_force() -> ColumnElement[bool]:
    # A proposed supersede is not in force until approved; a first proposed waiver is.
    return and_(
        t.Determination.status.not_in(("superseded", "withdrawn")),
        not_(
            and_(t.Determination.status == "proposed", t.Determination.supersedes_id.is_not(None))
        ),
    )


def in_force(session: Session, threat_id: int) -> t.Determination | None:
    """The determination that governs the case now (None before the first one)."""
    return session.scalar(
        select(t.Determination)
        .where(t.Determination.threat_id == threat_id, _in_force())
        .order_by(t.Determination.id.desc())
    )


def in_force_of(session: Session, threat_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """``in_force`` of many cases in one query per thousand (the triage queue): the id and
    outcome of each case's determination in force, as plain columns."""
    found: dict[int, tuple[int, str]] = {}
    c = session.connection()
    for n in range(0, len(threat_ids), 1000):
        for tid, did, outcome in c.execute(
            _IN_FORCE_OF, {"ids": id_list(threat_ids[n : n + 1000])}
        ):
            found[tid] = (did, outcome)  # the newest wins, as in in_force
    return found


_IN_FORCE_OF = (
    select(t.Determination.threat_id, t.Determination.id, t.Determination.outcome)
    .where(in_ids(t.Determination.threat_id, "ids"), _in_force())
    .order_by(t.Determination.id)
)


def pending(session: Session, threat_id: int) -> t.Determination | None:
    """A supersede awaiting the second person's approval, if any."""
    return session.scalar(
        select(t.Determination)
        .where(
            t.Determination.threat_id == threat_id,
            t.Determination.status == "proposed",
            t.Determination.supersedes_id.is_not(None),
        )
        .order_by(t.Determination.id.desc())
    )


def released_warnings(session: Session, threat_id: int) -> list[t.WarningRecord]:
    """Warnings in force: released to their recipients and not ended."""
    return list(
        session.scalars(
            select(t.WarningRecord)
            .where(
                t.WarningRecord.threat_id == threat_id,
                t.WarningRecord.status == "released",
                or_(t.WarningRecord.msg_type.is_(None), t.WarningRecord.msg_type != "Cancel"),
            )
            .order_by(t.WarningRecord.id)
        )
    )


def _describe(live: t.Determination, released: list[t.WarningRecord]) -> str:
    ref = format_id(Kind.DETERMINATION, live.id)
    sent = ", ".join(format_id(Kind.WARNING, w.id) for w in released)
    return (
        f"{ref} (version {live.version}: {live.outcome}, {live.status}, by {live.decided_by}; "
        + (f"released: {sent})" if sent else "no warning released)")
    )


def _checked_reason(session: Session, reason: str) -> str:
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise InputError(
            f"say why the determination is superseded, in at least {MIN_REASON} characters"
        )
    leaks = find_leaks({"reason": reason}, protected_terms(session))
    if leaks:
        raise InputError(
            f"the reason names a protected {leaks[0].term.kind.replace('_', ' ')} "
            f"({leaks[0].term.id}); say it without that term"
        )
    return reason


def check(
    u: Unit,
    threat: t.Threat,
    outcome: Outcome,
    recipient_ids: list[int],
    *,
    reason: str | None,
    follow_up: str | None,
) -> Change | None:
    """Refuse a silent re-decision; return what a supersede changes (None: nothing to supersede)."""
    tref = format_id(Kind.THREAT, threat.id)
    if follow_up is not None and follow_up not in FOLLOW_UPS:
        raise InputError(f"unknown follow-up {follow_up!r}; use one of: {', '.join(FOLLOW_UPS)}")
    live = in_force(u.session, threat.id)
    if live is None:
        if reason is not None:
            raise InvalidState(f"{tref} has no determination to supersede; decide without one")
        return None
    released = released_warnings(u.session, threat.id)
    if reason is None:
        raise InvalidState(
            f"{tref} already has determination {_describe(live, released)}; it is never replaced "
            f"silently. To supersede it, give a reason of at least {MIN_REASON} characters "
            f'(`tearline decide {tref} --supersede "why"`); a second person must approve it'
        )
    reason = _checked_reason(u.session, reason)
    downgrade = live.outcome == Outcome.WARN.value and outcome is not Outcome.WARN
    if downgrade and released and follow_up is None:
        raise InputError(
            f"superseding {_describe(live, released)} with {outcome.value} after warnings were "
            "released: say what the recipients already warned are told "
            "(--follow-up update, all-clear or nothing)"
        )
    before = {c["recipient_id"] for c in live.recipients}
    after = set(recipient_ids)
    return Change(
        supersedes=format_id(Kind.DETERMINATION, live.id),
        version=live.version + 1,
        before=live.outcome,
        after=outcome.value,
        added=[format_id(Kind.RECIPIENT, i) for i in sorted(after - before)],
        dropped=[format_id(Kind.RECIPIENT, i) for i in sorted(before - after)],
        released=[format_id(Kind.WARNING, w.id) for w in released],
        downgrade=downgrade and bool(released),
        follow_up=follow_up,
        reason=reason,
    )


def propose(u: Unit, row: t.Determination, change: Change, who: Identity) -> None:
    """Put the new version on the record as proposed; an older proposal is withdrawn."""
    live_id = int(change.supersedes.split("-", 1)[1])
    for old in u.session.scalars(
        select(t.Determination).where(
            t.Determination.threat_id == row.threat_id,
            t.Determination.status == "proposed",
            t.Determination.supersedes_id.is_not(None),
            t.Determination.id != row.id,
        )
    ):
        old.status = "withdrawn"
        u.audit(
            who.username,
            "determination.supersede_withdrawn",
            format_id(Kind.DETERMINATION, old.id),
            {"replaced_by": format_id(Kind.DETERMINATION, row.id)},
        )
    row.status = "proposed"
    row.version = change.version
    row.supersedes_id = live_id
    row.supersede_reason = change.reason
    row.follow_up = change.follow_up
    u.audit(
        who.username,
        "determination.supersede_proposed",
        format_id(Kind.DETERMINATION, row.id),
        change.as_dict(),
    )


def approve(u: Unit, det: t.Determination, who: Identity) -> str:
    """The second person approves a supersede: only now is the old version superseded."""
    ref = format_id(Kind.DETERMINATION, det.id)
    if det.status != "proposed" or det.supersedes_id is None:
        raise InvalidState(f"{ref} is not a supersede awaiting approval (it is {det.status})")
    if same_person(u.session, det.decided_by, who.username):
        raise TwoPersonRule(
            f"{who.username} proposed supersede {ref} and cannot also approve it; "
            "a second person with the approver role must"
        )
    live = in_force(u.session, det.threat_id)
    old = format_id(Kind.DETERMINATION, det.supersedes_id)
    if live is None or live.id != det.supersedes_id:
        raise InvalidState(f"{ref} would supersede {old}, which is no longer in force")
    live.status = "superseded"
    det.status, det.approved_by, det.approved_at = "approved", who.username, u.now
    threat = u.session.get(t.Threat, det.threat_id)
    assert threat is not None
    threat.status = "waived" if det.outcome == Outcome.WAIVE.value else "determined"
    u.audit(
        who.username,
        "determination.superseded",
        old,
        {
            "by": ref,
            "version": det.version,
            "proposed_by": det.decided_by,
            "approved_by": who.username,
            "outcome": det.outcome,
            "follow_up": det.follow_up,
        },
    )
    if det.follow_up in ("update", "all-clear"):
        u.audit(
            who.username,
            "determination.follow_up_pending",
            ref,
            {
                "follow_up": det.follow_up,
                "warnings": [
                    format_id(Kind.WARNING, w.id)
                    for w in released_warnings(u.session, det.threat_id)
                ],
            },
        )
    return ref


def follow_up_owed(session: Session, det: t.Determination) -> bool:
    """An approved supersede promised an update or all-clear, and no release came since."""
    if det.follow_up not in ("update", "all-clear") or det.approved_at is None:
        return False
    if det.status in ("superseded", "withdrawn") or not released_warnings(session, det.threat_id):
        return False
    later = session.scalar(
        select(t.Release.id).where(
            t.Release.threat_id == det.threat_id, t.Release.proposed_at >= det.approved_at
        )
    )
    return later is None


@contextmanager
def unit_or_preview(app: App, preview: bool) -> Iterator[Unit]:
    """A unit of work; with ``preview`` everything done in it is rolled back (a dry run)."""
    if not preview:
        with app.unit() as u:
            yield u
        return
    with app.db.session() as session:
        yield Unit(session, app.clock.now())
        session.rollback()


def history(app: App, threat_ref: str, viewer: Identity | None = None) -> list[dict[str, Any]]:
    """Every determination of a case, oldest first: version, link, reason, follow-up, people."""
    with app.read() as s:
        threat = load_visible(s, threat_ref, viewer, Kind.THREAT)
        live = in_force(s, threat.id)
        return [
            {
                "ref": format_id(Kind.DETERMINATION, d.id),
                "version": d.version,
                "outcome": d.outcome,
                "status": d.status,
                "in_force": live is not None and d.id == live.id,
                "supersedes": format_id(Kind.DETERMINATION, d.supersedes_id)
                if d.supersedes_id
                else None,
                "reason": d.supersede_reason,
                "follow_up": d.follow_up,
                "follow_up_owed": follow_up_owed(s, d),
                "waiver": d.waiver_code,
                "proposed_by": d.decided_by,
                "proposed_at": d.decided_at.isoformat(),
                "approved_by": d.approved_by,
                "approved_at": d.approved_at.isoformat() if d.approved_at else None,
            }
            for d in s.scalars(
                select(t.Determination)
                .where(t.Determination.threat_id == threat.id)
                .order_by(t.Determination.id)
            )
        ]
