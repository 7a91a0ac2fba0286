"""``tearline taxii``: a partner's token is shown once, listed without it, and revoked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tearline import workflow as wf
from tearline.cli import main
from tearline.settings import load_settings
from tearline.workflow import taxii


def test_a_token_is_shown_once_works_and_stops_when_revoked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("TEARLINE_HOME", str(home))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        got = capsys.readouterr()
        return code, got.out, got.err

    partner = ("--kind", "government", "--tier", "partner", "--jurisdiction", "FR")
    assert run("recipients", "add", "Paris desk", *partner, "--contact", "taxii=Paris")[0] == 0
    assert run("recipients", "add", "Lyon", *partner, "--contact", "email=a@lyon.test")[0] == 0
    code, out, _ = run("taxii", "token", "RCP-1")
    assert code == 0
    token = next(line for line in out.splitlines() if line.startswith("tlx_"))
    assert "shown once" in out
    assert "/taxii2/warnings/collections/" in out
    app = wf.App(load_settings({"home": str(home)}, environ={}))
    try:
        assert taxii.partner_of(app, f"Bearer {token}") is not None
        _, listed, _ = run("taxii", "tokens")
        assert "Paris desk" in listed
        assert token not in listed  # listed by its first characters, never in full
        # A recipient without a taxii contact point has no collection to read.
        code, _, err = run("taxii", "token", "Lyon")
        assert code == 3
        assert "no taxii contact point" in err
        assert run("taxii", "revoke", "1")[0] == 0
        assert taxii.partner_of(app, f"Bearer {token}") is None
        assert run("taxii", "revoke", "9")[0] == 66  # no such token
    finally:
        app.close()
