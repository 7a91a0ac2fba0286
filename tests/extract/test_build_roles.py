"""scripts/build_roles.py rebuilds the shipped role models from a MUC-4-form corpus."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from tearline.extract import gazetteer, organisations
from tearline.extract._doc import prepare
from tearline.extract._lexicon import digest as lexicon_digest
from tearline.extract._role_features import FEATURES_VERSION, names_digest, read_sentences
from tearline.extract._roles import ROLE_FIELDS, RoleModel
from tearline.extract._wordclasses import digest as word_classes_digest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "evaluation" / "fixtures" / "muc4-sample.jsonl"


def test_the_build_script_trains_models_the_extractor_can_load(tmp_path: Path) -> None:
    corpus = tmp_path / "train.jsonl"
    corpus.write_text(SAMPLE.read_text() * 1)
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_roles.py"), "--train", str(corpus),
         "--out", str(tmp_path / "roles"), "--workers", "1"],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    meta = json.loads((tmp_path / "roles" / "model.json").read_text())
    assert meta["features_version"] == FEATURES_VERSION
    assert meta["trained_on"]["documents"] == 3
    assert set(meta["thresholds"]["mention"]) == {
        "PerpInd",
        "PerpOrg",
        "Target",
        "Victim",
        "Weapon",
    }
    model = RoleModel(
        [(tmp_path / "roles" / name).read_bytes() for name in meta["taggers"]],
        (tmp_path / "roles" / "relevance.crfsuite").read_bytes(),
        meta,
    )
    text = "the fmln blew up an electric power substation with dynamite."
    got = model.read(prepare(text), gazetteer.load(), organisations.load())
    assert 0.0 <= got.relevance <= 1.0
    for c in got.candidates:
        for m in c.mentions:
            assert text[m.span.start : m.span.end] == m.span.text


def test_a_corpus_that_is_not_json_lines_is_refused(tmp_path: Path) -> None:
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text("{not json\n")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_roles.py"), "--train", str(corpus),
         "--out", str(tmp_path / "roles")],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert "bad.jsonl:1: not JSON" in done.stderr


MUC4_DEV = ROOT.parent / "shared" / "data" / "muc4" / "grit_processed_train_dev.json"


def test_the_shipped_models_match_the_features_and_say_where_they_came_from() -> None:
    folder = resources.files("tearline.data").joinpath("roles")
    meta = json.loads(folder.joinpath("model.json").read_text(encoding="utf-8"))
    assert meta["features_version"] == FEATURES_VERSION
    assert meta["word_classes"]["sha256"] == word_classes_digest()
    assert meta["lexicon"]["sha256"] == lexicon_digest()  # the lexicon's marks are features
    # and so are the gazetteer's and the organisation list's
    assert meta["names"]["sha256"] == names_digest(gazetteer.load(), organisations.load())
    assert meta["built_by"] == "scripts/build_roles.py"
    assert set(meta["thresholds"]["mention"]) == set(ROLE_FIELDS)
    for name in (*meta["taggers"], "relevance.crfsuite"):
        assert folder.joinpath(name).is_file()
    size = sum(
        len(folder.joinpath(n).read_bytes()) for n in (*meta["taggers"], "relevance.crfsuite")
    )
    assert size < 12_000_000  # small enough to ship in the repository


@pytest.mark.skipif(
    not MUC4_DEV.is_file(), reason=f"the MUC-4 development set is not here: {MUC4_DEV} is missing"
)
def test_the_shipped_models_were_trained_on_the_muc4_development_set() -> None:
    meta = json.loads(
        resources.files("tearline.data").joinpath("roles/model.json").read_text(encoding="utf-8")
    )
    assert meta["trained_on"]["sha256"] == hashlib.sha256(MUC4_DEV.read_bytes()).hexdigest()
    assert meta["trained_on"]["documents"] == 1300


def test_words_the_rules_read_alone_are_no_features_of_the_taggers() -> None:
    # "gunfire" was added to the lexicon after the taggers were trained: the rules read
    # it as a firearm, the taggers see it as they were trained to, unmarked.
    doc = prepare("Gunfire was heard near the market. A rifle was found.")
    _, marks = read_sentences(doc, gazetteer.load(), organisations.load())
    assert not marks.get(doc.text.index("Gunfire"), set())
    assert "Blex:weapon:firearm" in marks[doc.text.index("rifle")]
