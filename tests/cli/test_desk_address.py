"""Where links point, and a busy port: ``serve --port N`` puts N in the feed's and the
reply links unless TEARLINE_PUBLIC_URL says otherwise, and ``demo`` on a port in use fails
at once, naming the port, before the case is run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.test_cli import run


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _feed_when_up(port: int, proc: subprocess.Popen[bytes], log: Path) -> str:
    # A hang guard only (the desk starts in seconds): never a limit on how fast it is.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serve exited with {proc.returncode}: {log.read_text()}")
        try:
            return httpx.get(f"http://127.0.0.1:{port}/feed.atom", timeout=5).text
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("the desk never answered")


@pytest.mark.parametrize("public_url", [None, "https://alerts.ministry.gov.test"])
def test_serve_on_a_port_puts_that_port_in_its_links(
    tmp_path: Path, public_url: str | None
) -> None:
    port = _free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in ("TEARLINE_CONFIG", "TEARLINE_PUBLIC_URL")
    }
    env |= {"TEARLINE_HOME": str(tmp_path / "home")}
    env.pop("TEARLINE_DATABASE_URL", None)
    if public_url:
        env["TEARLINE_PUBLIC_URL"] = public_url
    else:  # the shipped placeholder sender: the desk runs, and says it cannot release yet
        env.pop("TEARLINE_SENDER", None)
    cmd = [sys.executable, "-m", "tearline", "serve", "--port", str(port), "--no-worker"]
    log = tmp_path / "serve.log"
    with log.open("wb") as sink, subprocess.Popen(cmd, env=env, stdout=sink, stderr=sink) as proc:
        try:
            feed = _feed_when_up(port, proc, log)
        finally:
            proc.terminate()
            proc.wait(timeout=60)  # a hang guard
    said = log.read_text()
    assert ("TEARLINE_SENDER" in said) is (public_url is None), said
    want = public_url or f"http://127.0.0.1:{port}"
    assert f'href="{want}/feed.atom"' in feed or f"<id>{want}/feed.atom</id>" in feed
    assert ":8000" not in feed


def test_demo_on_a_busy_port_fails_at_once_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "demo-home"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = run(capsys, "demo", "--home", str(home), "--port", str(port))
    assert code != 0
    assert f"127.0.0.1:{port}" in err
    assert "--port" in err
    assert "1. Intake" not in out  # the case was not run first
    assert not (home / "tearline.db").exists()
