"""CAP 1.2 alerts coming in, over the Google CAP library's samples: each alert one item
with its sender and identifier, language, TLP and text; hostile, older-version and
schema-invalid alerts refused with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tearline.errors import MalformedDocument
from tearline.intake import Document, Refused, read_items

SAMPLES = Path(__file__).resolve().parents[1] / "intake" / "fixtures" / "partners" / "cap"
MAX = 10_000_000


def _items(name: str) -> list[Document | Refused]:
    return list(read_items((SAMPLES / name).read_bytes(), name, max_bytes=MAX))


@pytest.mark.parametrize(
    ("name", "external_id", "language", "in_text"),
    [
        (
            "testdata_canada.cap",
            "cap:cap@ec.gc.ca/2.49.0.1.124.6bddbc91.2012",
            "en-CA",
            "severe thunderstorm watch",
        ),
        (
            "testdata_australia.cap",  # a cap: prefix, and HTML line breaks in <description>
            "cap:webmaster@rfs.nsw.gov.au/tag:www.rfs.nsw.gov.au2011-10-06:40184",
            "en-AU",
            "ALERT LEVEL: Not Applicable\nLOCATION:",
        ),
        (
            "testdata_earthquake-iso8859-1.cap",  # declared ISO-8859-1: "Usulután" read right
            "cap:http://earthquake.usgs.gov/research/monitoring/anss/neic//"
            "USGS-earthquakes-usB000D5T4.3947362.7.20121014T225304.360Z.0",
            None,
            "Usulután",
        ),
        (
            "validator_src_com_google_publicalerts_cap_validator_examples_thunderstorm.cap",
            "cap:KSTO@NWS.NOAA.GOV/KSTO1055887203",
            None,
            "TAKE COVER IN A SUBSTANTIAL SHELTER",
        ),
    ],
)
def test_a_cap_12_alert_is_one_item_read_into_text(
    name: str, external_id: str, language: str | None, in_text: str
) -> None:
    (doc,) = _items(name)
    assert isinstance(doc, Document)
    assert doc.external_id == external_id
    assert doc.language == language
    assert doc.tlp == "CLEAR"  # every sample's scope is Public
    assert in_text in doc.text
    assert doc.document_date is not None


def test_both_languages_of_a_bilingual_alert_are_in_its_text() -> None:
    (doc,) = _items("testdata_canada.cap")
    assert isinstance(doc, Document)
    assert "severe thunderstorm watch" in doc.text
    assert "veille d'orages violents" in doc.text


def test_the_xxe_sample_is_refused_before_any_entity_is_read() -> None:
    with pytest.raises(MalformedDocument, match="declares a DOCTYPE or entities") as refused:
        _items("testdata_xee.cap")
    assert "root:" not in str(refused.value)  # nothing of /etc/passwd


def test_an_alert_of_an_older_cap_version_is_refused_naming_it() -> None:
    with pytest.raises(MalformedDocument, match=r"a CAP 1\.1 alert; Tearline reads CAP 1\.2"):
        _items("testdata_weather.cap")


def test_a_schema_invalid_alert_is_refused_with_the_first_schema_error() -> None:
    (refused,) = _items("testdata_invalid.cap")
    assert isinstance(refused, Refused)
    assert refused.item == "alert 12345"
    assert refused.reason.startswith("not valid CAP 1.2: line 9: Element")
