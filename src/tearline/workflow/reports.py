"""Ingest: store a report, its protected terms and extracted events, and open or grow cases.

Either everything about a document is stored, or nothing is: one transaction.
A document already ingested (same SHA-256) is recognised and not stored twice. One that
shares an origin with an earlier report (re-sent, re-typed, quoted, cited: see
``workflow.origins``) is stored, and named an echo of that origin, which grading counts once.

Each report is stored with the language it is written in: the one given at intake (the
CLI's ``--language``, the API's and the inbox form's ``language``) wins; otherwise the
language most of its letters are in (``extract.langid``). A language given is the one
extraction reads the whole document in; without one, extraction identifies each
paragraph's language itself, so that an English cover note over a quoted Russian
intercept is read in both (the stored language is then the intercept's, the larger part).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from babel import Locale, UnknownLocaleError
from sqlalchemy import select

from tearline.errors import InputError
from tearline.extract import LANGUAGES as EXTRACTION_LANGUAGES
from tearline.extract import extract, langid
from tearline.ids import Kind, format_id
from tearline.intake import Document, language_code, read_document
from tearline.markings import parse_markings
from tearline.model import Event, EventKind, event_from_dict, event_to_dict
from tearline.store import tables as t
from tearline.workflow.app import App, Unit
from tearline.workflow.origins import origin_rules, record_origin
from tearline.workflow.responses import note_new_report

RELIABILITY_GRADES = "ABCDEF"


@dataclass(frozen=True)
class TermSpec:
    kind: str  # code_word | collection_method | source_name | marked_span
    term: str


@dataclass(frozen=True)
class Provenance:
    """What the person ingesting says about the document."""

    source: str | None = None
    reliability: str | None = None  # Admiralty A-F for the source
    tlp: str | None = None
    compartments: tuple[str, ...] = ()
    document_date: datetime | None = None
    protect: tuple[TermSpec, ...] = ()
    # The language the document is written in (ISO 639 code, or a BCP 47 tag such as
    # "ru-RU"); None: identified from its text.
    language: str | None = None
    # Releasability markings given at intake ("REL TO USA, GBR"), beside the document's own.
    markings: tuple[str, ...] = ()


@dataclass(frozen=True)
class IngestedEvent:
    ref: str
    kind: EventKind
    threat_ref: str | None
    new_case: bool


@dataclass(frozen=True)
class Ingested:
    report_ref: str
    filename: str
    duplicate: bool
    events: list[IngestedEvent] = field(default_factory=list)
    language: str | None = None  # as stored: ISO 639-1 ("ru"); None when not recorded
    language_given: bool = False  # given at intake, not identified from the text
    origin: str | None = None  # the earliest report of its origin (RPT-n): itself if new
    origin_reason: str | None = None  # why it echoes that origin; None when it is one

    @property
    def language_note(self) -> str:
        """ "in Russian (ru), identified from the text": for the person who ingested it."""
        if self.language is None:
            return "language not recorded"
        how = "as given" if self.language_given else "identified from the text"
        return f"in {language_label(self.language)}, {how}"


@cache
def language_name(code: str) -> str:
    """The language's English name ("ru" → "Russian"); the code itself if CLDR has none."""
    try:
        return str(Locale("en").languages.get(code) or code)
    except (UnknownLocaleError, ValueError):
        return code


def language_label(code: str | None) -> str:
    """ "Russian (ru)"; "not recorded" for a report stored before languages were."""
    return f"{language_name(code)} ({code})" if code else "not recorded"


def readable_languages() -> list[tuple[str, str]]:
    """(code, English name) of each language extraction reads: the choices at intake."""
    return [(c, language_name(c)) for c in EXTRACTION_LANGUAGES]


