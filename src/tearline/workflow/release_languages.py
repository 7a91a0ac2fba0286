"""A recipient whose language has no warning phrases: never a silent fall back to English.

Proposing a release asks what to do with each such warning — write it in English, in the
language of the recipient's country (its official language that Tearline writes), or hold
it — and the choice is recorded with the proposal and shown in the preview beside the
warning. Which languages are written is ``release.phrases`` (data a deployment extends).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from babel import UnknownLocaleError
from babel.languages import get_official_languages
from sqlalchemy import select
from sqlalchemy.orm import Session

from tearline.errors import InputError
from tearline.ids import Kind, format_id
from tearline.release.localise import language_name
from tearline.release.phrases import DEFAULT_LANGUAGE, language_code, supported
from tearline.store import tables as t

FALLBACKS = ("english", "country", "hold")
FALLBACK_HELP = (
    "english: write it in English; country: in the language of the recipient's country, if "
    "Tearline writes it (else English); hold: draft no warning for that recipient"
)


@dataclass(frozen=True)
class LanguageChoice:
    """What was decided for one recipient whose language Tearline does not write."""

    recipient: str  # RCP-n
    name: str
    registered: str  # the recipient's language tag, as registered
    choice: str  # one of FALLBACKS
    written_in: str | None  # the language the warning is written in; None: held

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _name(tag: str) -> str:
    try:
        return f"{language_name(tag.replace('-', '_').split('_')[0])} ({tag})"
    except (ValueError, UnknownLocaleError):
        return tag


def country_language(r: t.Recipient) -> str | None:
    """The first official language of the recipient's country that Tearline writes."""
    country = (r.jurisdiction or r.area_country or "").upper()
    if not country:
        return None
    for code in get_official_languages(country, de_facto=True):
        if supported(code):
            return language_code(code)
    return None


def describe(choice: dict[str, Any]) -> str:
    """The preview's line for a recorded choice."""
    registered = _name(str(choice["registered"]))
    if choice.get("written_in") is None:
        return f"no warning phrases in {registered}: held, no warning drafted (choice: hold)"
    written = _name(str(choice["written_in"]))
    return f"no warning phrases in {registered}: written in {written} (choice: {choice['choice']})"


def choose(recipients: Iterable[t.Recipient], fallback: str | None) -> dict[int, LanguageChoice]:
    """The choice for each recipient whose language has no phrases, by recipient id.
    InputError when one has none and no choice is given, naming them and the choices."""
    missing = [r for r in recipients if not supported(r.language)]
    if not missing:
        return {}
    if fallback is None:
        who = "; ".join(
            f"{r.name} ({format_id(Kind.RECIPIENT, r.id)}): {_name(r.language)}" for r in missing
        )
        raise InputError(
            f"Tearline has no warning phrases in the language of {who}. Choose what to do with "
            f"those warnings (--language-fallback; the desk asks the same): {FALLBACK_HELP}"
        )
    if fallback not in FALLBACKS:
        raise InputError(f"language fallback {fallback!r}: choose one of {', '.join(FALLBACKS)}")
    out = {}
    for r in missing:
        written: str | None = DEFAULT_LANGUAGE
        if fallback == "country":
            written = country_language(r) or DEFAULT_LANGUAGE
        elif fallback == "hold":
            written = None
        ref = format_id(Kind.RECIPIENT, r.id)
        out[r.id] = LanguageChoice(ref, r.name, r.language, fallback, written)
    return out


def recorded_choices(s: Session, release_ref: str) -> dict[str, dict[str, Any]]:
    """The choices recorded with a release's proposal, by recipient (RCP-n)."""
    entry = s.scalars(
        select(t.AuditEntry.details)
        .where(t.AuditEntry.action == "release.proposed", t.AuditEntry.subject == release_ref)
        .order_by(t.AuditEntry.seq.desc())
        .limit(1)
    ).first()
    recorded = json.loads(entry).get("languages", []) if entry else []
    return {str(c["recipient"]): c for c in recorded}


def note(choice: dict[str, Any] | None, registered: str, written: str) -> str:
    """What the preview says beside a warning about its language ('' when it is the
    recipient's own)."""
    if choice is not None:
        return describe(choice)
    if not supported(registered):  # registered since, or proposed before choices were asked
        return describe(
            {"registered": registered, "written_in": written, "choice": "none recorded"}
        )
    return ""
