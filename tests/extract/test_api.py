"""The stage's public names are exactly the documented ones."""

from __future__ import annotations

import tearline.extract


def test_public_api() -> None:
    public = {n for n in dir(tearline.extract) if not n.startswith("_")}
    assert public == set(tearline.extract.__all__)
    assert set(tearline.extract.__all__) == {
        "LANGUAGES",
        "extract",
        "langid",
        "extraction_document",
        "gazetteer",
        "local_names",
        "organisations",
    }
