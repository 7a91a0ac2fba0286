"""Pages of the API's lists: ``limit`` (capped) and ``offset`` in, a ``Link: <...>;
rel="next"`` header out while more follow (RFC 8288). The body stays the list itself, so
a client that reads one page sees what it saw before; one that wants all follows the link.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Query, Request, Response

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


def fetched_page(
    request: Request, response: Response, rows: list[T], *, limit: int, offset: int
) -> list[T]:
    """One page of ``limit + 1`` rows fetched from ``offset``: the extra one says more follow."""
    if len(rows) > limit:
        link_next(request, response, offset=offset + limit, limit=limit)
    return rows[:limit]


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


# A float under 1e-4, which orjson writes as "1e-5" or "0.00001" where json writes "1e-05":
# a number (first, or after ``[``, ``:`` or ``,``) in exponent form or with four zeros
# after the point. Searched for only where one of its two marks is found at all.
_TINY_FLOAT = re.compile(rb"(?:\A|[\[:,])-?(?:[0-9.]+e-|0\.0000)")
_EXPONENT, _ZEROS = re.compile(rb"e-"), re.compile(rb"\.0000")


def json_bytes(content: Any, *, tiny_floats: bool = True) -> bytes:
    """``json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))``
    as UTF-8, byte for byte, written by orjson (a tenth of the time on a page of a list).
    Where orjson's output could differ, json writes it: what orjson refuses (an integer
    beyond 64 bits, a key that is not a string) and, unless ``tiny_floats`` is False, a
    float under 1e-4, whose exponent the two write differently. NaN and the infinities,
    which json refuses, orjson writes as null: no list holds one (its numbers are counts,
    rounded hours, and audit details, which the hash chain's RFC 8785 form refuses them
    in)."""
    try:
        body = orjson.dumps(content)
    except orjson.JSONEncodeError:
        body = b""
    if not body or (
        tiny_floats and (_EXPONENT.search(body) or _ZEROS.search(body)) and _TINY_FLOAT.search(body)
    ):
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        body = text.encode()
    return body
