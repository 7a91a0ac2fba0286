"""Extraction: find the threats and incidents in a document, with evidence for each fact.

    >>> from datetime import datetime, timezone
    >>> from tearline.extract import extract
    >>> [e] = extract("Gunmen attacked a hotel in Kabul yesterday, killing 5 people.",
    ...               datetime(2024, 3, 6, tzinfo=timezone.utc))
    >>> e.kind.value, e.method.method.value, e.place.city, e.casualties.killed.min
    ('incident', 'armed_assault', 'Kabul', 5)

``gazetteer`` and ``organisations`` give later stages the same reference data.
"""

from tearline.extract import gazetteer, organisations
from tearline.extract._document import extraction_document
from tearline.extract._pipeline import extract

__all__ = ["extract", "extraction_document", "gazetteer", "organisations"]
