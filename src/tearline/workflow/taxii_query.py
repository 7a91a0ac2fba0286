"""Reading a partner's TAXII collection: the filters and paging of TAXII 2.1, and the
check, per object and at every request, that the partner may still see it.

An object is served only when it is in this partner's collection and, where it came
with a warning, that warning is still addressed to this partner, its releasability
markings still allow the partner's nation and communities, and it is still released; once
a later warning superseded it (an Update, a withdrawal, an all-clear) only its revoked
version is served, so a partner that holds the object learns to drop it and one that
never pulled it does not get it. The shared OASIS TLP definitions belong to no warning.

Filters (TAXII 2.1 §3.4): ``added_after``, ``match[id]``, ``match[type]``,
``match[version]`` (``last`` by default, ``first``, ``all`` or timestamps) and
``match[spec_version]``; ``limit`` and ``next`` page through them in the order objects
were added.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from tearline.errors import InputError
from tearline.markings import from_json
from tearline.release.stix import TLP2_IDS
from tearline.store import tables as t
from tearline.workflow.app import App
from tearline.workflow.case_markings import recipient_nation
from tearline.workflow.taxii import DEFINITIONS

DEFAULT_PAGE = 100
MAX_PAGE = 1000
SPEC_VERSION = "2.1"
_KEYWORDS = frozenset({"last", "first", "all"})


@dataclass(frozen=True)
class Filters:
    added_after: datetime | None = None
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)  # keywords; timestamps are in ``at``
    at: tuple[datetime, ...] = ()
    spec_versions: tuple[str, ...] = ()
    limit: int = DEFAULT_PAGE
    after: tuple[datetime, int] | None = None  # the cursor ``next`` stands for


@dataclass(frozen=True)
class Item:
    """One version of one object, as the collection holds it."""

    stix_id: str
    stix_type: str
    version: datetime
    date_added: datetime
    body: str
    warning_id: int | None


@dataclass(frozen=True)
class Page:
    items: list[Item] = field(default_factory=list)
    more: bool = False
    next: str | None = None


def timestamp(text: str, what: str) -> datetime:
    """An RFC 3339 time in UTC, as TAXII filters give them."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise InputError(f"{what} {text!r} is not a timestamp such as 2024-03-07T10:00:00.000Z")
    return value.astimezone(UTC)


