"""Shared fixtures: a fresh home, an App on SQLite or PostgreSQL, demo-like seed data.

PostgreSQL tests run against ``TEARLINE_TEST_POSTGRES_URL``. Without it they are skipped
with a reason — unless ``TEARLINE_REQUIRE_POSTGRES=1`` (set by .ci/run), which turns the
missing server into a failure so CI can never skip them silently.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import URL, create_engine, make_url, text

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.settings import load_settings

START = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)
PASSWORDS = {"dana": "dana-duty-officer-test", "avery": "avery-approver-test"}


def postgres_url() -> str | None:
    url = os.environ.get("TEARLINE_TEST_POSTGRES_URL")
    if url:
        return url
    if os.environ.get("TEARLINE_REQUIRE_POSTGRES") == "1":
        pytest.fail("TEARLINE_REQUIRE_POSTGRES=1 but TEARLINE_TEST_POSTGRES_URL is not set")
    pytest.skip("PostgreSQL not configured: set TEARLINE_TEST_POSTGRES_URL (.ci/run does)")
    return None


@functools.cache
def worker_database(url: str) -> str:
    """One database per test process and run, so parallel tests never share a schema —
    nor do two test runs started side by side on one server. Dropped when the process ends."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8]
    base = make_url(url)
    name = f"{base.database}_{worker}_{run}" if worker else f"{base.database}_p{os.getpid()}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    _CREATED.append((base, name))
    return base.set(database=name).render_as_string(hide_password=False)


_CREATED: list[tuple[URL, str]] = []


@pytest.fixture(autouse=True)
def _a_real_looking_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deployment with the placeholder sender may not release (settings.py): commands a
    test runs sign as a real-looking agency unless the test says otherwise."""
    if "TEARLINE_SENDER" not in os.environ:
        monkeypatch.setenv("TEARLINE_SENDER", "Tearline test agency")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop this process's databases (each worker runs this for its own)."""
    for base, name in _CREATED:
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            engine.dispose()


def fresh_postgres(url: str) -> str:
    """Empty the test database's public schema so each test starts from nothing."""
    url = worker_database(url)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'home' / 'tearline.db'}"
    url = postgres_url()
    assert url is not None
    return fresh_postgres(url)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def app(tmp_path: Path, database_url: str, clock: FixedClock) -> Iterator[wf.App]:
    settings = load_settings(
        {"home": str(tmp_path / "home"), "database_url": database_url, "sender": "Test agency"},
        environ={},
    )
    application = wf.App(settings, clock=clock)
    yield application
    application.close()


@pytest.fixture
def sqlite_app(tmp_path: Path, clock: FixedClock) -> Iterator[wf.App]:
    settings = load_settings({"home": str(tmp_path / "home"), "sender": "Test agency"}, environ={})
    application = wf.App(settings, clock=clock)
    yield application
    application.close()


def seed_users(app: wf.App) -> tuple[wf.Identity, wf.Identity]:
    wf.add_user(
        app, "dana", PASSWORDS["dana"], [wf.Role.ANALYST, wf.Role.DUTY_OFFICER, wf.Role.APPROVER]
    )
    wf.add_user(app, "avery", PASSWORDS["avery"], [wf.Role.APPROVER])
    return wf.sign_in(app, "dana", PASSWORDS["dana"]), wf.sign_in(app, "avery", PASSWORDS["avery"])
