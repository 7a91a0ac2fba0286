"""Releasability markings end to end, on SQLite and PostgreSQL: a marked report gives a
case whose warnings carry the banner in every format, and a release to a recipient outside
the markings is refused with nothing stored."""

from __future__ import annotations

import email
import json
from dataclasses import replace
from email import policy

import pytest
from lxml import etree
from sqlalchemy import func, select
from stix2validator import ValidationOptions, validate_string

from tearline import workflow as wf
from tearline.demo.scenario import CODE_WORD, SOURCE, report_text, second_report_text
from tearline.errors import InputError, InvalidState, LeakDetected
from tearline.intake import Document
from tearline.intake.cap import CapReader
from tearline.intake.stix import StixReader
from tearline.markings import parse_markings
from tearline.model import Contact
from tearline.release.cap import CAP_NS, validate_cap
from tearline.release.stix import REL_TO_EXTENSION
from tearline.store import tables as t
from tearline.workflow.case_markings import case_markings
from tearline.workflow.casefile import case_file
from tests.conftest import seed_users
from tests.factories import add_liaison_with_fallback, add_moscow_recipients
from tests.workflow.conftest import PROVENANCE

People = tuple[wf.Identity, wf.Identity]


def _ingest(app: wf.App, raw: bytes, name: str, *markings: str) -> str:
    result = wf.ingest_bytes(app, raw, name, replace(PROVENANCE, markings=markings), "dana")
    refs = [e.threat_ref for e in result.events if e.threat_ref]
    assert refs, "the report should open or join a case"
    return refs[0]


def _rows(app: wf.App, table: type[t.Base]) -> int:
    with app.read() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_a_marked_case_warns_inside_its_markings_in_every_format(app: wf.App) -> None:
    people = seed_users(app)
    add_liaison_with_fallback(app)  # a government of Russia: its nation is RUS
    threat = _ingest(app, report_text(), "moscow.txt", "REL TO RUS, FVEY")
    wf.decide(app, threat, people[0])
    proposed = wf.propose_release(app, threat, people[0])
    wf.approve_release(app, proposed.ref, people[1])
    banner = "REL TO RUS, FVEY"
    with app.read() as s:
        (w,) = s.scalars(select(t.WarningRecord)).all()
        artifacts = dict(w.artifacts)
        content = dict(w.content)
    # the signed document and the text open with the TLP and the banner
    assert content["markings"] == {"banner": banner, "rel_to": ["RUS", "FVEY"]}
    assert artifacts["text"].startswith(f"TLP:AMBER | {banner}\n\n")
    assert artifacts["alert"].startswith(f"TLP:AMBER | {banner}\n")
    assert wf.verify_artifact(artifacts["jws"], app.keys.keyset()).document["markings"] == {
        "banner": banner,
        "rel_to": ["RUS", "FVEY"],
    }
    # e-mail: in the subject beside the TLP, and first in the body
    mail = email.message_from_string(artifacts["email"], policy=policy.default)
    assert str(mail["Subject"]).startswith(f"[TLP:AMBER | {banner}] ")
    plain = mail.get_body(("plain",))
    assert plain is not None
    assert plain.get_content().startswith(f"TLP:AMBER | {banner}\n")
    # SMS: the banner leads where it fits in 160 characters
    assert len(artifacts["sms"]) <= 160
    assert artifacts["sms"].startswith(f"{banner}: ")
    # CAP: Restricted by the banner, still addressed to the recipient; schema-valid, and
    # read back by Tearline's own CAP intake as the same markings
    root = etree.fromstring(artifacts["cap"].encode())
    validate_cap(root)
    ns = {"cap": CAP_NS}
    assert root.findtext("cap:scope", namespaces=ns) == "Restricted"
    assert root.findtext("cap:restriction", namespaces=ns) == f"TLP:AMBER; {banner}"
    assert root.findtext("cap:addresses", namespaces=ns) == '"Russian Federation (liaison)"'
    (item,) = list(CapReader().read_items(artifacts["cap"].encode(), "wrn.cap.xml"))
    assert isinstance(item, Document)
    assert parse_markings(item.markings).banner() == banner
    # STIX: a marking definition through Tearline's extension, on every object
    result = validate_string(artifacts["stix"], ValidationOptions(version="2.1", strict=True))
    assert result.is_valid, [e.message for e in result.errors]
    bundle = json.loads(artifacts["stix"])
    (marking,) = [
        o
        for o in bundle["objects"]
        if o["type"] == "marking-definition" and REL_TO_EXTENSION in o.get("extensions", {})
    ]
    assert marking["extensions"][REL_TO_EXTENSION]["rel_to"] == ["RUS", "FVEY"]
    assert marking["name"] == banner
    report = next(o for o in bundle["objects"] if o["type"] == "report")
    assert marking["id"] in report["object_marking_refs"]
    assert any(o["type"] == "extension-definition" for o in bundle["objects"])
    (read,) = list(StixReader().read_items(artifacts["stix"].encode(), "wrn.stix"))
    assert isinstance(read, Document)
    assert parse_markings(read.markings).banner() == banner


