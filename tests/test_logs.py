"""Log lines as an operator's collector reads them: TEARLINE_LOG_FORMAT=json gives one JSON
object per line from the worker and the desk, with IDs and never a protected term."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from sqlalchemy import String, cast, literal, update

from tearline import workflow as wf
from tearline.demo.receiver import LoopbackReceiver
from tearline.demo.scenario import CODE_WORD, METHODS, SOURCE, report_text
from tearline.store import tables as t
from tests.conftest import seed_users
from tests.factories import add_moscow_recipients

PROVENANCE = wf.Provenance(
    source=SOURCE,
    reliability="B",
    protect=(
        wf.TermSpec("code_word", CODE_WORD),
        *(wf.TermSpec("collection_method", m) for m in METHODS),
    ),
)


def tearline(app: wf.App, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The command as a service runs it: its own process, settings from the environment."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TEARLINE_")}
    environ |= {
        "TEARLINE_HOME": str(app.settings.home_path),
        "TEARLINE_DATABASE_URL": app.settings.database,
        "COLUMNS": "200",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "tearline", *args],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


def release_to_moscow(app: wf.App, url: str) -> wf.Released:
    """The demo case released to the Moscow recipients (the public's webhook at ``url``)."""
    add_moscow_recipients(app, url)
    dana, avery = seed_users(app)
    ingested = wf.ingest_bytes(app, report_text(), "moscow.txt", PROVENANCE, actor="dana")
    threat = next(e.threat_ref for e in ingested.events if e.threat_ref)
    assert threat is not None
    wf.decide(app, threat, dana)
    return wf.approve_release(app, wf.propose_release(app, threat, dana).ref, avery)


def test_the_worker_logs_json_lines_with_ids_and_no_protected_term(app: wf.App) -> None:
    receiver = LoopbackReceiver()
    url = receiver.start()
    try:
        released = release_to_moscow(app, url)
        result = tearline(app, "worker", "--once", TEARLINE_LOG_FORMAT="json")
    finally:
        receiver.stop()
    assert result.returncode == 0, result.stderr
    assert receiver.posts, "the webhook got the public alert"
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    for r in records:
        assert {"time", "level", "logger", "message"} <= set(r), r
    started = next(r for r in records if r["message"].endswith("started"))
    assert started["logger"] == "tearline.worker"
    assert started["worker_id"] in started["message"]
    sent = [r for r in records if "delivery" in r]
    assert len(sent) == released.deliveries
    assert {r["warning"] for r in sent} <= {w["ref"] for w in wf.list_warnings(app)}
    assert {r["channel"] for r in sent} == {"webhook", "liaison_note", "public_feed"}
    assert {"delivered", "awaiting_handover"} >= {r["status"] for r in sent}
    assert next(r for r in records if r["message"] == "3 deliveries attempted")["count"] == 3
    text = (result.stdout + result.stderr).lower()
    for term in (SOURCE, CODE_WORD, *METHODS, url, "moscow-desk", "Public in Moscow"):
        assert term.lower() not in text, term


def test_text_is_the_default_and_a_bad_format_is_named(app: wf.App) -> None:
    result = tearline(app, "worker", "--once")
    assert result.returncode == 0, result.stderr
    assert " INFO tearline.worker: delivery worker " in result.stderr
    assert "0 deliveries attempted" in result.stdout
    quiet = tearline(app, "worker", "--once", TEARLINE_LOG_LEVEL="warning")
    assert quiet.stderr == ""
    bad = tearline(app, "worker", "--once", TEARLINE_LOG_FORMAT="xml")
    assert bad.returncode != 0
    assert "TEARLINE_LOG_FORMAT: log_format='xml' is not valid" in bad.stderr


def test_each_delivery_is_one_printed_line_with_no_control_character(app: wf.App) -> None:
    """The text a service's journal gets: a line per delivery, however long the recipient's
    name, and no terminal control sequence from a name in the registry."""
    receiver = LoopbackReceiver()
    url = receiver.start()
    try:
        released = release_to_moscow(app, url)
        hostile = "Ministry \x1b[2J\x1b]0;owned\x07 of\r\nthe Interior " + "x" * 120
        with app.unit() as u:
            named = literal(hostile) + cast(t.Recipient.id, String)  # names are unique
            u.session.execute(update(t.Recipient).values(name=named))
        result = tearline(app, "worker", "--once", COLUMNS="80")
    finally:
        receiver.stop()
    assert result.returncode == 0, result.stderr
    sent = [line for line in result.stdout.splitlines() if line.startswith("DLV-")]
    assert len(sent) == released.deliveries == 3
    shown = "Ministry ?[2J?]0;owned? of??the Interior " + "x" * 120
    for line in sent:
        assert re.search(f" → {re.escape(shown)}[0-9]+ via ", line), line
    assert not {c for c in result.stdout if ord(c) < 0x20 and c != "\n"}
    assert result.stdout.splitlines()[-1] == "3 deliveries attempted"
