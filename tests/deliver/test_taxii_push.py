"""TAXII push: a released warning's STIX objects land in a partner's own TAXII server —
the OASIS reference server, medallion, run on loopback — and can be read back from it."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from taxii2client.v21 import Collection

from tearline import workflow as wf
from tearline.deliver import HttpPool, Outbound, PermanentFailure, TemporaryFailure
from tearline.deliver.taxii import TaxiiPushChannel
from tearline.model import Contact
from tearline.store import tables as t
from tests.partners import ALLY, add_partners, deliver, release_demo

WRITABLE = "365fed99-08fa-fdcd-a1b3-fb247eb41d01"  # the partner's collection: read and write
USER, PASSWORD = "partner", "partner-taxii-pass"
PATIENCE = 30.0  # a hang guard for the server's start, not a timing


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def medallion(tmp_path: Path) -> Iterator[str]:
    """medallion on loopback, its memory backend holding one empty collection (in the
    layout of its sample data); yields that collection's objects URL."""
    data = tmp_path / "medallion-data.json"
    data.write_text(json.dumps(_partner_server()))
    config = tmp_path / "medallion.json"
    config.write_text(
        json.dumps(
            {
                "backend": {
                    "module": "medallion.backends.memory_backend",
                    "module_class": "MemoryBackend",
                    "filename": str(data),
                },
                "users": {USER: PASSWORD},
                "taxii": {"max_page_size": 100},
            }
        )
    )
    port = _free_port()
    script = Path(sys.executable).parent / "medallion"
    log = tmp_path / "medallion.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [str(script), "--host", "127.0.0.1", "--port", str(port), str(config)],
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    deadline = time.monotonic() + PATIENCE
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                pytest.fail(f"medallion did not start: {log.read_text()[-500:]}")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/trustgroup1/collections/{WRITABLE}/objects/"
    proc.terminate()
    proc.wait(timeout=10)


def _partner_server() -> dict[str, object]:
    root = {
        "information": {
            "title": "Partner trust group",
            "versions": ["application/taxii+json;version=2.1"],
            "max_content_length": 9765625,
        },
        "status": [],
        "collections": [
            {
                "id": WRITABLE,
                "title": "Warnings from Tearline",
                "can_read": True,
                "can_write": True,
                "media_types": ["application/stix+json;version=2.1"],
                "objects": [],
                "manifest": [],
            }
        ],
    }
    return {
        "/discovery": {
            "title": "A partner's TAXII server",
            "default": "http://127.0.0.1/trustgroup1/",
            "api_roots": ["http://127.0.0.1/trustgroup1/"],
        },
        "trustgroup1": root,
    }


def _bundle(app: wf.App, name: str) -> dict[str, dict[str, object]]:
    with app.read() as s:
        w = s.scalars(
            select(t.WarningRecord).join(t.Recipient).where(t.Recipient.name == name)
        ).one()
        return {o["id"]: o for o in json.loads(w.artifacts["stix"])["objects"]}


def _outbound(app: wf.App, url: str, secret: str) -> Outbound:
    with app.read() as s:
        w = s.scalars(
            select(t.WarningRecord).join(t.Recipient).where(t.Recipient.name == ALLY)
        ).one()
        artifacts = {k: v for k, v in w.artifacts.items() if isinstance(v, str)}
    return Outbound(
        "DLV-0", "tl-again", url, "WRN-0", ALLY, "", "", {}, "", artifacts, secret=secret
    )


def _push(message: Outbound) -> str:
    async def go() -> str:
        http = HttpPool(10)
        try:
            return (await TaxiiPushChannel(http, poll_seconds=0.2).send(message)).detail
        finally:
            await http.aclose()

    return asyncio.run(go())


def test_a_release_is_pushed_to_the_partners_taxii_server(app: wf.App, medallion: str) -> None:
    push = Contact("taxii_push", medallion, f"{USER}:{PASSWORD}")
    add_partners(app, push=push)
    release_demo(app)
    sent = [s for s in deliver(app) if s.channel == "taxii_push"]
    assert [(s.recipient, s.status) for s in sent] == [(ALLY, "delivered")]
    assert "14 objects added" in sent[0].detail
    # What the partner's server now holds is the warning as released, object for object.
    collection = Collection(medallion.removesuffix("objects/"), user=USER, password=PASSWORD)
    held = collection.get_objects()["objects"]
    assert {o["id"]: o for o in held} == _bundle(app, ALLY)
    # Sent again (a worker that died before recording it): nothing is added twice, and the
    # repeat counts as delivered because the partner's manifest holds every object.
    again = _push(_outbound(app, medallion, f"{USER}:{PASSWORD}"))
    assert again.endswith("14 objects added (14 already there)")
    assert len(collection.get_objects()["objects"]) == 14


def test_bad_credentials_and_a_server_that_is_down(app: wf.App, medallion: str) -> None:
    add_partners(app)
    release_demo(app)
    with pytest.raises(PermanentFailure, match="HTTP 401"):
        _push(_outbound(app, medallion, f"{USER}:wrong-password"))
    down = f"http://127.0.0.1:{_free_port()}/api1/collections/{WRITABLE}/objects/"
    with pytest.raises(TemporaryFailure):
        _push(_outbound(app, down, f"{USER}:{PASSWORD}"))
    with pytest.raises(PermanentFailure, match="objects URL"):
        _push(_outbound(app, medallion.removesuffix("objects/"), f"{USER}:{PASSWORD}"))
