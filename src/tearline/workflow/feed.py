"""The public feed, from the record: every public warning that went out on the feed channel.

An entry appears once its ``public_feed`` delivery is recorded as delivered, so the feed
and the outbox never disagree about what was published.
"""

from __future__ import annotations

from sqlalchemy import literal, select

from tearline.deliver.feed import FeedEntry, fallback_cap, render_atom
from tearline.ids import Kind, format_id
from tearline.store import tables as t
from tearline.workflow.app import App
from tearline.workflow.outbox import sent_document, status_is

# A delivery on the public feed, in the words of its index's condition (literals, as
# ``outbox.status_is`` says why)
_ON_THE_FEED = (
    t.Delivery.channel == literal("public_feed", literal_execute=True),
    status_is(t.Delivery.status, "delivered"),
)


def feed_entries(app: App, name: str | None = None, limit: int = 200) -> list[FeedEntry]:
    """The latest published public warnings, optionally of one feed (e.g. "ru-moscow")."""
    base = app.settings.public_url.rstrip("/")
    with app.read() as s:
        q = (
            select(t.Delivery, t.WarningRecord)
            .join(t.WarningRecord, t.WarningRecord.id == t.Delivery.warning_id)
            .where(*_ON_THE_FEED)  # ix_deliveries_public_feed, newest first
            .order_by(t.Delivery.delivered_at.desc())
            .limit(limit)
        )
        if name is not None:
            q = q.where(t.Delivery.address == name)
        out = []
        for d, w in s.execute(q).all():
            assert w.released_at is not None
            assert d.delivered_at is not None
            document = sent_document(w.content)
            cap = (w.artifacts or {}).get("cap") or fallback_cap(document, w.released_at)
            ref = format_id(Kind.WARNING, w.id)
            out.append(
                FeedEntry(
                    reference=ref,
                    title=str(document.get("subject", ref)),
                    summary=str(document.get("text", "")),
                    published=w.released_at,
                    updated=d.delivered_at,
                    cap_xml=cap,
                    jws_url=f"{base}/feed/{ref}.jws",
                    cap_url=f"{base}/feed/{ref}.cap",
                    verify_url=f"{base}/verify?warning={ref}",
                    area=d.address,
                )
            )
        return out


def feed_atom(app: App, name: str | None = None) -> bytes:
    """The Atom document for ``/feed.atom`` (or one named feed)."""
    base = app.settings.public_url.rstrip("/")
    path = "/feed.atom" if name is None else f"/feed/{name}.atom"
    sender = app.settings.sender
    return render_atom(
        feed_id=f"{base}{path}",
        title=f"{sender}: public security alerts" + (f" ({name})" if name else ""),
        self_url=f"{base}{path}",
        author=sender,
        entries=feed_entries(app, name),
        now=app.clock.now(),
    )


def published(app: App, warning_ref: str) -> tuple[str, str] | None:
    """(signed JWS, CAP XML) of a warning on the public feed; None if it is not there."""
    from tearline.ids import parse_id

    _, number = parse_id(warning_ref, Kind.WARNING)
    with app.read() as s:
        w = s.scalar(
            select(t.WarningRecord)
            .join(t.Delivery, t.Delivery.warning_id == t.WarningRecord.id)
            .where(
                t.WarningRecord.id == number,
                *_ON_THE_FEED,
            )
            .limit(1)
        )
        if w is None or w.jws is None or w.released_at is None:
            return None
        document = sent_document(w.content)
        return w.jws, (w.artifacts or {}).get("cap") or fallback_cap(document, w.released_at)
