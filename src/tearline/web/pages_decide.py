"""Pages for the decision and what follows: determination, release (propose, approve),
deliveries and responses — each action through the same workflow the CLI uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tearline import workflow as wf
from tearline.errors import TearlineError
from tearline.ids import Kind, parse_id
from tearline.release import FACT_LEVELS
from tearline.track import ResponseKind
from tearline.web.auth import Approver, DutyOfficer, Reader, app_of
from tearline.web.pages_released import overrides_of
from tearline.web.render import act, flash, page, partial
from tearline.workflow import casefile, outbox, responses
from tearline.workflow.access import ensure_visible
from tearline.workflow.board import deliveries_board
from tearline.workflow.responses import VIA

router = APIRouter(include_in_schema=False)


def _ref(ref: str, kind: Kind) -> str:
    k, n = parse_id(ref, kind)
    return f"{k.value}-{n}"


@router.get("/threats/{ref}/determination", response_class=HTMLResponse)
async def determination_page(request: Request, ref: str, viewer: Reader) -> Response:
    data = await run_in_threadpool(
        casefile.case_file, app_of(request), _ref(ref, Kind.THREAT), viewer.identity
    )
    return page(request, "determination.html", viewer, case=data)


@router.post("/threats/{ref}/decide")
async def decide(
    request: Request,
    ref: str,
    viewer: DutyOfficer,
    waiver: Annotated[str, Form()] = "",
    justification: Annotated[str, Form()] = "",
    supersede: Annotated[str, Form()] = "",
    follow_up: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    ref = _ref(ref, Kind.THREAT)
    app = app_of(request)
    back = f"/threats/{ref}/determination"

    def run(preview: bool = False) -> wf.Decided:
        ensure_visible(app, ref, viewer.identity)
        return wf.decide(
            app,
            ref,
            viewer.identity,
            waiver=waiver or None,
            justification=justification,
            supersede=supersede or None,
            follow_up=follow_up or None,
            preview=preview,
        )

    if supersede and not confirm:  # a supersede is shown before it is recorded
        try:
            shown = await run_in_threadpool(run, True)
        except TearlineError as exc:
            await flash(request, viewer, "error", str(exc))
            return RedirectResponse(back, status_code=303)
        data = await run_in_threadpool(casefile.case_file, app, ref, viewer.identity)
        form = {"waiver": waiver, "justification": justification, "supersede": supersede}
        form |= {"follow_up": follow_up}
        return page(request, "determination.html", viewer, case=data, shown=shown, form=form)

    def record() -> str:
        d = run()
        if d.change is not None:
            return (
                f"{d.ref}: supersede of {d.change.supersedes} proposed "
                f"({d.outcome.value.replace('_', ' ')}); a second person must approve it"
            )
        told = f" — {len(d.recipients)} recipient(s)" if d.recipients else ""
        wait = "; a second person must approve the waiver" if d.status == "proposed" else ""
        return f"{d.ref}: {d.outcome.value.replace('_', ' ')}{told}{wait}"

    return await act(request, viewer, back, record)


@router.post("/determinations/{ref}/approve")
async def approve_waiver(request: Request, ref: str, viewer: Approver) -> Response:
    ref = _ref(ref, Kind.DETERMINATION)
    app = app_of(request)
    data = await run_in_threadpool(wf.show, app, ref, viewer.identity)
    back = f"/threats/THR-{data['threat_id']}/determination"

    def run() -> str:
        wf.approve_waiver(app, ref, viewer.identity)
        what = "supersede" if data.get("supersedes_id") else "waiver"
        return f"{what} {ref} approved"

    return await act(request, viewer, back, run)


@router.get("/threats/{ref}/release", response_class=HTMLResponse)
async def release_page(request: Request, ref: str, viewer: Reader) -> Response:
    app = app_of(request)
    data = await run_in_threadpool(casefile.case_file, app, _ref(ref, Kind.THREAT), viewer.identity)
    adjusted = await run_in_threadpool(overrides_of, app, data)
    return page(
        request, "release.html", viewer, case=data, fact_levels=FACT_LEVELS, overrides=adjusted
    )


@router.post("/threats/{ref}/release")
async def propose(
    request: Request,
    ref: str,
    viewer: DutyOfficer,
    language_fallback: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    ref = _ref(ref, Kind.THREAT)
    app = app_of(request)

    def run() -> str:
        ensure_visible(app, ref, viewer.identity)
        p = wf.propose_release(app, ref, viewer.identity, language_fallback or None)
        group = f" (with a {p.preview.audience})" if p.preview and p.preview.audience else ""
        return (
            f"{p.ref} proposed: {len(p.drafts)} warning(s){group}, leak check passed; "
            "a second person must approve it"
        )

    return await act(request, viewer, f"/threats/{ref}/release", run)


@router.post("/releases/{ref}/approve")
async def approve_release(request: Request, ref: str, viewer: Approver) -> Response:
    ref = _ref(ref, Kind.RELEASE)
    app = app_of(request)
    data = await run_in_threadpool(wf.show, app, ref, viewer.identity)
    back = f"/threats/THR-{data['threat_id']}/release"

    def run() -> str:
        r = wf.approve_release(app, ref, viewer.identity)
        return (
            f"{r.ref} released by {r.approved_by} (proposed by {r.proposed_by}): "
            f"{len(r.warnings)} signed warning(s), {r.deliveries} delivery(ies) queued"
        )

    return await act(request, viewer, back, run)


def _board_page(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


@router.get("/deliveries", response_class=HTMLResponse)
async def deliveries_page(request: Request, viewer: Reader) -> Response:
    board = await run_in_threadpool(
        lambda: deliveries_board(app_of(request), viewer.identity, page=_board_page(request))
    )
    return page(
        request,
        "deliveries.html",
        viewer,
        board=board,
        kinds=[k.value for k in ResponseKind],
        via=VIA,
    )


@router.get("/deliveries/rows", response_class=HTMLResponse)
async def deliveries_rows(request: Request, viewer: Reader) -> Response:
    board = await run_in_threadpool(
        lambda: deliveries_board(app_of(request), viewer.identity, page=_board_page(request))
    )
    html = partial(
        request,
        "_deliveries_rows.html",
        viewer,
        board=board,
        kinds=[k.value for k in ResponseKind],
        via=VIA,
    )
    return HTMLResponse(html)


@router.post("/warnings/respond")
async def respond(
    request: Request,
    viewer: DutyOfficer,
    warning: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    via: Annotated[str, Form()] = "channel",
    note: Annotated[str, Form()] = "",
) -> Response:
    ref = _ref(warning, Kind.WARNING)
    app = app_of(request)

    def run() -> str:
        ensure_visible(app, ref, viewer.identity)
        r = wf.respond(app, ref, kind, viewer.identity, note=note, via=via)
        proposed = "".join(
            f"; {e.ref} proposed: {e.action.replace('_', ' ')}" for e in r.escalations
        )
        return f"{r.ref}: {r.warning_ref} answered {r.kind.value}{proposed}"

    return await act(request, viewer, "/deliveries", run)


@router.post("/escalations/{ref}")
async def resolve_escalation(
    request: Request,
    ref: str,
    viewer: DutyOfficer,
    outcome: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    ref = _ref(ref, Kind.ESCALATION)
    app = app_of(request)

    def run() -> str:
        ensure_visible(app, ref, viewer.identity)
        done = responses.resolve_escalation(app, ref, viewer.identity, outcome=outcome, note=note)
        return f"{done} marked {outcome}"

    return await act(request, viewer, "/deliveries", run)


@router.post("/deliveries/{ref}/handed-over")
async def handed_over(
    request: Request,
    ref: str,
    viewer: DutyOfficer,
    note: Annotated[str, Form()] = "",
) -> Response:
    """The liaison note was handed to the recipient (as `tearline delivered`): delivered."""
    ref = _ref(ref, Kind.DELIVERY)
    app = app_of(request)

    def run() -> str:
        ensure_visible(app, ref, viewer.identity)
        s = outbox.mark_handed_over(app, ref, viewer.identity, note=note)
        return f"{s.ref} {s.warning_ref} → {s.recipient}: {s.status} ({s.detail})"

    return await act(request, viewer, "/deliveries", run)
