"""A case's releasability markings: what the reports behind its facts allow together, and
whether a recipient is inside them (tearline.markings)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tearline.errors import InputError
from tearline.markings import Releasability, combine, from_json, nation_code
from tearline.store import tables as t


def case_markings(session: Session, threat_id: int) -> Releasability:
    """The markings of every report with an event in the case, combined: a fact the case
    holds may have come from any of them, so a warning goes only where all allow."""
    rows = session.scalars(
        select(t.Report.rel_to)
        .join(t.Event, t.Event.report_id == t.Report.id)
        .where(t.Event.threat_id == threat_id)
    )
    return combine([from_json(r) for r in rows])


def recipient_nation(r: t.Recipient) -> str | None:
    """The nation markings are tested against: as registered, else a government's
    jurisdiction's (recipients registered before markings were, migration 0015)."""
    if r.nation:
        return r.nation
    if r.kind == "government" and r.jurisdiction:
        try:
            return nation_code(r.jurisdiction)
        except InputError:
            return None
    return None
