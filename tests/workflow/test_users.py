"""Signing in: Argon2 hashes, one message for unknown users and wrong passwords."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tearline import workflow as wf
from tearline.errors import AuthError, InvalidState
from tearline.store import tables as t
from tests.conftest import PASSWORDS, seed_users


def test_sign_in_and_roles(app: wf.App) -> None:
    dana, avery = seed_users(app)
    assert {wf.Role.DUTY_OFFICER, wf.Role.APPROVER} <= dana.roles
    assert avery.roles == frozenset({wf.Role.APPROVER})
    with app.read() as s:
        stored = s.scalar(select(t.User.password_hash).where(t.User.username == "dana"))
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert PASSWORDS["dana"] not in stored


def test_failures_look_the_same_and_are_audited(app: wf.App) -> None:
    seed_users(app)
    with pytest.raises(AuthError) as wrong:
        wf.sign_in(app, "dana", "not-her-password")
    with pytest.raises(AuthError) as unknown:
        wf.sign_in(app, "eve", "whatever-password")
    assert str(wrong.value).replace("dana", "X") == str(unknown.value).replace("eve", "X")
    failed = [e for e in wf.audit_entries(app) if e["action"] == "login.failed"]
    assert [e["actor"] for e in failed] == ["dana", "eve"]


def test_short_passwords_and_duplicates_are_refused(app: wf.App) -> None:
    with pytest.raises(AuthError, match="12 characters"):
        wf.add_user(app, "x", "short", [wf.Role.ANALYST])
    wf.add_user(app, "x", "long-enough-password", [wf.Role.ANALYST])
    with pytest.raises(InvalidState, match="already exists"):
        wf.add_user(app, "x", "long-enough-password", [wf.Role.ANALYST])
