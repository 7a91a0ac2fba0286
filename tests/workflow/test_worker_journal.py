"""The journal a worker writes as receipts arrive: the lines a batch writes together read
back as each receipt said, byte for byte the lines ``Journal.note`` writes one at a time, so
a worker recovering another's journal (of this or an earlier version) records the same."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from tearline.workflow.worker import Journal, Notes, _read_journal

RECEIPTS = [
    (1, "delivered", "HTTP 200"),
    (2, "delivered", "HTTP 200"),
    (3, "awaiting_handover", 'note ready: "Moscow" desk — \\ ünïcode'),
    (40, "delivered", "HTTP 202"),
    (41, "delivered", "x" * 900),  # journalled cut to 500 characters
    (42, "delivered", "HTTP 200"),
]


def test_a_batchs_receipts_are_journalled_as_single_lines_and_read_back(tmp_path: Path) -> None:
    batch, single = tmp_path / "w.1.log", tmp_path / "w.2.log"

    async def write() -> None:
        fd = os.open(batch, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
        notes = Notes(fd)
        for delivery_id, status, detail in RECEIPTS:
            notes.note(delivery_id, status, detail)
            await asyncio.sleep(0)
        notes.flush()
        os.close(fd)

    asyncio.run(write())
    fd = os.open(single, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    for delivery_id, status, detail in RECEIPTS:
        Journal.note(fd, delivery_id, status, detail)
    os.close(fd)

    assert batch.read_bytes() == single.read_bytes()
    assert _read_journal([batch]) == {
        delivery_id: (status, detail[:500]) for delivery_id, status, detail in RECEIPTS
    }
