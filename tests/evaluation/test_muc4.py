"""`tearline eval muc4`: read MUC-4 documents with keys, extract, score, write predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tearline.cli import main
from tearline.errors import InputError
from tearline.evaluation import ceaf_ree, read_muc4, role_fillers
from tearline.evaluation.muc4 import DEFAULT_DATE
from tearline.extract import extract

from ._support import FIXTURES

SAMPLE = FIXTURES / "muc4-sample.jsonl"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_reads_documents_and_keys() -> None:
    docs = read_muc4(SAMPLE)
    assert [d.docid for d in docs] == ["SAMPLE-0001", "SAMPLE-0002", "SAMPLE-0003"]
    first = docs[0]
    assert first.gold["PerpOrg"] == [["farabundo marti national liberation front", "fmln"]]
    assert first.has_incident
    assert not docs[1].has_incident


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", ":2: not JSON"),
        ('["a list"]', ":2: each line must be a JSON object"),
        ('{"docid": "x"}', ':2: each document needs "docid" and "doctext"'),
        ('{"docid": "x", "doctext": "t", "extracts": {"Weapon": "bomb"}}', "list of entities"),
        ('{"docid": "x", "doctext": "t", "extracts": {"Weapon": [[[5, 0]]]}}', "mention must be"),
        ('{"docid": "x", "doctext": "t", "date": "soon"}', "is not ISO 8601"),
        ('{"docid": "SAMPLE-0001", "doctext": "again"}', "appears twice"),
    ],
)
def test_a_bad_line_is_named(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(SAMPLE.read_text().splitlines()[0] + "\n" + line + "\n")
    with pytest.raises(InputError, match=message):
        read_muc4(path)


def test_empty_and_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    code, _, err = run(capsys, "eval", "muc4", "--data", str(empty))
    assert code == 65
    assert "no documents" in err
    code, _, err = run(capsys, "eval", "muc4", "--data", str(tmp_path / "nope.jsonl"))
    assert code == 66
    assert "no such file" in err


def test_victims_are_named_people_and_each_entity_is_predicted_once() -> None:
    text = (
        "GUERRILLAS OF THE FMLN KIDNAPPED MAYOR JOSE ANTONIO RIVAS IN SAN MIGUEL TODAY. THE "
        "FARABUNDO MARTI NATIONAL LIBERATION FRONT ALSO KILLED THREE PEASANTS WITH RIFLES."
    )
    got = role_fillers(extract(text, DEFAULT_DATE))
    orgs = [e[0] for e in got["PerpOrg"]]
    assert len(orgs) == len({o.lower() for o in orgs})
    # FMLN and its expansion are one entity: at most one of them is predicted
    assert (
        sum(o.lower() in ("fmln", "farabundo marti national liberation front") for o in orgs) <= 1
    )
    assert all(e[0].lower() != "peasants" for e in got["Victim"])  # a group is not named


def test_the_command_prints_the_table_and_writes_grit_predictions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "pred.json"
    code, out, _ = run(
        capsys, "eval", "muc4", "--data", str(SAMPLE), "--predictions-out", str(out_file)
    )
    assert code == 0, out
    for role in ("PerpInd", "PerpOrg", "Target", "Victim", "Weapon", "micro"):
        assert role in out
    assert "documents without an incident: 1" in out
    predictions = json.loads(out_file.read_text())
    assert set(predictions) == {"SAMPLE-0001", "SAMPLE-0002", "SAMPLE-0003"}
    assert predictions["SAMPLE-0002"]["pred_extracts"] == {
        "PerpInd": [], "PerpOrg": [], "Target": [], "Victim": [], "Weapon": []
    }  # fmt: skip
    # The scores printed are the scores of the predictions written, read back.
    code, out_json, _ = run(capsys, "eval", "muc4", "--data", str(SAMPLE), "--json")
    report = json.loads(out_json)
    gold = {d.docid: d.gold for d in read_muc4(SAMPLE)}
    again = ceaf_ree({k: v["pred_extracts"] for k, v in predictions.items()}, gold)
    for role, s in again.items():
        assert report["scores"][role]["f1"] == pytest.approx(s.f1)
        assert report["scores"][role]["predicted"] == s.predicted
    assert report["no_incident_documents"] == 1
    assert 0.0 <= report["false_event_rate"] <= 1.0
    # keeping only surer events can only lose documents with events, never gain them
    steps = report["by_confidence"]
    assert [s["min_confidence"] for s in steps] == sorted(s["min_confidence"] for s in steps)
    found = [report["incident_documents_with_events"]] + [
        s["incident_documents_with_events"] for s in steps
    ]
    assert found == sorted(found, reverse=True)
    # something real is found in the plain cases
    first = predictions["SAMPLE-0001"]["pred_extracts"]
    assert any(m[0].lower() == "dynamite" for m in first["Weapon"])


def test_keeping_only_confident_events_counts_documents_by_their_surest_event() -> None:
    from tearline.evaluation.muc4 import Muc4Report

    report = Muc4Report(
        scores={}, documents=4, incident_documents=2, incident_documents_with_events=2,
        no_incident_documents=2, no_incident_documents_with_events=1,
        no_incident_documents_with_fillers=0, seconds=1.0,
        top_confidence={"a": (True, 0.7), "b": (True, 0.42), "c": (False, 0.45), "d": (False, 0.0)},
    )  # fmt: skip
    assert report.at_confidence(0.4) == (2, 1)
    assert report.at_confidence(0.45) == (1, 1)
    assert report.at_confidence(0.5) == (1, 0)


def test_places_and_types_against_original_templates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "eval", "muc4-keys", "--texts", str(FIXTURES / "muc4-texts.txt"),
        "--keys", str(FIXTURES / "muc4-keys.txt"), "--json",
    )  # fmt: skip
    assert code == 0
    report = json.loads(out)
    assert report["documents"] == 5  # the third has no incident in its key
    fields = report["fields"]
    # San Miguel is read in El Salvador (the dateline), the judge's killing in Colombia
    # (the dateline's country: the text names no place), the armed strike in Peru, the
    # threat to the ambassador in Colombia; the sixth, keyed as an attack in Cali, tells
    # of none, so Tearline places nothing there
    assert fields["country"] == {"right": 4, "scored": 5}
    assert fields["city"] == {"right": 1, "scored": 2}
    # ... which the count over the documents where it found an event leaves out
    assert report["in_documents_with_events"] == {
        "country": {"right": 4, "scored": 4},
        "city": {"right": 1, "scored": 1},
    }
    # a type of several words ("FORCED WORK STOPPAGE"); either of "BOMBING / ATTACK"
    assert fields["incident_type"] == {"right": 4, "scored": 5}
    # the ambassador declared a military target is a threat; the one template keyed
    # ACCOMPLISHED (the substation) gives none (templates without a stage are not counted)
    assert report["threats"] == {
        "threatened_documents_with_threats": {"found": 1, "documents": 1},
        "carried_out_documents_with_threats": {"found": 0, "documents": 1},
    }