def given_language(prov: Provenance) -> str | None:
    """The language given at intake, as an ISO 639 code; InputError where extraction
    cannot read it (left out, the language is identified and every paragraph read)."""
    code = language_code(prov.language)
    if code is not None and code not in EXTRACTION_LANGUAGES:
        readable = ", ".join(f"{language_name(c)} ({c})" for c in EXTRACTION_LANGUAGES)
        raise InputError(
            f"extraction does not read {language_label(code)}; it reads {readable}. "
            "Leave the language out to store the report with its language identified"
        )
    return code


def _same_plot(a: Event, b: Event) -> bool:
    """Two threat events are the same case when place, time and actor or target agree."""
    if a.place is None or b.place is None or a.place.country != b.place.country:
        return False
    if a.place.city and b.place.city and a.place.city != b.place.city:
        return False
    if a.time and b.time and (a.time.end < b.time.start or b.time.end < a.time.start):
        return False
    actors = {x.org_id for x in a.actors if x.org_id} & {x.org_id for x in b.actors if x.org_id}
    targets = {x.type for x in a.targets} & {x.type for x in b.targets}
    return bool(actors or targets)


def threat_title(e: Event) -> str:
    method = e.method.method.value.replace("_", " ") if e.method else "threat"
    targets = ", ".join(dict.fromkeys(g.type.value.replace("_", " ") for g in e.targets))
    where = (e.place.city or e.place.country) if e.place else "unknown place"
    return f"{method} against {targets or 'unspecified targets'} — {where}"


def _source(u: Unit, prov: Provenance, actor: str) -> t.Source | None:
    if not prov.source:
        return None
    grade = (prov.reliability or "").upper() or None
    if grade is not None and grade not in RELIABILITY_GRADES:
        raise InputError(f"source reliability must be one of A-F, not {prov.reliability!r}")
    src = u.session.scalar(select(t.Source).where(t.Source.name == prov.source))
    if src is None:
        src = t.Source(name=prov.source, reliability=grade or "F", created_at=u.now)
        u.session.add(src)
        u.session.flush()
        # A source's name is itself protected.
        u.session.add(
            t.ProtectedTerm(
                term=prov.source,
                kind="source_name",
                source_id=src.id,
                created_by=actor,
                created_at=u.now,
            )
        )
        u.audit(
            actor,
            "source.created",
            format_id(Kind.SOURCE, src.id),
            {"reliability": src.reliability},
        )
    elif grade and grade != src.reliability:
        u.audit(
            actor,
            "source.regraded",
            format_id(Kind.SOURCE, src.id),
            {"from": src.reliability, "to": grade},
        )
        src.reliability = grade
    return src


def _file_case(u: Unit, ev: Event, compartments: list[str]) -> tuple[t.Threat, bool]:
    open_cases = u.session.scalars(
        select(t.Threat).where(t.Threat.status.in_(("open", "determined", "warned")))
    )
    for case in open_cases:
        if _same_plot(event_from_dict(case.facts), ev):
            case.updated_at = u.now
            case.compartments = sorted(set(case.compartments) | set(compartments))
            return case, False
    case = t.Threat(
        title=threat_title(ev),
        status="open",
        facts=event_to_dict(ev),
        compartments=compartments,
        created_at=u.now,
        updated_at=u.now,
    )
    u.session.add(case)
    u.session.flush()
    return case, True


