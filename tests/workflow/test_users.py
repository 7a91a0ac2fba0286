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


def test_the_password_check_holds_no_write_lock(
    sqlite_app: wf.App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Argon2 is slow by design; while it runs, the desk's other writers must not wait
    (SQLite has one writer: a sign-in holding the lock stalled every request behind it)."""
    import threading
    from typing import Literal

    from argon2 import PasswordHasher

    from tearline.workflow import sessions, users

    app = sqlite_app
    seed_users(app)
    wrote: list[str] = []

    class WriteDuringCheck(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            # Another person's write, in another thread, during the check: it must finish.
            other = threading.Thread(
                target=lambda: (
                    wf.add_user(app, f"u{len(wrote)}", "long-enough-password", ["analyst"]),
                    wrote.append("done"),
                )
            )
            other.start()
            other.join(timeout=60)  # a deadlock guard, not a timing bound
            assert wrote, "a write waited for the password check"
            return super().verify(hash, password)

    monkeypatch.setattr(users, "_hasher", WriteDuringCheck())
    assert wf.sign_in(app, "dana", PASSWORDS["dana"]).username == "dana"
    who = sessions.sign_in_throttled(app, "avery", PASSWORDS["avery"], "127.0.0.1")
    assert who.username == "avery"
    assert wrote == ["done", "done"]
