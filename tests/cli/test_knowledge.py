"""`tearline names` teaches extraction a deployment's own names; `tearline doctor` says
what extraction runs with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tearline.cli import main

ORG_TEXT = "HaE fighters attacked a police checkpoint in Kandahar on Monday, killing four."
PLACE_TEXT = (
    "Gunmen attacked a school in Kalay-e Tearline on Monday, killing two teachers, "
    "Afghan police said."
)


def events(home: Path, text: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    doc = home / "doc.txt"
    doc.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["--home", str(home), "extract", str(doc), "--date", "2024-03-06", "--json"]) == 0
    found: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["events"]
    return found


def actors(found: list[dict[str, Any]]) -> set[Any]:
    return {a["canonical"] for e in found for a in e["actors"]}


def test_an_organisation_added_by_command_is_recognised_as_the_actor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "Harakat al-Example" not in actors(events(tmp_path, ORG_TEXT, capsys))
    code = main(["--home", str(tmp_path), "names", "add", "--kind", "organisation",
                 "--name", "Harakat al-Example", "--alias", "HaE", "--country", "AF"])  # fmt: skip
    assert code == 0
    found = events(tmp_path, ORG_TEXT, capsys)
    [actor] = [a for e in found for a in e["actors"] if a["canonical"]]
    assert actor["text"] == "HaE"
    assert actor["org_id"] == "local:harakat-al-example"


def test_an_alias_of_a_shipped_organisation_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Wilayat Zed militants bombed a market in Kabul on Monday, killing 12 people."
    before = actors(events(tmp_path, text, capsys))
    code = main(["--home", str(tmp_path), "names", "add", "--kind", "alias",
                 "--of", "Islamic State", "--alias", "Wilayat Zed"])  # fmt: skip
    assert code == 0
    after = actors(events(tmp_path, text, capsys))
    assert "Islamic State of Iraq and the Levant" in after - before


def test_a_town_added_by_command_is_where_the_event_is_placed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [before] = events(tmp_path, PLACE_TEXT, capsys)
    assert before["place"]["precision"] == "country"  # the town is unknown: only Afghan
    code = main(["--home", str(tmp_path), "names", "add", "--kind", "place",
                 "--name", "Kalay-e Tearline", "--country", "AF",
                 "--lat", "32.85", "--lon", "68.44"])  # fmt: skip
    assert code == 0
    [after] = events(tmp_path, PLACE_TEXT, capsys)
    place = after["place"]
    assert place["city"] == "Kalay-e Tearline"
    assert place["country"] == "AF"
    assert (place["lat"], place["lon"]) == (32.85, 68.44)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--kind", "organisation", "--name", "  "], "name is empty"),
        (["--kind", "place", "--name", "New Town", "--country", "QQ"], "country 'QQ'"),
        (["--kind", "alias", "--of", "No Such Group", "--alias", "NSG"], "no organisation"),
        (["--kind", "organisation", "--name", "Taliban"], "already names"),
        (["--kind", "place", "--name", "New Town", "--country", "AF", "--lat", "95",
          "--lon", "1"], "lat must be between"),
    ],
)  # fmt: skip
def test_a_name_that_cannot_be_used_is_refused_and_the_file_is_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    assert main(["--home", str(tmp_path), "names", "add", *args]) == 65
    assert says in capsys.readouterr().err
    assert not (tmp_path / "names.toml").exists()


def test_a_kind_of_name_it_does_not_keep_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--home", str(tmp_path), "names", "add", "--kind", "person", "--name", "X"]) == 2
    assert "not one of organisation, alias, place" in capsys.readouterr().err
    assert not (tmp_path / "names.toml").exists()


def test_names_are_listed_and_removed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ["--home", str(tmp_path)]
    assert main([*home, "names", "add", "--kind", "organisation", "--name", "Harakat al-Example",
                 "--alias", "HaE"]) == 0  # fmt: skip
    assert main([*home, "names", "add", "--kind", "place", "--name", "New Town",
                 "--country", "AF"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main([*home, "names", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [n["kind"] for n in listed["names"]] == ["organisation", "place"]
    assert listed["names"][0]["aliases"] == ["HaE"]
    assert (
        main([*home, "names", "remove", "--kind", "organisation", "--name", "harakat al-example"])
        == 0
    )
    capsys.readouterr()
    assert main([*home, "names", "list", "--json"]) == 0
    assert [n["kind"] for n in json.loads(capsys.readouterr().out)["names"]] == ["place"]
    assert main([*home, "names", "remove", "--kind", "place", "--name", "Old Town"]) == 66


def test_a_broken_names_file_is_reported_and_extraction_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "names.toml").write_text('[[organisation]\nname = "unclosed\n', encoding="utf-8")
    found = events(tmp_path, ORG_TEXT, capsys)
    assert found  # the attack is still read
    doc = tmp_path / "doc.txt"
    assert main(["--home", str(tmp_path), "extract", str(doc), "--date", "2024-03-06"]) == 0
    said = capsys.readouterr()
    assert "Event 1" in said.out
    assert f"warning: {tmp_path / 'names.toml'}: file: not valid TOML" in said.err
    assert main(["--home", str(tmp_path), "names", "add", "--kind", "place", "--name", "X",
                 "--country", "AF"]) == 65  # fmt: skip
    assert "fix the file first" in capsys.readouterr().err


def test_doctor_on_a_fresh_home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(tmp_path), "doctor"]) == 0
    said = capsys.readouterr().out
    assert "role model       in use" in said
    assert f"{tmp_path / 'names.toml'} (none yet)" in said
    assert "usable" in said.splitlines()[-1]


def test_doctor_reports_what_the_names_file_holds_and_skips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "names.toml").write_text(
        '[[organisation]]\nname = "Harakat al-Example"\n\n'
        '[[organisation]]\nname = ""\n\n'
        '[[person]]\nname = "Someone"\n',
        encoding="utf-8",
    )
    assert main(["--home", str(tmp_path), "doctor", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["usable"] is True
    names = report["names_file"]
    assert names["organisations"] == 1
    assert any("name is empty" in s for s in names["skipped"])
    assert any("unknown kind" in s for s in names["skipped"])
