"""An analyst's venue correction, remembered: the next report naming the venue is placed
where the analyst put it (the venues file, tearline/venues.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tearline import venues
from tearline.errors import InputError
from tearline.ids import Kind, format_id
from tearline.store import tables as t
from tearline.workflow.access import load_visible
from tearline.workflow.app import App
from tearline.workflow.users import Identity, Role


def check_rememberable(place: dict[str, Any] | None) -> None:
    """Refuse (InputError) a place that cannot be remembered: one without a venue, its
    country, a latitude and a longitude."""
    place = place or {}
    if (
        not place.get("venue")
        or not place.get("country")
        or None
        in (
            place.get("lat"),
            place.get("lon"),
        )
    ):
        raise InputError(
            "only a venue with its country, latitude and longitude can be remembered; "
            "fill in Venue, Country, Latitude and Longitude"
        )


def remember_venue(app: App, threat_ref: str, who: Identity) -> str:
    """Add the case's venue, at the coordinates its place has now, to the deployment's
    venues file; returns the venue's name. Refused (InputError) unless the place names a
    venue, its country and a latitude and longitude."""
    who.require(Role.ANALYST, "remember a venue's place")
    with app.unit() as u:
        threat: t.Threat = load_visible(u.session, threat_ref, who, Kind.THREAT)
        ref = format_id(Kind.THREAT, threat.id)
        place = threat.facts.get("place") or {}
        check_rememberable(place)
        name, country = place["venue"], place["country"]
        lat, lon = place["lat"], place["lon"]
        where = venues.remember(
            venues.Venue(
                str(name),
                str(country),
                float(lat),
                float(lon),
                city=place.get("city") or None,
                source=f"analyst's correction on {ref}, {u.now.date().isoformat()}",
            ),
            app_file(app),
        )
        # the venue's name stays out of the audit entry, as every fact's value does
        u.audit(who.username, "venue.remembered", ref, {"country": country, "file": where.name})
    return str(name)


def app_file(app: App) -> Path:
    """The venues file of this app's settings."""
    return venues.file_of(app.settings.venues_file, app.settings.home_path)
