"""TAXII 2.1 collections: one per partner, holding the STIX objects of its warnings.

A partner is a recipient with a ``taxii`` contact point. When a warning to it is
released, the outbox delivers it by the ``taxii`` channel, which adds the objects of the
warning's released STIX bundle — the facts at the partner's tier, leak-checked and signed
at release — to the partner's collection; the delivery is recorded then. A later
warning that supersedes one (an Update, a withdrawal, an all-clear) adds a revoked
version of each object it replaces. Nothing else ever enters a collection: not the
internal picture, not another recipient's warning.

A partner reads its collection with a token (``tearline taxii token RECIPIENT``, shown
once, only its SHA-256 kept), as ``Authorization: Bearer …`` or HTTP Basic with its
recipient reference as the user name. Serving re-checks every object (``taxii_query``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tearline.deliver.channels import Outbound, PermanentFailure, Receipt
from tearline.deliver.taxii import object_version, stix_time
from tearline.errors import InvalidState, NotFound
from tearline.ids import Kind, format_id, parse_id
from tearline.release.stix import TLP2_IDS
from tearline.store import tables as t
from tearline.workflow.app import App, Unit

TOKEN_PREFIX = "tlx_"  # noqa: S105 (says what the token is for, not a secret)
CHANNEL = "taxii"
_TLP = frozenset(TLP2_IDS.values())
# Objects whose id is not the warning's own but shared with every warning that uses them
# (Tearline's REL TO marking and its extension): a later warning never revokes them.
DEFINITIONS = ("marking-definition", "extension-definition")
_NAMESPACE = uuid.UUID("0b6f1d2e-8a53-4c1e-9f53-2f3b8c7d4e10")  # collection ids, fixed


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def collection_id(recipient_id: int) -> str:
    """The partner's collection: a UUID fixed for the recipient."""
    return str(uuid.uuid5(_NAMESPACE, f"recipient:{recipient_id}"))


def taxii_contact(r: t.Recipient) -> dict[str, str] | None:
    return next((c for c in r.contacts or [] if c.get("channel") == CHANNEL), None)


@dataclass(frozen=True)
class Partner:
    """Who is asking: the recipient a valid token belongs to."""

    recipient_id: int
    ref: str  # "RCP-3"
    name: str
    title: str  # the collection's title: the taxii contact's address
    token_id: int

    @property
    def collection(self) -> str:
        return collection_id(self.recipient_id)


@dataclass(frozen=True)
class TokenView:
    id: int
    recipient: str
    prefix: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _recipient(session: Session, ref: str) -> t.Recipient:
    text = ref.strip()
    try:
        _, number = parse_id(text, Kind.RECIPIENT)
        row = session.get(t.Recipient, number)
    except NotFound:
        row = session.scalar(select(t.Recipient).where(t.Recipient.name == text))
    if row is None:
        raise NotFound(f"no recipient {text!r}: give its reference (RCP-3) or exact name")
    return row


@dataclass(frozen=True)
class NewToken:
    id: int
    token: str  # shown once: only its SHA-256 is kept
    recipient: str  # "RCP-3"
    name: str
    collection: str


