"""extract(): a document's text in, its events out - the one entry point of the stage."""

from __future__ import annotations

from datetime import datetime

from tearline.errors import InputError
from tearline.extract import gazetteer, organisations
from tearline.extract._assemble import assemble
from tearline.extract._doc import prepare
from tearline.extract._facts import read_facts
from tearline.extract._mentions import read_unit
from tearline.extract._merge import Merger
from tearline.model import Event


def extract(text: str, document_date: datetime) -> list[Event]:
    """The threats and incidents a document reports, in the order it first mentions them.

    ``document_date`` must be timezone-aware: relative times ("yesterday", "within
    days", "on Friday") are resolved against it, forwards for a threat and backwards for
    an incident. Pure apart from loading the shipped reference data once per process.
    """
    if document_date.tzinfo is None or document_date.utcoffset() is None:
        raise InputError(
            "the document date has no time zone; give one, e.g. 2024-03-06T09:00:00+00:00"
        )
    if not text.strip():
        return []
    gaz, orgs = gazetteer.load(), organisations.load()
    doc = prepare(text)
    facts = read_facts(doc, gaz, orgs)
    merger = Merger(orgs, document_date)
    for index in sorted(facts):
        for mention in read_unit(doc.text, facts[index]):
            merger.add(mention)
    events = (assemble(d, doc.text, doc.upper) for d in merger.drafts)
    return [e for e in events if e is not None]
