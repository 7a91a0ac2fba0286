"""An analyst corrects a venue's place on a case and asks the desk to remember it: the
next report naming that venue is placed there."""

from __future__ import annotations

from typing import Any

from tearline import workflow as wf
from tests.web.conftest import PROVENANCE
from tests.web.desk import Desk

LUZHNIKI = (
    b"LIAISON REPORT\n\nGunmen are planning an attack on the Luzhniki Stadium in Moscow "
    b"on Friday.\n"
)
# Luzhniki Stadium's own point (the venue gazetteer does not ship it; extraction gives
# it Moscow's centre, 55.752, 37.618)
LAT, LON = 55.7158, 37.5537


NEXT = b"Militants intend to bomb the Luzhniki Stadium in Moscow during Sunday's match.\n"


def _case(app: wf.App) -> str:
    result = wf.ingest_bytes(app, LUZHNIKI, "luzhniki.txt", PROVENANCE, actor="ana")
    return next(e.threat_ref for e in result.events if e.threat_ref)


def _next_place(app: wf.App) -> dict[str, Any]:
    """The place of the event the next report (another text naming the stadium) yields."""
    result = wf.ingest_bytes(app, NEXT, "next.txt", PROVENANCE, actor="ana")
    event = wf.show(app, result.events[0].ref)
    place: dict[str, Any] = event["facts"]["place"]
    return place


def _correct(desk: Desk, ref: str, lat: str, *, remember: bool) -> str:
    ana = desk.client("ana")
    form = {
        "field": "place",
        "venue": "Luzhniki Stadium",
        "city": "Moscow",
        "country": "RU",
        "precision": "venue",
        "lat": lat,
        "lon": str(LON),
        "reason": "the stadium is south-west of the centre",
    }
    if remember:
        form["remember"] = "1"
    return ana.flash(ana.post(f"/threats/{ref}/correct", data=form))


def test_a_remembered_correction_places_the_next_report(sqlite_desk: Desk) -> None:
    app = sqlite_desk.app
    first = _case(app)
    placed = wf.show(app, first)["facts"]["place"]
    assert (placed["venue"], round(placed["lat"], 2)) == ("Luzhniki Stadium", 55.75)
    page = sqlite_desk.client("ana").get(f"/threats/{first}").text
    assert "Remember this venue's place" in page

    said = _correct(sqlite_desk, first, str(LAT), remember=True)
    assert said.startswith(f"ok: place corrected on {first}")
    assert "remembered for the next report that names it" in said

    place = _next_place(app)
    assert (place["venue"], place["lat"], place["lon"]) == ("Luzhniki Stadium", LAT, LON)
    actions = [e["action"] for e in wf.audit_entries(app)]
    assert "venue.remembered" in actions


def test_a_correction_not_remembered_leaves_the_next_report_alone(sqlite_desk: Desk) -> None:
    app = sqlite_desk.app
    first = _case(app)
    assert _correct(sqlite_desk, first, str(LAT), remember=False).startswith("ok: ")
    place = _next_place(app)
    assert round(place["lat"], 2) == 55.75


def test_remembering_a_place_without_coordinates_is_refused_and_nothing_changes(
    sqlite_desk: Desk,
) -> None:
    app = sqlite_desk.app
    first = _case(app)
    before = wf.show(app, first)["facts"]["place"]
    said = _correct(sqlite_desk, first, "", remember=True)
    assert said.startswith("error: only a venue with its country, latitude and longitude")
    assert wf.show(app, first)["facts"]["place"] == before
    assert not (app.home / "venues.toml").exists()
