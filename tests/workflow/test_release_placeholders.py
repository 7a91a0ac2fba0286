"""A deployment that still has a placeholder sender or public URL releases nothing: the
approval is refused before anything is signed, naming the setting to change, and goes
through once it is set (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tearline import workflow as wf
from tearline.errors import ConfigError
from tearline.settings import load_settings, placeholder_settings
from tearline.store import tables as t

People = tuple[wf.Identity, wf.Identity]


def _same_database(app: wf.App, **given: str) -> wf.App:
    settings = load_settings(
        {"home": str(app.settings.home_path), "database_url": app.settings.database, **given},
        environ={},
    )
    return wf.App(settings, clock=app.clock)


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({}, "TEARLINE_SENDER"),  # the shipped default: tearline.invalid
        ({"sender": "alerts@agency.example"}, "TEARLINE_SENDER"),
        (
            {"sender": "Test agency", "public_url": "https://desk.example.org"},
            "TEARLINE_PUBLIC_URL",
        ),
        (
            {"sender": "Test agency", "public_url": "http://tearline.invalid:8000"},
            "TEARLINE_PUBLIC_URL",
        ),
    ],
)
def test_a_placeholder_refuses_the_release_before_anything_is_signed(
    app: wf.App, threat_ref: str, people: People, given: dict[str, str], named: str
) -> None:
    wf.decide(app, threat_ref, people[0])
    proposed = wf.propose_release(app, threat_ref, people[0])
    placeholder = _same_database(app, **given)
    try:
        with pytest.raises(ConfigError) as refused:
            wf.approve_release(placeholder, proposed.ref, people[1])
    finally:
        placeholder.close()
    assert named in str(refused.value)
    assert "nothing is released" in str(refused.value)
    with app.read() as s:
        assert all(w.jws is None for w in s.scalars(select(t.WarningRecord)))
        assert s.scalars(select(t.Delivery)).first() is None
    # with real-looking values (the fixture's) the same release goes through
    released = wf.approve_release(app, proposed.ref, people[1])
    assert released.warnings


def test_real_looking_values_have_nothing_to_change() -> None:
    settings = load_settings({"sender": "Ministry of the Interior"}, environ={})
    assert placeholder_settings(settings) == []  # the loopback default is not a placeholder
    both = load_settings({"public_url": "https://alerts.example"}, environ={})
    problems = placeholder_settings(both)
    assert len(problems) == 2
    assert "'tearline.invalid'" in problems[0]
    assert "https://alerts.example" in problems[1]
