"""MUC-4 role-filler evaluation: read documents with answer keys, extract, score.

The input is JSON lines in the form of GRIT's processed MUC-4 files, one document per
line: ``{"docid", "doctext", "extracts": {"PerpInd": [[[mention, offset], ...], ...],
"PerpOrg", "Target", "Victim", "Weapon"}}``, optionally ``"date"`` (ISO 8601).
Predictions are written in GRIT's form, ``{docid: {"pred_extracts": {role:
[[mention], ...]}}}``, so the reference scorer can read them too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tearline.errors import InputError, NotFound
from tearline.evaluation.ceaf import ROLES, RoleScore, ceaf_ree
from tearline.extract import organisations
from tearline.extract._roles import ROLE_FIELDS, same_entity
from tearline.model import Event

DEFAULT_DATE = datetime(1990, 1, 1, tzinfo=UTC)  # MUC-4's texts are from 1988 to 1990
Extractor = Callable[[str, datetime], Sequence[Event]]
RoleEntities = dict[str, list[list[str]]]  # role -> entities -> mentions


@dataclass(frozen=True, slots=True)
class Muc4Document:
    docid: str
    text: str
    gold: RoleEntities
    date: datetime | None = None

    @property
    def has_incident(self) -> bool:
        """Whether the key fills any role: the key of a document without a relevant
        incident fills none."""
        return any(self.gold.get(r) for r in ROLES)


@dataclass(slots=True)
class Muc4Report:
    scores: dict[str, RoleScore]
    documents: int
    incident_documents: int  # documents whose key fills a role
    incident_documents_with_events: int
    no_incident_documents: int
    no_incident_documents_with_events: int  # false events: the key says no incident
    no_incident_documents_with_fillers: int
    seconds: float
    predictions: dict[str, RoleEntities] = field(default_factory=dict)
    # per document: whether its key has an incident, and its events' highest confidence
    # (0 without events) - what a reader keeping only confident events would see
    top_confidence: dict[str, tuple[bool, float]] = field(default_factory=dict)

    @property
    def false_event_rate(self) -> float:
        n = self.no_incident_documents
        return self.no_incident_documents_with_events / n if n else 0.0

    def at_confidence(self, least: float) -> tuple[int, int]:
        """Documents with an incident, and documents without one, that keep an event of
        at least this confidence."""
        kept = [incident for incident, top in self.top_confidence.values() if top >= least > 0]
        return sum(kept), len(kept) - sum(kept)

    @property
    def documents_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0

    def predictions_json(self) -> dict[str, Any]:
        return {d: {"pred_extracts": roles} for d, roles in self.predictions.items()}


def _fail(path: Path, line: int, what: str) -> InputError:
    return InputError(f"{path}:{line}: {what}")


def _entities(path: Path, line: int, raw: Any) -> list[list[str]]:
    if not isinstance(raw, list):
        raise _fail(path, line, "each role must hold a list of entities")
    out = []
    for entity in raw:
        if not isinstance(entity, list):
            raise _fail(path, line, "an entity must be a list of [mention, offset] pairs")
        mentions = []
        for m in entity:
            text = m[0] if isinstance(m, list) and m else m
            if not isinstance(text, str):
                raise _fail(path, line, f"a mention must be a string, not {text!r:.40}")
            mentions.append(text)
        if mentions:
            out.append(mentions)
    return out


def _document(path: Path, line: int, obj: Any) -> Muc4Document:
    if not isinstance(obj, dict):
        raise _fail(path, line, "each line must be a JSON object")
    docid, text, extracts = obj.get("docid"), obj.get("doctext"), obj.get("extracts", {})
    if not isinstance(docid, str) or not isinstance(text, str):
        raise _fail(path, line, 'each document needs "docid" and "doctext" strings')
    if not isinstance(extracts, dict):
        raise _fail(path, line, '"extracts" must be an object of roles')
    gold = {role: _entities(path, line, extracts.get(role, [])) for role in ROLES}
    date = None
    if obj.get("date") is not None:
        try:
            date = datetime.fromisoformat(str(obj["date"]))
        except ValueError:
            raise _fail(path, line, f'"date" {obj["date"]!r:.40} is not ISO 8601') from None
        date = date if date.tzinfo else date.replace(tzinfo=UTC)
    return Muc4Document(docid, text, gold, date)


def read_muc4(path: Path) -> list[Muc4Document]:
    """Every document of a JSON-lines file, or an InputError naming the bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path}: cannot be read as UTF-8 text ({exc.__class__.__name__})"
        ) from None
    docs: list[Muc4Document] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _fail(path, n, f"not JSON ({exc.msg})") from None
        doc = _document(path, n, obj)
        if doc.docid in seen:
            raise _fail(path, n, f"document {doc.docid!r} appears twice")
        seen.add(doc.docid)
        docs.append(doc)
    if not docs:
        raise InputError(f"{path}: no documents")
    return docs


def role_fillers(events: Iterable[Event]) -> RoleEntities:
    """Predicted entities per MUC-4 role, over all events of a document.

    One mention stands for each entity (CEAF-REE requires every predicted mention to be
    among the gold entity's). Victim holds named persons only, as MUC-4's key does.
    """
    orgs = organisations.load()
    out: RoleEntities = {}
    for role, name in ROLE_FIELDS.items():
        texts: list[str] = []
        for e in events:
            for f in getattr(e, name):
                if role == "Victim" and not f.named:
                    continue
                if not any(same_entity(role, f.span.text, t, orgs) for t in texts):
                    texts.append(f.span.text)
        out[role] = [[t] for t in texts]
    return out


def evaluate_muc4(
    docs: Sequence[Muc4Document],
    extractor: Extractor,
    default_date: datetime = DEFAULT_DATE,
    progress: Callable[[int], None] | None = None,
) -> Muc4Report:
    """Run the extractor over every document and score its role fillers."""
    predictions: dict[str, RoleEntities] = {}
    counts = {"inc": 0, "inc_ev": 0, "none": 0, "none_ev": 0, "none_fill": 0}
    top: dict[str, tuple[bool, float]] = {}
    started = time.perf_counter()
    for i, doc in enumerate(docs):
        events = extractor(doc.text, doc.date or default_date)
        predicted = role_fillers(events)
        predictions[doc.docid] = predicted
        top[doc.docid] = (doc.has_incident, max((e.confidence for e in events), default=0.0))
        if doc.has_incident:
            counts["inc"] += 1
            counts["inc_ev"] += bool(events)
        else:
            counts["none"] += 1
            counts["none_ev"] += bool(events)
            counts["none_fill"] += any(predicted.values())
        if progress is not None:
            progress(i + 1)
    seconds = time.perf_counter() - started
    gold: Mapping[str, Mapping[str, list[list[str]]]] = {d.docid: d.gold for d in docs}
    return Muc4Report(
        scores=ceaf_ree(predictions, gold),
        documents=len(docs),
        incident_documents=counts["inc"],
        incident_documents_with_events=counts["inc_ev"],
        no_incident_documents=counts["none"],
        no_incident_documents_with_events=counts["none_ev"],
        no_incident_documents_with_fillers=counts["none_fill"],
        seconds=seconds,
        predictions=predictions,
        top_confidence=top,
    )