def taxii_time(when: datetime) -> str:
    """TAXII's form of a time: UTC, microseconds, Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def stix_version(when: datetime) -> str:
    """A version as STIX writes it: milliseconds unless the time has finer ones."""
    text = taxii_time(when)
    return text[:-4] + "Z" if when.microsecond % 1000 == 0 else text


def _next(date_added: datetime, row_id: int) -> str:
    raw = f"{date_added.isoformat()}|{row_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _read_cursor(text: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        when, _, number = raw.partition("|")
        return datetime.fromisoformat(when), int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InputError(f"next {text!r} is not a value this server gave") from None


def _split(params: Mapping[str, str], key: str) -> tuple[str, ...]:
    raw = params.get(key)
    if raw is None:
        return ()
    values = tuple(v.strip() for v in raw.split(",") if v.strip())
    if not values:
        raise InputError(f"{key} is empty: give one or more values separated by commas")
    return values


def filters_from(params: Mapping[str, str]) -> Filters:
    """The filters of a request's query string; InputError names a bad one. Others (a
    ``match[…]`` field this server does not filter on) are ignored, as TAXII servers do."""
    limit = DEFAULT_PAGE
    if "limit" in params:
        try:
            limit = int(params["limit"])
        except ValueError:
            limit = 0
        if limit <= 0:
            raise InputError(f"limit {params['limit']!r} must be a positive whole number")
    versions = _split(params, "match[version]") or ("last",)
    keywords = tuple(v for v in versions if v in _KEYWORDS)
    at = tuple(timestamp(v, "match[version]") for v in versions if v not in _KEYWORDS)
    added = params.get("added_after")
    return Filters(
        added_after=timestamp(added, "added_after") if added is not None else None,
        ids=_split(params, "match[id]"),
        types=_split(params, "match[type]"),
        versions=keywords,
        at=at,
        spec_versions=_split(params, "match[spec_version]"),
        limit=min(limit, MAX_PAGE),
        after=_read_cursor(params["next"]) if params.get("next") else None,
    )


# Made once: a fresh alias per request costs more than the query (and misses the cache).
_WARNING = aliased(t.WarningRecord, name="taxii_warning")
_WARNING_OF_OTHER = aliased(t.WarningRecord, name="taxii_other_warning")
_OTHER = aliased(t.TaxiiObject, name="taxii_other")


def _visible(o: Any, recipient_id: int, w: Any = _WARNING) -> ColumnElement[bool]:
    """The serve-time check: this partner's object, from a warning still addressed to it
    and still released (or, once superseded, only the revoked version); of objects that
    came with no warning, only the OASIS TLP definitions."""
    return and_(
        o.recipient_id == recipient_id,
        or_(
            # the OASIS TLP definitions (public, shared by all warnings) and nothing else
            and_(o.warning_id.is_(None), o.stix_id.in_(sorted(TLP2_IDS.values()))),
            exists().where(
                w.id == o.warning_id,
                w.recipient_id == recipient_id,
                or_(
                    w.status == "released",
                    # superseded: only revoked versions, and the definitions it shares
                    # with its successor (never revoked: workflow.taxii.DEFINITIONS)
                    and_(
                        w.status == "superseded",
                        or_(o.revoked, o.stix_type.in_(DEFINITIONS)),
                    ),
                ),
            ),
        ),
    )


def _version_filter(o: Any, recipient_id: int, f: Filters) -> ColumnElement[bool]:
    if "all" in f.versions:
        return and_(True)
    choices: list[ColumnElement[bool]] = []
    if f.at:
        choices.append(o.version.in_(f.at))
    for keyword, pick in (("last", func.max), ("first", func.min)):
        if keyword in f.versions:
            other = _OTHER
            edge = (
                select(pick(other.version))
                .where(
                    other.stix_id == o.stix_id,
                    _visible(other, recipient_id, _WARNING_OF_OTHER),
                )
                .scalar_subquery()
            )
            choices.append(o.version == edge)
    return or_(*choices) if choices else false()


def _outside_markings(s: Session, recipient_id: int) -> list[int]:
    """The partner's warnings whose releasability markings no longer allow it, as the
    registry now has its nation and communities (it may have left a community since)."""
    r = s.get(t.Recipient, recipient_id)
    if r is None:
        return []
    nation, communities = recipient_nation(r), list(r.communities or [])
    marked = s.execute(
        select(t.WarningRecord.id, t.WarningRecord.content["markings"]).where(
            t.WarningRecord.recipient_id == recipient_id,
            t.WarningRecord.status.in_(("released", "superseded")),
        )
    )
    return [
        wid
        for wid, markings in marked
        if isinstance(markings, dict)
        and not from_json(markings.get("rel_to") or []).allows(nation, communities)
    ]


def read_page(app: App, recipient_id: int, f: Filters) -> Page:
    """One page of the partner's collection under the filters, in the order added."""
    if f.spec_versions and SPEC_VERSION not in f.spec_versions:
        return Page()
    o = t.TaxiiObject
    # Plain columns, not ORM objects: a page is read and thrown away.
    query = select(
        o.stix_id, o.stix_type, o.version, o.date_added, o.body, o.warning_id, o.id
    ).where(_visible(o, recipient_id), _version_filter(o, recipient_id, f))
    if f.added_after is not None:
        query = query.where(o.date_added > f.added_after)
    if f.ids:
        query = query.where(o.stix_id.in_(f.ids))
    if f.types:
        query = query.where(o.stix_type.in_(f.types))
    if f.after is not None:
        when, row_id = f.after
        query = query.where(or_(o.date_added > when, and_(o.date_added == when, o.id > row_id)))
    query = query.order_by(o.date_added, o.id).limit(f.limit + 1)
    with app.read() as s:
        if excluded := _outside_markings(s, recipient_id):
            query = query.where(or_(o.warning_id.is_(None), o.warning_id.not_in(excluded)))
        rows = s.execute(query).all()
    more = len(rows) > f.limit
    rows = rows[: f.limit]
    items = [Item(*r[:6]) for r in rows]
    cursor = _next(rows[-1].date_added, rows[-1].id) if more and rows else None
    return Page(items, more, cursor)
