"""The role taggers never stop extraction: changed inputs are said, not refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tearline.cli import main
from tearline.extract import _roles, extract

from ._support import DEMO_DATE

TEXT = "Gunmen attacked a hotel in Kabul yesterday, killing 5 people."


@pytest.fixture
def fresh_model() -> Iterator[None]:
    _roles._load.cache_clear()
    yield
    _roles._load.cache_clear()


def test_the_shipped_model_is_in_use_on_the_inputs_it_was_trained_on(fresh_model: None) -> None:
    status = _roles.status()
    assert status.state == "in use"
    assert status.changed == ()
    assert {c.name for c in status.checks} == {"word_classes", "lexicon", "names"}


def test_a_changed_input_leaves_the_taggers_running_and_says_so(
    fresh_model: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr(_roles, "word_classes_digest", lambda: "0" * 64)
    assert _roles.load() is not None  # not refused
    status = _roles.status()
    assert status.state == "inputs changed"
    assert status.changed == ("word_classes",)
    [e] = extract(TEXT, DEMO_DATE)
    assert e.place is not None
    assert e.place.city == "Kabul"
    assert main(["--home", str(tmp_path), "doctor", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["usable"] is True
    assert report["role_model"]["state"] == "inputs changed"
    assert report["role_model"]["inputs"]["word_classes"].startswith("differs")
    assert report["role_model"]["inputs"]["lexicon"] == "matches"


def test_a_model_for_other_features_leaves_the_rules_alone(
    fresh_model: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_roles, "FEATURES_VERSION", -1)
    assert _roles.load() is None
    status = _roles.status()
    assert status.state == "rules only"
    assert "other features" in status.reason
    [e] = extract(TEXT, DEMO_DATE)  # the rules still read it
    assert e.method is not None
    assert e.method.method.value == "armed_assault"


def test_names_a_deployment_adds_do_not_change_what_the_taggers_see(
    fresh_model: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    names = tmp_path / "names.toml"
    names.write_text('[[alias]]\nof = "Islamic State"\nalias = "Wilayat Zed"\n', encoding="utf-8")
    monkeypatch.setenv("TEARLINE_NAMES_FILE", str(names))
    found = extract("Wilayat Zed militants bombed a market in Kabul, killing 12 people.", DEMO_DATE)
    assert any(a.org_id == "ofac:8759" for e in found for a in e.actors)
    assert _roles.status().state == "in use"
