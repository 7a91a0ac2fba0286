"""The desk's commands as an administrator meets them: ``tearline users``, ``serve`` and
``demo`` (which leaves the desk open on the case and prints the address and users)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tearline.cli import main
from tests.web.desk import csrf_of


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TEARLINE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("TEARLINE_NEW_PASSWORD", "a-long-enough-password")
    monkeypatch.setenv("TEARLINE_PASSWORD", "a-long-enough-password")  # ana mints her own token
    return tmp_path / "home"


def test_users_roles_compartments_and_tokens(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "users", "add", "ana", "--role", "analyst", "--compartment", "ct")
    assert code == 0
    assert "compartments CT" in out
    assert run(capsys, "users", "compartments", "ana", "--add", "HUM", "--remove", "CT")[1] == (
        "ana holds: HUM\n"
    )
    assert (
        run(capsys, "users", "roles", "ana", "--role", "analyst", "--role", "duty_officer")[0] == 0
    )
    code, out, _ = run(capsys, "users", "token", "ana", "--name", "triage bot", "--days", "30")
    assert code == 0
    token = out.strip().splitlines()[-1]
    assert token.startswith("tl_")
    assert len(token) > 30
    listed = run(capsys, "users", "tokens")[1]
    assert "'triage bot'" in listed
    assert token not in listed
    assert run(capsys, "users", "revoke-token", "1")[0] == 0
    assert "revoked" in run(capsys, "users", "tokens", "ana")[1]
    assert run(capsys, "users", "deactivate", "ana")[0] == 0
    assert run(capsys, "users", "list")[1] == "ana: analyst, duty_officer [HUM] (deactivated)\n"
    code, _, err = run(capsys, "users", "roles", "ana", "--role", "wizard")
    assert code == 2  # a usage error: the valid roles are listed
    assert "'wizard' is not one of analyst, duty_officer, approver, auditor, admin" in err
    code, _, err = run(capsys, "users", "compartments", "nobody", "--add", "CT")
    assert code == 66
    assert "no user 'nobody'" in err
    code, _, err = run(capsys, "users", "compartments", "ana", "--add", "not a name!")
    assert code == 65
    assert "not a compartment name" in err


def test_serve_is_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "serve", "--help")
    assert code == 0
    assert "--port" in out
    assert "--no-worker" in out


@pytest.mark.slow
def test_demo_leaves_the_desk_open_on_the_case(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("TEARLINE_DATABASE_URL", None)
    home = tmp_path / "demo"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tearline", "demo", "--home", str(home), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 240
        url = None
        assert proc.stdout is not None
        while time.monotonic() < deadline and url is None:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            found = re.search(r"(http://127\.0\.0\.1:\d+)/threats/(THR-\d+)", line)
            if found:
                url, case = found.group(1), found.group(2)
        output = "".join(lines)
        assert url is not None, output[-3000:]
        assert "dana-duty-officer-demo" in output
        assert "ari-analyst-demo" in output
        with httpx.Client(base_url=url, follow_redirects=False) as c:
            token = csrf_of(c.get("/login").text)
            r = c.post(
                "/login",
                data={
                    "username": "dana",
                    "csrf_token": token,
                    "password": "dana-duty-officer-demo",
                },
            )
            assert r.status_code == 303
            page = c.get(f"/threats/{case}")
            assert page.status_code == 200
            assert "Crocus City Hall" in page.text
            assert "disputed" in c.get("/deliveries").text
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
