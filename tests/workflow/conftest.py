"""A case in progress: users, recipients, and the demo report ingested."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tearline import workflow as wf
from tearline.demo.receiver import LoopbackReceiver
from tearline.demo.scenario import CODE_WORD, METHODS, SOURCE, report_text
from tests.conftest import seed_users
from tests.factories import add_moscow_recipients


@pytest.fixture
def receiver() -> Iterator[tuple[LoopbackReceiver, str]]:
    r = LoopbackReceiver()
    url = r.start()
    yield r, url
    r.stop()


@pytest.fixture
def people(app: wf.App) -> tuple[wf.Identity, wf.Identity]:
    return seed_users(app)


@pytest.fixture
def registry(app: wf.App, receiver: tuple[LoopbackReceiver, str]) -> None:
    _, url = receiver
    add_moscow_recipients(app, url)


PROVENANCE = wf.Provenance(
    source=SOURCE,
    reliability="B",
    protect=(
        wf.TermSpec("code_word", CODE_WORD),
        *(wf.TermSpec("collection_method", m) for m in METHODS),
    ),
)


@pytest.fixture
def ingested(app: wf.App, people: object, registry: None) -> wf.Ingested:
    return wf.ingest_bytes(app, report_text(), "moscow.txt", PROVENANCE, actor="dana")


@pytest.fixture
def threat_ref(ingested: wf.Ingested) -> str:
    refs = [e.threat_ref for e in ingested.events if e.threat_ref]
    assert refs, "the demo report should open a threat case"
    return refs[0]
