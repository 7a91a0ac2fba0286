"""A released warning as a MISP event (``tearline export WRN-n --format misp``, the API's
``GET /api/warnings/{id}/misp``).

The event is derived at export from the warning's signed document, not stored with the
release, so it is leak-checked here, against every protected term on record now (a term
marked after the release counts too): an event that would carry one is refused, naming
the term's ID and never its text.
"""

from __future__ import annotations

from tearline.errors import InvalidState, LeakDetected
from tearline.ids import Kind, format_id
from tearline.release import find_leaks
from tearline.release.misp import misp_event
from tearline.store import tables as t
from tearline.workflow.app import App
from tearline.workflow.records import load, protected_terms

ARTIFACT = "misp"


def export_misp(app: App, ref: str) -> tuple[str, str]:
    """(the warning's ID, its MISP event as JSON text) for a released warning.

    InvalidState for a draft; LeakDetected when a protected term would go out."""
    with app.read() as s:
        w = load(s, t.WarningRecord, ref, Kind.WARNING)
        wref = format_id(Kind.WARNING, w.id)
        if w.status == "draft" or not w.artifacts:
            raise InvalidState(f"{wref} has not been released; only released warnings export")
        document = w.content
        english = document["texts"].get("en") or document["texts"][document["language"]]
        content = misp_event(document, english)
        leaks = find_leaks({ARTIFACT: content}, protected_terms(s))
    if leaks:
        first = leaks[0]
        more = f" (and {len(leaks) - 1} more)" if len(leaks) > 1 else ""
        raise LeakDetected(
            f"export refused: the MISP event of {wref} would contain protected "
            f"{first.term.kind.replace('_', ' ')} {first.term.id}{more}; the warning's other "
            "forms were released before the term was marked — withdraw or supersede it",
            term_id=first.term.id,
            artifact=ARTIFACT,
        )
    return wref, content
