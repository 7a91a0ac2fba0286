"""Turning the inbox form (or the API's JSON) into a stored report, through the workflow.

Shared by the page and the API so both check the same things the same way: the
compartments a person may mark are those they hold; the document date is read as a person
types it (tearline/dates.py: ISO 8601, "11 Dec", "yesterday 18:00", relative to now);
protected terms come one per line; the language is the one the report is written in, or
empty to have it identified from the text.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from tearline import workflow as wf
from tearline.dates import read_when
from tearline.errors import AuthError, InputError
from tearline.workflow.users import Identity, normalise_compartments

TLP_LEVELS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
TERM_KINDS = ("code_word", "collection_method", "marked_span")


@dataclass(frozen=True)
class Submission:
    filename: str
    content: bytes
    source: str = ""
    reliability: str = ""
    tlp: str = ""
    compartments: tuple[str, ...] = ()
    document_date: str = ""
    terms: tuple[tuple[str, str], ...] = ()  # (kind, term)
    language: str = ""  # ISO 639 code the document is written in; "": identify it
    markings: str = ""  # releasability marking, e.g. "REL TO USA, GBR"; "": the document's


def parse_date(value: str, now: datetime) -> datetime | None:
    """The document date as typed; relative forms count from ``now``, and a date without a
    year is the latest one not after it (a report is dated when it is written)."""
    if not value.strip():
        return None
    return read_when(value, reference=now, prefer="past", what="document date")


def terms_from_lines(kind: str, text: str) -> list[tuple[str, str]]:
    return [(kind, line.strip()) for line in text.splitlines() if line.strip()]


def decode_content(text: str | None, b64: str | None) -> bytes:
    if b64:
        try:
            return base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            raise InputError("content_base64 is not valid base64") from None
    if text is not None:
        return text.encode("utf-8")
    raise InputError("give the document as 'content' (text) or 'content_base64'")


def ingest(application: wf.App, sub: Submission, who: Identity) -> wf.IntakeSummary:
    """Store a document, or each item of a partner's container (a STIX bundle, a CAP alert,
    an Atom feed), as ``who``; refuses marks the person does not hold. A file of one item
    that is refused raises its InputError (nothing was stored); of several, each refused
    item is in the summary with its reason and the others are stored."""
    if not who.has(wf.Role.ANALYST, wf.Role.DUTY_OFFICER):
        raise AuthError(f"{who.username} cannot ingest reports: it needs the analyst role")
    marks = normalise_compartments(sub.compartments)
    missing = sorted(set(marks) - who.compartments)
    if missing:
        raise AuthError(
            f"you do not hold compartment(s) {', '.join(missing)}; "
            "you can only mark a report with compartments you hold"
        )
    tlp = sub.tlp.strip().upper()
    if tlp and tlp not in TLP_LEVELS:
        raise InputError(f"TLP must be one of {', '.join(TLP_LEVELS)}, not {sub.tlp!r}")
    for kind, _ in sub.terms:
        if kind not in TERM_KINDS:
            raise InputError(f"unknown kind of protected term {kind!r}")
    prov = wf.Provenance(
        source=sub.source.strip() or None,
        reliability=sub.reliability.strip() or None,
        tlp=tlp or None,
        compartments=tuple(marks),
        document_date=parse_date(sub.document_date, application.clock.now()),
        protect=tuple(wf.TermSpec(kind, term[:500]) for kind, term in sub.terms),
        language=sub.language.strip() or None,
        markings=(sub.markings.strip(),) if sub.markings.strip() else (),
    )
    name = sub.filename.strip().replace("\\", "/").rsplit("/", 1)[-1][:200] or "pasted.txt"
    summary = wf.ingest_items(application, sub.content, name, prov, actor=who.username)
    if summary.items == 0:
        raise InputError(f"{name}: the file holds no items (an empty feed or bundle)")
    if summary.items == 1 and summary.refused:
        raise InputError(str(summary.refused[0]))
    if summary.refused and not (summary.stored or summary.duplicates):
        raise InputError(f"{name}: nothing stored: {summary.refused[0]} (and {summary.line()})")
    return summary


def describe_summary(summary: wf.IntakeSummary) -> str:
    """One item: what ``describe`` says of it; several: the counts and what was refused."""
    results = summary.stored + summary.duplicates
    if summary.items == 1 and results:
        return describe(results[0])
    refused = "; ".join(str(r) for r in summary.refused[:5])
    more = f" (and {len(summary.refused) - 5} more)" if len(summary.refused) > 5 else ""
    return summary.line() + (f". Refused: {refused}{more}" if refused else "")


def describe(result: wf.Ingested) -> str:
    if result.duplicate:
        return f"{result.filename} was already ingested as {result.report_ref}; nothing new stored"
    events = ", ".join(
        f"{e.ref} {e.kind.value}"
        + (f" → {e.threat_ref}{' (new case)' if e.new_case else ''}" if e.threat_ref else "")
        for e in result.events
    )
    return f"{result.report_ref} stored, {result.language_note}: {events or 'no events found'}"
