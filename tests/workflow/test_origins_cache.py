"""Origins at ingest keep earlier reports' fingerprints between ingests: the echo found is
the same as without the cache, and two databases in one process never share one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.demo.scenario import report_text
from tearline.settings import load_settings

OTHER = (
    b"Police in Lyon said on Tuesday that a man was arrested near the Part-Dieu station "
    b"after officers found a rifle in his car. No one was hurt, the prefecture said.\n"
)


def _app(home: Path, clock: FixedClock) -> wf.App:
    return wf.App(
        load_settings({"home": str(home), "sender": "Test agency"}, environ={}), clock=clock
    )


@pytest.fixture
def two(tmp_path: Path, clock: FixedClock) -> Iterator[tuple[wf.App, wf.App]]:
    a, b = _app(tmp_path / "a", clock), _app(tmp_path / "b", clock)
    yield a, b
    a.close()
    b.close()


def ingest(app: wf.App, raw: bytes, name: str, source: str) -> wf.Ingested:
    return wf.ingest_bytes(app, raw, name, wf.Provenance(source=source), actor="dana")


def test_an_echo_is_found_again_from_the_kept_fingerprint(app: wf.App) -> None:
    first = ingest(app, report_text(), "liaison.txt", "ALPHA")
    assert first.origin == first.report_ref
    relayed = ingest(app, report_text() + b"\nRelayed by the desk.", "relay.txt", "BRAVO")
    assert relayed.origin == first.report_ref
    assert relayed.origin_reason is not None
    assert "near-duplicate of RPT-1" in relayed.origin_reason
    # RPT-1's fingerprint was kept by the first comparison; the third copy is tied to the
    # same origin, for the same reason, through it.
    again = ingest(app, report_text() + b"\nRelayed once more.", "again.txt", "CHARLIE")
    assert again.origin == first.report_ref
    assert again.origin_reason is not None
    assert again.origin_reason.startswith("near-duplicate of RPT-1")


def test_two_databases_in_one_process_never_share_a_fingerprint(
    two: tuple[wf.App, wf.App],
) -> None:
    a, b = two
    assert ingest(a, report_text(), "moscow.txt", "ALPHA").report_ref == "RPT-1"
    assert ingest(b, OTHER, "lyon.txt", "ALPHA").report_ref == "RPT-1"
    # In b, RPT-1 is the Lyon story: the Moscow text is new there, whatever a remembers.
    moscow_in_b = ingest(b, report_text(), "moscow.txt", "BRAVO")
    assert moscow_in_b.origin == moscow_in_b.report_ref
    assert moscow_in_b.origin_reason is None
    # and in a, a copy of the Moscow text is still an echo of a's RPT-1
    copy_in_a = ingest(a, report_text() + b"\nRelayed.", "copy.txt", "BRAVO")
    assert copy_in_a.origin == "RPT-1"