def create_token(app: App, recipient: str, *, by: str) -> NewToken:
    """A new token for the partner's collection; returned once, never again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with app.unit() as u:
        r = _recipient(u.session, recipient)
        ref = format_id(Kind.RECIPIENT, r.id)
        if taxii_contact(r) is None:
            raise InvalidState(
                f"{r.name} ({ref}) has no taxii contact point: add one (channel taxii, "
                "address = the collection's title) so its warnings go to a collection"
            )
        row = t.TaxiiToken(
            recipient_id=r.id,
            token_hash=_digest(token),
            prefix=token[:10],
            created_by=by,
            created_at=u.now,
        )
        u.session.add(row)
        u.session.flush()
        u.audit(by, "taxii.token_created", ref, {"token": row.id, "prefix": row.prefix})
        return NewToken(row.id, token, ref, r.name, collection_id(r.id))


def list_tokens(app: App) -> list[TokenView]:
    with app.read() as s:
        rows = s.execute(
            select(t.TaxiiToken, t.Recipient.name).join(t.Recipient).order_by(t.TaxiiToken.id)
        ).all()
        return [
            TokenView(
                row.id,
                f"{format_id(Kind.RECIPIENT, row.recipient_id)} {name}",
                row.prefix,
                row.created_by,
                row.created_at,
                row.last_used_at,
                row.revoked_at,
            )
            for row, name in rows
        ]


def revoke_token(app: App, token_id: int, *, by: str) -> None:
    """Revoke a partner's token at once: its next request is refused (401)."""
    with app.unit() as u:
        row = u.session.get(t.TaxiiToken, token_id)
        if row is None:
            raise NotFound(f"no TAXII token #{token_id}")
        if row.revoked_at is None:
            row.revoked_at = u.now
            ref = format_id(Kind.RECIPIENT, row.recipient_id)
            u.audit(by, "taxii.token_revoked", ref, {"token": token_id})


def _presented(authorization: str) -> tuple[str | None, str] | None:
    """(user name or None, token) from an Authorization header, or None."""
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() == "bearer":
        return None, value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        return (user, password) if sep else None
    return None


def partner_of(app: App, authorization: str) -> Partner | None:
    """The partner a request's credentials belong to, or None (unknown, revoked, or its
    recipient no longer has a taxii contact point)."""
    presented = _presented(authorization)
    if presented is None:
        return None
    user, token = presented
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    now = app.clock.now()
    with app.read() as s:
        row = s.scalar(select(t.TaxiiToken).where(t.TaxiiToken.token_hash == _digest(token)))
        if row is None or row.revoked_at is not None:
            return None
        r = s.get(t.Recipient, row.recipient_id)
        contact = taxii_contact(r) if r is not None else None
        if r is None or contact is None:
            return None
        ref = format_id(Kind.RECIPIENT, r.id)
        if user is not None and user.strip().upper() != ref:
            return None  # Basic: the user name, when given, is the partner's own reference
        partner = Partner(r.id, ref, r.name, contact["address"], row.id)
        stale = row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5)
    if stale:
        with app.unit() as u:
            live = u.session.get(t.TaxiiToken, partner.token_id)
            if live is not None:
                live.last_used_at = u.now
    return partner


def record_pull(app: App, partner: Partner, what: str, warning_ids: set[int], count: int) -> None:
    """A pull that served objects, in the audit record: who, what, which warnings."""
    with app.unit() as u:
        u.audit(
            f"taxii:{partner.ref}",
            "taxii.pull",
            partner.ref,
            {
                "token": partner.token_id,
                "what": what,
                "objects": count,
                "warnings": [format_id(Kind.WARNING, w) for w in sorted(warning_ids)],
            },
        )


# --- Adding to a collection: what the taxii channel does --------------------------------


