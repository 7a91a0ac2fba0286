"""Changing what is released, in the desk: tighten or loosen one fact for one draft
warning (``tearline adjust``), and end the warnings in force about a case — an all-clear
or a withdrawal (``tearline all-clear`` / ``withdraw``). Each is a proposal on the record
that a second person approves on the release page, as from the CLI.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from tearline import workflow as wf
from tearline.errors import InputError
from tearline.ids import Kind, parse_id
from tearline.web.auth import DutyOfficer, app_of
from tearline.web.render import act
from tearline.workflow.access import ensure_visible

router = APIRouter(include_in_schema=False)
ENDINGS = {"all-clear": True, "withdraw": False}


def overrides_of(app: wf.App, case: dict[str, Any]) -> dict[str, list[wf.OverrideView]]:
    """The officers' adjustments in force for each draft awaiting approval (who, why, from
    what to what), from the release preview the CLI prints: the approver sees them."""
    found: dict[str, list[wf.OverrideView]] = {}
    for rel in case["releases"]:
        if rel["status"] == "proposed":
            for view in wf.preview_release(app, rel["ref"]).recipients:
                found[view.warning_ref] = view.overrides
    return found


def _ref(ref: str, kind: Kind) -> str:
    k, n = parse_id(ref, kind)
    return f"{k.value}-{n}"


@router.post("/warnings/{ref}/adjust")
async def adjust(
    request: Request,
    ref: str,
    viewer: DutyOfficer,
    level: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    case: Annotated[str, Form()] = "",
) -> Response:
    """``level`` is FACT:LEVEL (place:venue), one choice of the form's grouped list;
    ``case`` only says which release page to come back to."""
    ref = _ref(ref, Kind.WARNING)
    app = app_of(request)
    back = f"/threats/{_ref(case, Kind.THREAT)}/release#{ref}" if case else "/triage"

    def run() -> str:
        fact, sep, to = level.partition(":")
        if not sep:
            raise InputError("choose the fact and how precisely to tell it")
        ensure_visible(app, ref, viewer.identity)  # outside one's compartments: not found
        draft = wf.adjust_fact(app, ref, fact, to, viewer.identity, reason=reason)
        return (
            f"{draft.ref}: {fact} set to {to} for {draft.recipient}; leak check passed; "
            "the approver sees the change and your reason"
        )

    return await act(request, viewer, back, run)


@router.post("/threats/{ref}/end")
async def end(
    request: Request,
    ref: str,
    viewer: DutyOfficer,
    ending: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Propose an all-clear or a withdrawal of every warning in force about the case."""
    ref = _ref(ref, Kind.THREAT)
    app = app_of(request)

    def run() -> str:
        if ending not in ENDINGS:
            raise InputError("choose an all-clear or a withdrawal")
        ensure_visible(app, ref, viewer.identity)
        p = wf.propose_end(app, ref, viewer.identity, all_clear=ENDINGS[ending], reason=reason)
        what = "all-clear" if ENDINGS[ending] else "withdrawal"
        return (
            f"{p.ref} proposed: {what} of {len(p.drafts)} warning(s), leak check passed; "
            "a second person must approve it"
        )

    return await act(request, viewer, f"/threats/{ref}/release", run, failed_back=f"/threats/{ref}")
