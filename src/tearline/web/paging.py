"""Pages of the API's lists: ``limit`` (capped) and ``offset`` in, a ``Link: <...>;
rel="next"`` header out while more follow (RFC 8288). The body stays the list itself, so
a client that reads one page sees what it saw before; one that wants all follows the link.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Query, Request, Response

from tearline.jsonbytes import json_bytes

MAX_PAGE = 500
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"at most this many (≤ {MAX_PAGE})")]
Offset = Annotated[int, Query(ge=0, description="skip this many (the next page's link says)")]

T = TypeVar("T")


def link_next(request: Request, response: Response, **params: Any) -> None:
    """Point to the next page: this request's URL with ``params`` replaced. Relative (path
    and query), so it holds behind a proxy that rewrites the host."""
    url = request.url.include_query_params(**params)
    response.headers["link"] = f'<{url.path}?{url.query}>; rel="next"'


def page_of(
    request: Request, response: Response, rows: list[T], *, limit: int, offset: int
) -> list[T]:
    """One page of a list already in memory, with the link to the next while more follow."""
    if offset + limit < len(rows):
        link_next(request, response, offset=offset + limit, limit=limit)
    return rows[offset : offset + limit]


def page_bytes(rows: list[Any], limit: int) -> tuple[tuple[bytes, bool], int]:
    """A page of ``limit + 1`` rows fetched (the extra one says more follow) as JSON with
    no float under 1e-4, whether more follow, and its size in bytes: what
    ``ListCache.kept`` is given to keep."""
    body = json_bytes(rows[:limit], tiny_floats=False)
    return (body, len(rows) > limit), len(body)


def kept_page(request: Request, body: bytes, more: bool, *, limit: int, offset: int) -> Response:
    """A page already written as JSON (``workflow.list_cache`` keeps them), with the link
    to the next while ``more`` follow."""
    answer = Response(body, media_type="application/json")
    if more:
        link_next(request, answer, offset=offset + limit, limit=limit)
    return answer


def json_answer(
    content: Any, response: Response | None = None, *, tiny_floats: bool = True
) -> Response:
    """``content`` (plain JSON data: str, int, float, bool, None, lists, dicts) as the very
    bytes FastAPI's JSONResponse writes (``json_bytes``), without FastAPI's walk over every
    item of a big list to check and convert it; with the ``Link`` header set on
    ``response``. The route keeps its ``response_model`` for the API's schema.
    ``tiny_floats=False``: the content holds no float under 1e-4 (its floats, if any, are
    rounded to a tenth), so the bytes need no search for one."""
    answer = Response(json_bytes(content, tiny_floats=tiny_floats), media_type="application/json")
    if response is not None and "link" in response.headers:
        answer.headers["link"] = response.headers["link"]
    return answer