def test_the_determination_leaves_out_recipients_outside_the_markings(app: wf.App) -> None:
    people = seed_users(app)
    add_moscow_recipients(app, "http://127.0.0.1:9")  # Russia's liaison and the public
    threat = _ingest(app, report_text(), "moscow.txt", "REL TO RUS")
    case = case_file(app, threat, people[0])
    assert case["markings"] == "REL TO RUS"
    assert [r["markings"] for r in case["reports"]] == ["REL TO RUS"]
    preview = {r["name"]: r["outside_markings"] for r in case["preview"]["recipients"]}
    assert preview == {"Russian Federation (liaison)": False, "Public in Moscow": True}
    decided = wf.decide(app, threat, people[0])
    assert decided.markings == "REL TO RUS"
    assert [r.name for r in decided.recipients] == ["Russian Federation (liaison)"]
    assert [r.name for r in decided.outside_markings] == ["Public in Moscow"]
    with app.read() as s:
        det = s.scalar(select(t.Determination))
        assert det is not None
        assert det.parity["outside_markings"] == ["RCP-2"]


def test_a_case_no_needed_recipient_may_see_is_not_determined_to_warn(app: wf.App) -> None:
    people = seed_users(app)
    add_moscow_recipients(app, "http://127.0.0.1:9")
    threat = _ingest(app, report_text(), "moscow.txt", "REL TO USA, GBR")
    with pytest.raises(InvalidState, match="outside the case's releasability markings REL TO"):
        wf.decide(app, threat, people[0])
    assert _rows(app, t.Determination) == 0


def test_a_release_to_a_recipient_outside_the_markings_is_refused_and_nothing_stored(
    app: wf.App,
) -> None:
    people = seed_users(app)
    add_moscow_recipients(app, "http://127.0.0.1:9")
    threat = _ingest(app, report_text(), "moscow.txt")
    wf.decide(app, threat, people[0])
    # a partner's marked report joins the case after the determination
    assert _ingest(app, second_report_text(), "partner.txt", "REL TO USA, GBR") == threat
    with pytest.raises(LeakDetected) as refused:
        wf.propose_release(app, threat, people[0])
    message = str(refused.value)
    assert "Russian Federation (liaison) (RCP-1) (RUS)" in message
    assert "REL TO USA, GBR" in message
    assert CODE_WORD not in message
    assert SOURCE not in message
    assert _rows(app, t.Release) == 0
    assert _rows(app, t.WarningRecord) == 0
    refusals = [e for e in wf.audit_entries(app, limit=100) if e["action"] == "release.refused"]
    assert len(refusals) == 1
    assert json.loads(str(refusals[0]["details"]))["term"] == "marking:REL TO USA, GBR"


def test_a_case_carries_what_all_its_reports_allow(app: wf.App) -> None:
    seed_users(app)
    first = _ingest(app, report_text(), "moscow.txt", "REL TO RUS, FVEY")
    second = _ingest(app, second_report_text(), "partner.txt", "REL TO RUS, USA, FRA")
    assert first == second
    with app.read() as s:
        threat = s.scalar(select(t.Threat))
        assert threat is not None
        combined = case_markings(s, threat.id)
    assert combined.banner() == "REL TO USA, RUS"
    assert not combined.allows("GBR")  # Five Eyes by the first report, not by the second


def test_a_report_header_marks_it_and_a_bad_marking_stores_nothing(app: wf.App) -> None:
    seed_users(app)
    marked = b"REL TO USA, GBR\n" + report_text()
    _ingest(app, marked, "marked.txt")
    with app.read() as s:
        assert s.scalars(select(t.Report.rel_to)).all() == [["USA", "GBR"]]
    with pytest.raises(InputError, match="'ATLANTIS' is not a nation or a sharing community"):
        wf.ingest_bytes(
            app,
            report_text() + b"\nmore",
            "bad.txt",
            replace(PROVENANCE, markings=("REL TO USA, ATLANTIS",)),
            "dana",
        )
    assert _rows(app, t.Report) == 1


def test_a_recipient_keeps_its_nation_and_communities(app: wf.App) -> None:
    wf.add_recipient(
        app,
        name="UK embassy Moscow",
        kind="organisation",
        tier="ally",
        language="en",
        nation="gb",
        communities=["nato", "Five Eyes"],
        contacts=[Contact("email", "duty@embassy.test")],
    )
    with app.read() as s:
        row = s.scalar(select(t.Recipient))
        assert row is not None
        assert (row.nation, row.communities) == ("GBR", ["NATO", "FVEY"])
    exported = json.loads(wf.export_recipients(app, "json"))
    assert (exported[0]["nation"], exported[0]["communities"]) == ("GBR", ["NATO", "FVEY"])


def test_a_marked_report_joining_before_approval_stops_the_release(app: wf.App) -> None:
    people = seed_users(app)
    add_liaison_with_fallback(app)
    threat = _ingest(app, report_text(), "moscow.txt", "REL TO RUS, FVEY")
    wf.decide(app, threat, people[0])
    proposed = wf.propose_release(app, threat, people[0])
    # still inside (Russia), but the banner the draft carries is no longer the case's
    _ingest(app, second_report_text(), "partner.txt", "REL TO RUS, FRA")
    with pytest.raises(InvalidState, match="now REL TO RUS: propose the release again"):
        wf.approve_release(app, proposed.ref, people[1])
    # a third report Russia may not see: the approver's check refuses the recipient
    third = report_text().replace(b"within days", b"within a week")
    _ingest(app, third, "third.txt", "REL TO FRA")
    with pytest.raises(LeakDetected, match=r"\(RUS\) is outside .* REL TO NONE"):
        wf.approve_release(app, proposed.ref, people[1])
    with app.read() as s:
        assert all(w.status == "draft" for w in s.scalars(select(t.WarningRecord)))
