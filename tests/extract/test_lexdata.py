"""The words extraction knows are data (data/lexicon/<lang>/*.toml), each file complete,
valid and read."""

from __future__ import annotations

import copy
import json
import tomllib
from importlib import resources
from typing import Any

import pytest

from tearline.extract import _lexdata, _lexicon
from tearline.extract._lexdata import LexiconError
from tearline.extract._text import fold

PHRASES = resources.files("tearline.data").joinpath("lexicon/en/phrases.toml")


def raw() -> dict[str, Any]:
    return tomllib.loads(PHRASES.read_text(encoding="utf-8"))


def test_every_section_of_the_phrases_file_is_read() -> None:
    lexicon = _lexdata.load("en")
    sections = {g.section for g in lexicon.phrases.groups}
    assert sections == set(_lexdata.PHRASE_SECTIONS)
    assert set(raw()) == {*_lexdata.PHRASE_SECTIONS, "weapon_method", "method_weapons",
                          "method_priority"}  # fmt: skip
    # what the rules read is what the file says
    assert dict(lexicon.phrases.weapon_method) == _lexicon.WEAPON_METHOD
    assert lexicon.phrases.method_priority == _lexicon.METHOD_PRIORITY
    assert {m: frozenset(c) for m, c in _lexicon.METHOD_WEAPONS.items()} == dict(
        lexicon.phrases.method_weapons
    )


def test_every_phrase_of_the_file_is_in_the_index_with_its_meaning() -> None:
    index = _lexicon.index()
    for group in _lexdata.load("en").phrases.groups:
        for spec in group.words:
            phrase = spec.split("|")[0].removesuffix(":p")
            [match] = [m for m in index.find(fold(phrase)) if (m.start, m.end) == (0, len(phrase))]
            got = {(v.role, v.value, v.rules_only) for v in match.values}
            assert {(m.role, m.value, m.rules_only) for m in group.means} <= got, spec


def test_the_shipped_role_model_still_matches_the_lexicon() -> None:
    meta = json.loads(
        resources.files("tearline.data").joinpath("roles/model.json").read_text(encoding="utf-8")
    )
    assert _lexicon.digest() == meta["lexicon"]["sha256"]


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda d: d["attack"][0].update(means=["method flying"]), "'flying' is not a value"),
        (lambda d: d["attack"][0].update(means=["mood angry"]), "'mood' is not a role"),
        (lambda d: d["weapon"][0].update(colour="red"), "unknown key(s) colour"),
        (lambda d: d.update(emotions=[]), "unknown key(s) emotions"),
        (lambda d: d.pop("harm"), "missing harm"),
        (lambda d: d["method_priority"].update(order=["teleporting"]), "not a method"),
        (lambda d: d["target"][1].update(rules_only=["harm killing"]), "rules_only names marks"),
        (lambda d: d["individuals"][0].update(words=["gunmen", ""]), "non-empty strings"),
    ],
)  # fmt: skip
def test_a_wrong_entry_is_refused_naming_where(
    monkeypatch: pytest.MonkeyPatch, edit: Any, says: str
) -> None:
    data = copy.deepcopy(raw())
    edit(data)
    monkeypatch.setattr(_lexdata, "_file", lambda lang, name: data)
    _lexdata.load.cache_clear()
    try:
        with pytest.raises(LexiconError) as got:
            _lexdata.load("en")
        assert says in str(got.value)
        assert "lexicon/en/phrases.toml" in str(got.value)
    finally:
        monkeypatch.undo()
        _lexdata.load.cache_clear()


def test_only_the_languages_there_are_data_for() -> None:
    with pytest.raises(LexiconError, match="no lexicon for language 'fr'"):
        _lexdata.load("fr")


def test_the_word_files_are_what_the_code_reads() -> None:
    from tearline.extract import _actors, _pipeline, _role_features, _roles, _text

    lexicon = _lexdata.load("en")
    for word in lexicon.actors.not_people_before:  # "militant group": no people acting
        assert _actors._ADJECTIVE_BEFORE.match(" " + word.upper())
    assert lexicon.fillers.clause == _roles._CLAUSE
    assert lexicon.fillers.trailing == _roles._TRAILING
    assert _roles._TRAILING >= _roles._LEADING
    assert lexicon.fillers.function_words == _roles._FUNCTION_WORDS
    assert list(_role_features.SENTENCE_CUES) == list(lexicon.fillers.sentence_cues)
    assert lexicon.text.abbreviations == _text._ABBREVIATIONS
    assert lexicon.text.meta_keys == _text._META_KEYS
    for word in lexicon.text.possessives:
        assert _pipeline._THEIR_COUNTRY.search(f"said it happened in {word} own country")
    for word in lexicon.text.town_lists["emphasis"]:
        assert _pipeline._TOWNS_GAP.fullmatch(f" and {word.upper()} in ")


@pytest.mark.parametrize(
    ("name", "edit", "says"),
    [
        ("actors.toml", lambda d: d["individuals"].update(after=[]), "unknown key(s) after"),
        ("roles.toml", lambda d: d["fillers"].update(clause=["Was"]), "lower case"),
        ("roles.toml", lambda d: d["sentence_cues"].update(bomb="(bomb"), "sentence_cues.bomb"),
        ("text.toml", lambda d: d.pop("sentences"), "missing sentences"),
        ("text.toml", lambda d: d["town_lists"].pop("emphasis"), "missing emphasis"),
    ],
)  # fmt: skip
def test_a_wrong_word_file_is_refused_naming_where(
    monkeypatch: pytest.MonkeyPatch, name: str, edit: Any, says: str
) -> None:
    source = resources.files("tearline.data").joinpath(f"lexicon/en/{name}")
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    edit(data)
    real = _lexdata._file
    monkeypatch.setattr(_lexdata, "_file", lambda lang, n: data if n == name else real(lang, n))
    _lexdata.load.cache_clear()
    try:
        with pytest.raises(LexiconError) as got:
            _lexdata.load("en")
        assert says in str(got.value)
        assert f"lexicon/en/{name}" in str(got.value)
    finally:
        monkeypatch.undo()
        _lexdata.load.cache_clear()
