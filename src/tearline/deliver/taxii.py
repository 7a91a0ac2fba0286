"""TAXII 2.1 push: a warning's STIX objects POSTed to a partner's own TAXII server.

The contact point's address is the partner collection's objects URL
(``https://taxii.partner.example/api1/collections/<id>/objects/``); its secret is the
credentials: ``USER:PASSWORD`` for HTTP Basic, or ``Bearer TOKEN``. The body is a TAXII
envelope of the warning's released STIX bundle, exactly as signed. The server answers
with a status resource: ``complete`` with every object a success is delivered; a
``pending`` one is polled at the status URL a few times, then retried like any other
temporary failure. An object the server reports as failed but already holds at the same
version (a repeat after a crash, or a retry) counts as delivered: the manifest says so.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urljoin

import aiohttp

from tearline.deliver.channels import (
    HttpPool,
    Outbound,
    PermanentFailure,
    Receipt,
    TemporaryFailure,
)
from tearline.deliver.schedule import parse_retry_after

TAXII_TYPE = "application/taxii+json;version=2.1"
STIX_TYPE = "application/stix+json;version=2.1"


def credentials(secret: str | None) -> dict[str, str]:
    """The Authorization header for a contact point's secret (none without one)."""
    if not secret:
        return {}
    if secret.lower().startswith("bearer "):
        return {"Authorization": "Bearer " + secret[7:].strip()}
    user, sep, password = secret.partition(":")
    if not sep:
        raise PermanentFailure("the TAXII credentials must be USER:PASSWORD or 'Bearer TOKEN'")
    basic = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {basic}"}


def stix_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def object_version(obj: Mapping[str, Any]) -> str:
    """TAXII's version of an object: its ``modified``, else its ``created``."""
    return str(obj.get("modified") or obj.get("created") or "")


class TaxiiPushChannel:
    """POST the warning's STIX objects to a partner's TAXII 2.1 collection."""

    name: ClassVar[str] = "taxii_push"
    forms: ClassVar[tuple[str, ...]] = ("stix",)

    def __init__(self, http: HttpPool, *, polls: int = 5, poll_seconds: float = 1.0) -> None:
        self.http = http
        self.polls = polls
        self.poll_seconds = poll_seconds

    async def send(self, message: Outbound) -> Receipt:
        url = message.address
        if not url.startswith(("http://", "https://")) or not url.rstrip("/").endswith("/objects"):
            raise PermanentFailure(
                f"not a TAXII objects URL (…/collections/<id>/objects/): {url!r}"
            )
        url = url.rstrip("/") + "/"
        bundle = message.artifacts.get("stix")
        if not bundle:
            raise PermanentFailure(f"{message.warning_ref} has no STIX form to push")
        objects = json.loads(bundle)["objects"]
        headers = {
            "Accept": TAXII_TYPE,
            "Content-Type": TAXII_TYPE,
            "User-Agent": "tearline-taxii/1",
            **credentials(message.secret),
        }
        body = json.dumps({"objects": objects}, ensure_ascii=False).encode()
        status = await self._call("POST", url, headers, body)
        for _ in range(self.polls):
            if status.get("status") == "complete":
                break
            await asyncio.sleep(self.poll_seconds)
            status_url = urljoin(url, f"../../../status/{status.get('id', '')}/")
            status = await self._call("GET", status_url, headers)
        if status.get("status") != "complete":
            raise TemporaryFailure(
                f"TAXII status {status.get('id')} still {status.get('status')}: "
                f"{status.get('success_count', 0)} of {len(objects)} added so far"
            )
        return await self._receipt(url, headers, objects, status)

    async def _receipt(
        self,
        url: str,
        headers: Mapping[str, str],
        objects: Sequence[Mapping[str, Any]],
        status: Mapping[str, Any],
    ) -> Receipt:
        failed = {
            f.get("id"): f.get("message", "") for f in status.get("failures") or [] if f.get("id")
        }
        already = 0
        if failed:
            held = await self._held(url, headers, list(failed))
            for obj in objects:
                if obj["id"] in failed and stix_time(object_version(obj)) in held.get(
                    obj["id"], set()
                ):
                    failed.pop(obj["id"])
                    already += 1
        if failed:
            first, why = next(iter(failed.items()))
            raise PermanentFailure(
                f"the TAXII server refused {len(failed)} of {len(objects)} objects "
                f"(status {status.get('id')}): {first}: {why}"[:500]
            )
        note = f" ({already} already there)" if already else ""
        return Receipt(f"TAXII status {status.get('id')}: {len(objects)} objects added{note}")

    async def _held(
        self, url: str, headers: Mapping[str, str], ids: list[str]
    ) -> dict[str, set[datetime]]:
        """The versions the partner's collection holds of ``ids`` (its manifest)."""
        manifest = url[: -len("objects/")] + "manifest/"
        params = {"match[id]": ",".join(ids), "match[version]": "all"}
        held: dict[str, set[datetime]] = {}
        found = await self._call("GET", manifest, headers, params=params)
        for entry in found.get("objects") or []:
            held.setdefault(entry["id"], set()).add(stix_time(entry["version"]))
        return held

    async def _call(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """One TAXII request; its JSON, or the failure classified as the webhook's are."""
        try:
            async with self.http.session().request(
                method, url, data=body, headers=headers, params=params
            ) as response:
                raw = await response.read()
                code = response.status
                wait = parse_retry_after(
                    response.headers.get("Retry-After"), response.headers.get("Date")
                )
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from None
        if code in (408, 425, 429) or code >= 500:
            raise TemporaryFailure(f"HTTP {code} from the TAXII server", retry_after=wait)
        if not 200 <= code < 300:
            raise PermanentFailure(f"HTTP {code} from the TAXII server: {_said(raw)}")
        try:
            found = json.loads(raw or b"{}")
        except ValueError:
            raise PermanentFailure(f"the TAXII server's answer is not JSON: {_said(raw)}") from None
        if not isinstance(found, dict):
            raise PermanentFailure("the TAXII server's answer is not a JSON object")
        return found


def _said(raw: bytes) -> str:
    try:
        found = json.loads(raw)
    except ValueError:
        return raw[:200].decode(errors="replace")
    if isinstance(found, dict):
        return str(found.get("title") or "") + (
            f": {found['description']}" if found.get("description") else ""
        )
    return raw[:200].decode(errors="replace")