def store_document(
    app: App,
    doc: Document,
    events: Sequence[Event],
    prov: Provenance,
    actor: str,
    *,
    language: str | None = None,
) -> Ingested:
    """Store ``doc`` with ``events``; ``language`` is the one identified where none was
    given (``prov.language`` wins)."""
    given = language_code(prov.language)
    # Checked before anything is stored: a marking Tearline cannot read refuses the report.
    rel_to = parse_markings([*doc.markings, *prov.markings]).to_json()
    with app.unit() as u:
        existing = None
        if doc.external_id is not None:  # the partner's own id: the same item pulled again
            existing = u.session.scalar(
                select(t.Report).where(t.Report.external_id == doc.external_id)
            )
        if existing is None:
            existing = u.session.scalar(select(t.Report).where(t.Report.sha256 == doc.sha256))
        if existing is not None:
            return Ingested(
                format_id(Kind.REPORT, existing.id),
                doc.filename,
                duplicate=True,
                language=existing.language,
            )
        src = _source(u, prov, actor)
        report = t.Report(
            source_id=src.id if src else None,
            sha256=doc.sha256,
            filename=doc.filename[:500],
            media_type=doc.media_type,
            title=doc.title[:500],
            text=doc.text,
            raw=doc.raw,
            document_date=prov.document_date or doc.document_date or u.now,
            received_at=u.now,
            tlp=(prov.tlp or doc.tlp or "AMBER").upper(),
            rel_to=rel_to,
            compartments=list(prov.compartments),
            ingested_by=actor,
            language=given or language,
            external_id=doc.external_id,
            intake_note=doc.intake_note,
        )
        u.session.add(report)
        u.session.flush()
        ref = format_id(Kind.REPORT, report.id)
        echo = record_origin(u, report, origin_rules(app.home), actor)
        for spec in prov.protect:
            u.session.add(
                t.ProtectedTerm(
                    term=spec.term,
                    kind=spec.kind,
                    report_id=report.id,
                    created_by=actor,
                    created_at=u.now,
                )
            )
        u.audit(
            actor,
            "report.ingested",
            ref,
            {
                "sha256": doc.sha256,
                "media_type": doc.media_type,
                "bytes": len(doc.raw),
                "tlp": report.tlp,
                **({"rel_to": rel_to} if rel_to is not None else {}),
                "language": report.language,
                "language_from": "given" if given else "identified",
                "protected_terms": len(prov.protect),
                "events": len(events),
                **({"external_id": doc.external_id} if doc.external_id else {}),
                **({"intake_note": doc.intake_note} if doc.intake_note else {}),
            },
        )
        out: list[IngestedEvent] = []
        for i, ev in enumerate(events):
            row = t.Event(
                report_id=report.id,
                ordinal=i,
                kind=ev.kind.value,
                modality=ev.modality.value,
                facts=event_to_dict(ev),
            )
            new_case, case = False, None
            if ev.kind is EventKind.THREAT:
                case, new_case = _file_case(u, ev, list(prov.compartments))
                row.threat_id = case.id
            u.session.add(row)
            u.session.flush()
            threat_ref = format_id(Kind.THREAT, case.id) if case else None
            if case is not None:
                u.audit(
                    actor,
                    "threat.opened" if new_case else "threat.event_added",
                    threat_ref or "",
                    {"event": format_id(Kind.EVENT, row.id), "report": ref},
                )
                if not new_case:  # a new report on a warned threat: the escalation policy
                    note_new_report(u, case, actor)
            out.append(IngestedEvent(format_id(Kind.EVENT, row.id), ev.kind, threat_ref, new_case))
        return Ingested(
            ref,
            doc.filename,
            duplicate=False,
            events=out,
            language=report.language,
            language_given=given is not None,
            origin=format_id(Kind.REPORT, report.origin_id or report.id),
            origin_reason=echo.why if echo is not None else None,
        )


def ingest_bytes(app: App, raw: bytes, filename: str, prov: Provenance, actor: str) -> Ingested:
    """Read, extract and store one document; raises InputError and stores nothing if bad.

    A language given is the one the whole document is read in; without one, the report
    is stored with the language identified from its text, and extraction identifies each
    paragraph's (a cover note in one language over a quote in another is read in both).
    """
    given = given_language(prov)
    doc = read_document(raw, filename, max_bytes=app.settings.max_document_bytes)
    date = prov.document_date or doc.document_date or app.clock.now()
    identified = None if given else (langid.identify(doc.text) or None)
    events = extract(doc.text, date, lang=given)
    return store_document(app, doc, events, prov, actor, language=identified)