def _revision(previous: datetime, now: datetime) -> datetime:
    """A new version's time: now, and always after the one it replaces (STIX: ms)."""
    later = max(now, previous + timedelta(milliseconds=1))
    return later.replace(microsecond=later.microsecond // 1000 * 1000)


def _format(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _row(rid: int, wid: int | None, obj: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "recipient_id": rid,
        "warning_id": wid,
        "stix_id": obj["id"],
        "stix_type": obj["type"],
        "version": stix_time(object_version(obj)),
        "date_added": now,
        "revoked": bool(obj.get("revoked")),
        "body": json.dumps(obj, ensure_ascii=False, separators=(",", ":")),
    }


def _insert(u: Unit, rows: list[dict[str, Any]]) -> None:
    """Add rows; one a concurrent delivery added first (the shared TLP definition, by
    another worker) is left as it is rather than failing the whole delivery."""
    if not rows:
        return
    dialect = u.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(t.TaxiiObject).on_conflict_do_nothing(
        index_elements=["recipient_id", "stix_id", "version"]
    )
    u.session.execute(statement, rows)


def _revoke(u: Unit, rid: int, old_warning: int, now: datetime) -> int:
    """Revoked versions of the objects an earlier warning put in this collection."""
    rows = u.session.scalars(
        select(t.TaxiiObject)
        .where(t.TaxiiObject.recipient_id == rid, t.TaxiiObject.warning_id == old_warning)
        .order_by(t.TaxiiObject.version)
    ).all()
    latest: dict[str, t.TaxiiObject] = {}
    for row in rows:
        latest[row.stix_id] = row
    revoked = []
    for row in latest.values():
        if row.revoked or row.stix_type in DEFINITIONS:
            continue  # revoked already (a repeat), or a definition later warnings share
        when = _revision(row.version, now)
        obj = json.loads(row.body) | {"modified": _format(when), "revoked": True}
        revoked.append(_row(rid, old_warning, obj, now))
    _insert(u, revoked)
    return len(revoked)


def add_to_collection(app: App, delivery_id: int) -> str:
    """Add a delivered warning's STIX objects to its partner's collection (once: a repeat
    of the same delivery adds nothing), and revoke what the warning supersedes."""
    with app.unit() as u:
        d = u.session.get(t.Delivery, delivery_id)
        w = u.session.get(t.WarningRecord, d.warning_id) if d is not None else None
        if d is None or w is None:
            raise PermanentFailure(f"no delivery {format_id(Kind.DELIVERY, delivery_id)}")
        rid = d.recipient_id or w.recipient_id
        # One delivery at a time per collection, stamped after the lock: a poller that
        # saw a date_added never later meets an object added before it (added_after).
        # (SQLite: the unit's write lock is already held.)
        u.session.execute(select(t.Recipient.id).where(t.Recipient.id == rid).with_for_update())
        now = app.clock.now()
        stix = (w.artifacts or {}).get("stix")
        if not isinstance(stix, str):
            raise PermanentFailure(f"{format_id(Kind.WARNING, w.id)} has no STIX form")
        objects = json.loads(stix)["objects"]
        held = {
            (sid, version)
            for sid, version in u.session.execute(
                select(t.TaxiiObject.stix_id, t.TaxiiObject.version).where(
                    t.TaxiiObject.recipient_id == rid,
                    t.TaxiiObject.stix_id.in_([o["id"] for o in objects]),
                )
            )
        }
        # The OASIS TLP definitions are shared by every warning: no warning owns them.
        new = [
            _row(rid, None if obj["id"] in _TLP else w.id, obj, now)
            for obj in objects
            if (obj["id"], stix_time(object_version(obj))) not in held
        ]
        _insert(u, new)
        added = len(new)
        revoked = _revoke(u, rid, w.supersedes_id, now) if w.supersedes_id else 0
    note = f", {revoked} revoked" if revoked else ""
    return f"added {added} STIX objects to TAXII collection {collection_id(rid)}{note}"


class TaxiiCollectionChannel:
    """The ``taxii`` channel: a delivery is the warning's objects joining the partner's
    collection on this server (``/taxii2/``); the partner pulls them from there."""

    name: ClassVar[str] = CHANNEL
    forms: ClassVar[tuple[str, ...]] = ()  # the collection reads the stored record

    def __init__(self, app: App) -> None:
        self.app = app

    async def send(self, message: Outbound) -> Receipt:
        _, number = parse_id(message.delivery_ref, Kind.DELIVERY)
        detail = await asyncio.to_thread(add_to_collection, self.app, number)
        return Receipt(detail)


__all__ = [
    "DEFINITIONS",
    "NewToken",
    "Partner",
    "TaxiiCollectionChannel",
    "TokenView",
    "add_to_collection",
    "collection_id",
    "create_token",
    "list_tokens",
    "partner_of",
    "record_pull",
    "revoke_token",
]
