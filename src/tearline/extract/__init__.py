"""Extraction: find the threats and incidents in a document, with evidence for each fact.

    >>> from datetime import datetime, timezone
    >>> from tearline.extract import extract
    >>> [e] = extract("Gunmen attacked a hotel in Kabul yesterday, killing 5 people.",
    ...               datetime(2024, 3, 6, tzinfo=timezone.utc))
    >>> e.kind.value, e.method.method.value, e.place.city, e.casualties.killed.min
    ('incident', 'armed_assault', 'Kabul', 5)

``gazetteer`` and ``organisations`` give later stages the same reference data;
``local_names`` reads the deployment's own names (``tearline names``), which extraction
takes from the next document on. ``extract(text, date, lang)`` reads English, Spanish,
French, Russian, Arabic and Farsi (``LANGUAGES``): each paragraph in the language
``langid`` finds for it, or all of it in ``lang`` where given; another language is
refused with an InputError naming those it reads.
"""

from tearline.extract import gazetteer, langid, local_names, organisations
from tearline.extract._document import extraction_document
from tearline.extract._pipeline import LANGUAGES, extract

__all__ = [
    "LANGUAGES",
    "extract",
    "extraction_document",
    "gazetteer",
    "langid",
    "local_names",
    "organisations",
]
