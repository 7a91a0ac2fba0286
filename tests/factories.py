"""Hand-built domain values for testing stages without running extraction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tearline import workflow as wf
from tearline.model import (
    Actor,
    Contact,
    Event,
    EventKind,
    Harm,
    HarmFact,
    Method,
    MethodFact,
    Modality,
    Place,
    PlacePrecision,
    Span,
    Target,
    TargetType,
    TimePrecision,
    TimeWindow,
)

DOC_DATE = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)


def span(text: str, start: int = 0) -> Span:
    return Span(start, start + len(text), text)


def moscow_threat(**changes: object) -> Event:
    """ISIS-K planning an armed attack on large gatherings in Moscow within days."""
    event = Event(
        kind=EventKind.THREAT,
        modality=Modality.PLANNED,
        evidence=(span("ISIS-K operatives planning an armed attack"),),
        actors=(Actor(span("ISIS-K"), canonical="ISIL Khorasan", org_id="ofac:18647"),),
        harm=(HarmFact(Harm.KILLING, span("kill")),),
        method=MethodFact(Method.ARMED_ASSAULT, span("armed attack"), weapon="automatic rifles"),
        targets=(
            Target(TargetType.MASS_GATHERING, span("large gatherings")),
            Target(TargetType.CONCERT, span("concerts")),
            Target(TargetType.CONCERT, span("Crocus City Hall"), name="Crocus City Hall"),
        ),
        place=Place(
            span("Moscow"),
            precision=PlacePrecision.VENUE,
            country="RU",
            city="Moscow",
            region="Moscow",
            venue="Crocus City Hall",
            lat=55.82529,
            lon=37.38859,
            geonameid=524901,
        ),
        time=TimeWindow(
            span("within days"), DOC_DATE, DOC_DATE + timedelta(days=7), TimePrecision.WINDOW
        ),
        confidence=0.8,
    )
    if changes:
        from dataclasses import replace

        event = replace(event, **changes)  # type: ignore[arg-type]
    return event


def add_moscow_recipients(
    app: wf.App, webhook: str, *, liaison: tuple[Contact, ...] = (), public_webhook: bool = True
) -> None:
    """The demo's two recipients: the FSB through liaison, and the public in Moscow.

    ``webhook`` is a loopback receiver's base URL; ``liaison`` adds contacts beside the
    liaison note (e-mail, SMS) for tests of those channels.
    """
    wf.add_recipient(
        app,
        name="Russian Federation (liaison)",
        kind="government",
        tier="adversary",
        language="en",
        jurisdiction="RU",
        contacts=[Contact("liaison_note", "moscow-desk"), *liaison],
    )
    add_public_in_moscow(app, f"{webhook}/alerts" if public_webhook else None)


def add_public_in_moscow(app: wf.App, webhook: str | None = None) -> None:
    """The public in Moscow: the public feed, and a webhook at ``webhook`` if given."""
    public = [Contact("public_feed", "ru-moscow")]
    if webhook is not None:
        public.insert(0, Contact("webhook", webhook))
    wf.add_recipient(
        app,
        name="Public in Moscow",
        kind="public",
        tier="public",
        language="en",
        area_country="RU",
        area_city="Moscow",
        contacts=public,
    )


def add_liaison_with_fallback(app: wf.App) -> None:
    """The Russian government by liaison note, with e-mail as its fallback contact point."""
    wf.add_recipient(
        app,
        name="Russian Federation (liaison)",
        kind="government",
        tier="adversary",
        language="en",
        jurisdiction="RU",
        contacts=[Contact("liaison_note", "moscow-desk")],
        fallback_contacts=[Contact("email", "duty@fsb.test")],
    )
