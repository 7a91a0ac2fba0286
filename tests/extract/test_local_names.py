"""A deployment's own names: read from the next document on, never a reason to fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from tearline.errors import InputError
from tearline.extract import extract, local_names

from ._support import DEMO_DATE

TEXT = "HaE fighters attacked a police checkpoint in Kandahar on Monday, killing four."
HAE = '[[organisation]]\nname = "Harakat al-Example"\naliases = ["HaE"]\n'


@pytest.fixture
def names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "names.toml"
    monkeypatch.setenv("TEARLINE_NAMES_FILE", str(path))
    return path


def org_ids(text: str = TEXT) -> set[str | None]:
    return {a.org_id for e in extract(text, DEMO_DATE) for a in e.actors}


def test_the_next_document_reads_the_file_as_it_is_now(names: Path) -> None:
    assert "local:harakat-al-example" not in org_ids()
    names.write_text(HAE, encoding="utf-8")
    assert "local:harakat-al-example" in org_ids()
    names.write_text("", encoding="utf-8")
    assert "local:harakat-al-example" not in org_ids()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('[[organisation]\nname = "x', "not valid TOML"),
        ("[[person]]\nname = 'Someone'\n", "unknown kind of name"),
        ("[[organisation]]\nname = ''\n", "name is empty"),
        ("[[organisation]]\nname = 'X'\nalias = ['Y']\n", "unknown field(s) alias"),
        ("[[organisation]]\nname = 'Taliban'\n", "already names"),
        (HAE + HAE, "'Harakat al-Example' is listed twice"),
        ("[[alias]]\nof = 'Nobody Here'\nalias = 'NH'\n", "no organisation is named"),
        ("[[place]]\nname = 'New Town'\ncountry = 'XX'\n", "country 'XX'"),
        ("[[place]]\nname = 'New Town'\ncountry = 'AF'\nlat = 31.0\n", "both lat and lon"),
        ("[[place]]\nname = 'T'\ncountry = 'AF'\n" * 2, "listed twice"),
        ("organisation = 'HaE'\n", "write each entry as [[organisation]]"),
        (b"\xff\xfe[[place]]", "not UTF-8"),
        ("# " + "x" * local_names.MAX_BYTES, "larger than"),
    ],
)
def test_what_cannot_be_used_is_skipped_with_a_reason_and_extraction_goes_on(
    names: Path, content: str | bytes, says: str
) -> None:
    if isinstance(content, bytes):
        names.write_bytes(content)
    else:
        names.write_text(content, encoding="utf-8")
    events = extract(TEXT, DEMO_DATE)
    assert events
    problems = [str(p) for p in local_names.known().problems]
    assert any(says in p for p in problems), problems


def test_the_good_entries_of_a_file_with_bad_ones_are_kept(names: Path) -> None:
    names.write_text("[[organisation]]\nname = ''\n\n" + HAE, encoding="utf-8")
    assert "local:harakat-al-example" in org_ids()
    known = local_names.known()
    assert len(known.local) == 1
    assert len(known.problems) == 1


def test_a_place_without_coordinates_takes_its_provinces(names: Path) -> None:
    names.write_text(
        "[[place]]\nname = 'Kalay-e Tearline'\ncountry = 'AF'\nprovince = 'Helmand'\n",
        encoding="utf-8",
    )
    text = "A bomb exploded in Kalay-e Tearline on Monday, killing 3, Afghan police said."
    [e] = extract(text, DEMO_DATE)
    assert e.place is not None
    assert (e.place.city, e.place.country) == ("Kalay-e Tearline", "AF")
    assert e.place.lat is not None  # Helmand's


def test_english_is_read_and_another_language_is_refused_by_name() -> None:
    text = "Gunmen attacked a hotel in Kabul yesterday, killing 5 people."
    assert extract(text, DEMO_DATE, lang="en") == extract(text, DEMO_DATE)
    with pytest.raises(InputError, match=r"does not read language 'de'; it reads: en, es, fr"):
        extract(text, DEMO_DATE, lang="de")
