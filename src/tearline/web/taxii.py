"""TAXII 2.1 for partners: discovery, one API root, a collection per partner, read-only.

    GET /taxii2/                                                  discovery
    GET /taxii2/warnings/                                         the API root
    GET /taxii2/warnings/collections/                             the partner's collection
    GET /taxii2/warnings/collections/{id}/                        (only its own)
    GET /taxii2/warnings/collections/{id}/objects/                envelope, filtered, paged
    GET /taxii2/warnings/collections/{id}/objects/{object_id}/
    GET /taxii2/warnings/collections/{id}/objects/{object_id}/versions/
    GET /taxii2/warnings/collections/{id}/manifest/

Every request carries the partner's token (``Authorization: Bearer tlx_…``, or HTTP
Basic with the recipient reference as user name and the token as password): none or a
bad one is 401; another partner's collection is 404, as one that does not exist.
Responses are ``application/taxii+json;version=2.1``; errors are TAXII error messages.
What a collection holds and the check on every object live in ``workflow.taxii`` and
``workflow.taxii_query``; this module speaks HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from tearline import workflow as wf
from tearline.deliver.taxii import STIX_TYPE, TAXII_TYPE
from tearline.errors import InputError
from tearline.workflow import taxii
from tearline.workflow.taxii_query import (
    Filters,
    Page,
    filters_from,
    read_page,
    stix_version,
    taxii_time,
)

router = APIRouter(prefix="/taxii2", tags=["taxii"], include_in_schema=False)
ROOT = "warnings"
MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # the API root advertises it; no collection takes posts


class Problem(Exception):
    """A TAXII error message (§3.6.1) with its HTTP status."""

    def __init__(self, status: int, title: str, description: str = "") -> None:
        super().__init__(title)
        self.status, self.title, self.description = status, title, description


def _json(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        media_type=TAXII_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _problem(p: Problem) -> Response:
    body = {"title": p.title, "http_status": str(p.status)}
    if p.description:
        body["description"] = p.description
    headers = {}
    if p.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="taxii", Basic realm="taxii"'
    return _json(body, p.status, headers)


def _app(request: Request) -> wf.App:
    application: wf.App = request.app.state.tearline
    return application


def _accepts_taxii(request: Request) -> None:
    accept = request.headers.get("accept", "").replace(" ", "").lower()
    for item in accept.split(","):
        kind, _, params = item.partition(";")
        if kind == "application/taxii+json" and params in ("", "version=2.1"):
            return
    raise Problem(406, "Not Acceptable", f"send the header Accept: {TAXII_TYPE} (TAXII 2.1 only)")


async def _serve(request: Request, handle: Callable[[wf.App, taxii.Partner], Response]) -> Response:
    """Authenticate the partner, check the Accept header, run ``handle`` off the loop."""
    application = _app(request)
    try:
        header = request.headers.get("authorization", "")
        partner = await run_in_threadpool(taxii.partner_of, application, header) if header else None
        if partner is None:
            raise Problem(
                401, "Unauthorized", "send your TAXII token: Bearer, or Basic RCP-n:token"
            )
        _accepts_taxii(request)
        return await run_in_threadpool(handle, application, partner)
    except Problem as p:
        return _problem(p)
    except InputError as exc:
        return _problem(Problem(400, "Bad Request", str(exc)))


def _mine(partner: taxii.Partner, collection: str) -> None:
    # Another partner's collection and one that does not exist answer the same.
    if collection != partner.collection:
        raise Problem(404, "Not Found", "you have no collection of that id")


def _collection(partner: taxii.Partner) -> dict[str, Any]:
    return {
        "id": partner.collection,
        "title": partner.title,
        "description": f"Warnings released to {partner.name} ({partner.ref}), as STIX 2.1",
        "can_read": True,
        "can_write": False,
        "media_types": [STIX_TYPE],
    }


def _page_headers(page: Page) -> dict[str, str]:
    if not page.items:
        return {}
    added = [i.date_added for i in page.items]
    return {
        "X-TAXII-Date-Added-First": taxii_time(min(added)),
        "X-TAXII-Date-Added-Last": taxii_time(max(added)),
    }


def _envelope(page: Page, headers: dict[str, str]) -> Response:
    """The envelope, the stored objects spliced in as they are (compact JSON already):
    parsing and writing each again would cost more than the rest of the request."""
    head: dict[str, Any] = {"more": page.more}
    if page.next:
        head["next"] = page.next
    text = json.dumps(head, separators=(",", ":"))
    if page.items:
        text = text[:-1] + ',"objects":[' + ",".join(i.body for i in page.items) + "]}"
    return Response(text, media_type=TAXII_TYPE, headers={"Cache-Control": "no-store", **headers})


def _read(application: wf.App, partner: taxii.Partner, f: Filters, what: str) -> Page:
    page = read_page(application, partner.recipient_id, f)
    if page.items:
        warnings = {i.warning_id for i in page.items if i.warning_id is not None}
        taxii.record_pull(application, partner, what, warnings, len(page.items))
    return page


@router.get("/")
async def discovery(request: Request) -> Response:
    def handle(application: wf.App, partner: taxii.Partner) -> Response:
        root = f"/taxii2/{ROOT}/"
        return _json(
            {
                "title": f"{application.settings.sender} — warnings over TAXII",
                "description": "Duty-to-warn warnings released to you, as STIX 2.1 objects.",
                "default": root,
                "api_roots": [root],
            }
        )

    return await _serve(request, handle)


@router.get(f"/{ROOT}/")
async def api_root(request: Request) -> Response:
    def handle(application: wf.App, partner: taxii.Partner) -> Response:
        return _json(
            {
                "title": "Warnings",
                "description": "One collection per partner: the warnings released to it.",
                "versions": [TAXII_TYPE],
                "max_content_length": MAX_CONTENT_LENGTH,
            }
        )

    return await _serve(request, handle)


@router.get(f"/{ROOT}/collections/")
async def collections(request: Request) -> Response:
    def handle(application: wf.App, partner: taxii.Partner) -> Response:
        return _json({"collections": [_collection(partner)]})

    return await _serve(request, handle)


@router.get(f"/{ROOT}/collections/{{collection}}/")
async def collection(request: Request, collection: str) -> Response:
    def handle(application: wf.App, partner: taxii.Partner) -> Response:
        _mine(partner, collection)
        return _json(_collection(partner))

    return await _serve(request, handle)


@router.get(f"/{ROOT}/collections/{{collection}}/objects/")
async def objects(request: Request, collection: str) -> Response:
    params = dict(request.query_params)

    def handle(application: wf.App, partner: taxii.Partner) -> Response:
        _mine(partner, collection)
        page = _read(application, partner, filters_from(params), "objects")
        return _envelope(page, _page_headers(page))

    return await _serve(request, handle)


@router.get(f"/{ROOT}/collections/{{collection}}/manifest/")
async def manifest(request: Request, collection: str) -> Response:
    params = dict(request.query_params)

    def handle(application: wf.App, partner: taxii.Partner) -> Response:
        _mine(partner, collection)
        page = read_page(application, partner.recipient_id, filters_from(params))
        body: dict[str, Any] = {"more": page.more}
        if page.next:
            body["next"] = page.next
        if page.items:
            body["objects"] = [
                {
                    "id": i.stix_id,
                    "date_added": taxii_time(i.date_added),
                    "version": stix_version(i.version),
                    "media_type": STIX_TYPE,
                }
                for i in page.items
            ]
        return _json(body, headers=_page_headers(page))

    return await _serve(request, handle)


def _one(params: dict[str, str], object_id: str) -> Filters:
    if "match[id]" in params or "match[type]" in params:
        raise InputError("filter by id and type on the objects list, not on one object")
    f = filters_from(params)
    return replace(f, ids=(object_id,))


@router.get(f"/{ROOT}/collections/{{collection}}/objects/{{object_id}}/")
async def one_object(request: Request, collection: str, object_id: str) -> Response:
    params = dict(request.query_params)

    def handle(application: wf.App, partner: taxii.Partner) -> Response:
        _mine(partner, collection)
        page = _read(application, partner, _one(params, object_id), f"object {object_id}")
        if not page.items and not page.more:
            raise Problem(404, "Not Found", f"no object {object_id!r} in this collection")
        return _envelope(page, _page_headers(page))

    return await _serve(request, handle)


@router.get(f"/{ROOT}/collections/{{collection}}/objects/{{object_id}}/versions/")
async def versions(request: Request, collection: str, object_id: str) -> Response:
    params = dict(request.query_params)

    def handle(application: wf.App, partner: taxii.Partner) -> Response:
        _mine(partner, collection)
        if "match[version]" in params:
            raise InputError("the versions list takes no match[version]: it lists them all")
        f = _one(params, object_id)
        page = read_page(application, partner.recipient_id, replace(f, versions=("all",)))
        if not page.items and not page.more:
            raise Problem(404, "Not Found", f"no object {object_id!r} in this collection")
        body: dict[str, Any] = {
            "more": page.more,
            "versions": [stix_version(i.version) for i in page.items],
        }
        if page.next:
            body["next"] = page.next
        return _json(body, headers=_page_headers(page))

    return await _serve(request, handle)


__all__ = ["router"]
