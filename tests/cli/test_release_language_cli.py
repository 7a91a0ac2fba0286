"""``tearline release`` for a recipient whose language Tearline does not write: refused
with the choices listed until ``--language-fallback`` gives one; the preview then says
what the warning is written in and why."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from tearline import workflow as wf
from tearline.settings import load_settings
from tearline.store import tables as t
from tests.workflow.test_release_cli import case, run

__all__ = ["case"]  # the fixture: a home with two officers, two recipients and a case


def _in_japanese(home: Path) -> None:
    app = wf.App(load_settings({"home": str(home)}, environ={}))
    try:
        with app.unit() as u:
            u.session.execute(
                update(t.Recipient)
                .where(t.Recipient.name == "Russia (liaison)")
                .values(language="ja")
            )
    finally:
        app.close()


def test_release_asks_for_a_fallback_then_records_it(
    case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _in_japanese(case)
    code, out, err = run(capsys, "release", "THR-1", "--user", "dana")
    assert code != 0
    assert "Russia (liaison)" in err
    assert "日本語 (ja)" in err
    assert "--language-fallback" in err
    assert "REL-1" not in out
    code, _, err = run(capsys, "release", "THR-1", "--user", "dana", "--language-fallback", "maybe")
    assert code != 0
    assert "english, country, hold" in err
    code, out, err = run(
        capsys, "release", "THR-1", "--user", "dana", "--language-fallback", "country"
    )
    assert code == 0, err
    assert "REL-1 proposed" in out
    assert (
        "Russia (liaison): no warning phrases in 日本語 (ja): written in русский (ru) "
        "(choice: country)" in " ".join(out.split())
    )
    code, out, _ = run(capsys, "preview", "REL-1")
    assert code == 0
    assert "(choice: country)" in " ".join(out.split())
