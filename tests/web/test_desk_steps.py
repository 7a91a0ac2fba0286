"""Every step in the desk, over HTTP: the recipient registry (paged, searched, added,
edited, imported all-or-nothing, exported without secrets), adjust per warning, all-clear
and withdraw, and the home page per role — on SQLite and PostgreSQL, with the CSRF and
role checks of every new form."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.store import tables as t
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Desk

HEADER = "name,kind,tier,language,jurisdiction,country,city,contacts\n"
REASON = "the police asked for the venue to guard it"
SUPERSEDE = "the window passed without an attack; the plot is judged disrupted"


def _count(app: wf.App, table: type[t.Base]) -> int:
    with app.read() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def _proposed(desk: Desk) -> tuple[str, str]:
    """The demo case decided and proposed by dana: (case, release)."""
    app = desk.app
    threat = ingest_demo(app)
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    wf.decide(app, threat, dana)
    return threat, wf.propose_release(app, threat, dana).ref


def test_the_registry_is_paged_and_searched(desk: Desk) -> None:
    rows = "".join(
        f"Security desk {i:03},organisation,partner,en,,DE,Berlin,email=desk{i}@example.org\n"
        for i in range(120)
    )
    done = wf.import_recipients(desk.app, (HEADER + rows).encode(), "csv", actor="test")
    assert len(done.created) == 120
    ana = desk.client("ana")
    first = ana.get("/recipients").text
    assert "Page 1 of 3" in first  # 122 with the demo's two, 50 a page
    assert "122 in the registry" in first
    third = ana.get("/recipients", params={"page": "3"}).text
    assert "Security desk 119" in third
    assert "Security desk 000" not in third
    found = ana.get("/recipients", params={"q": "desk 07"}).text
    assert "10 match" in found
    assert "Security desk 070" in found
    assert "Security desk 080" not in found
    assert ana.get("/recipients", params={"page": "99"}).status_code == 200  # the last page


def test_a_bad_import_lists_every_row_and_stores_nothing(desk: Desk) -> None:
    dana = desk.client("dana")
    before = _count(desk.app, t.Recipient)
    bad = (
        HEADER
        + "Good desk,organisation,partner,en,,DE,Berlin,email=good@example.org\n"
        + "Bad tier,organisation,friendly,en,,DE,Berlin,email=x@example.org\n"
        + "No contact,organisation,partner,en,,DE,Berlin,\n"
    )
    r = dana.http.post(
        "/recipients/import",
        data={"csrf_token": dana.csrf},
        files={"file": ("registry.csv", bad.encode(), "text/csv")},
    )
    assert r.status_code == 422
    assert "nothing imported from registry.csv" in r.text
    assert "row 3, tier" in r.text
    assert "row 4, contacts" in r.text
    assert _count(desk.app, t.Recipient) == before
    good = HEADER + "Good desk,organisation,partner,en,,DE,Berlin,email=good@example.org\n"
    r = dana.http.post(
        "/recipients/import",
        data={"csrf_token": dana.csrf},
        files={"file": ("registry.csv", good.encode(), "text/csv")},
    )
    assert dana.flash(r) == "ok: registry.csv: 1 recipient(s) added, 0 updated"
    assert _count(desk.app, t.Recipient) == before + 1


def test_a_webhook_secret_is_shown_once_and_exports_never_hold_it(desk: Desk) -> None:
    dana = desk.client("dana")
    form = {
        "name": "Stadium security",
        "kind": "organisation",
        "tier": "partner",
        "language": "en",
        "country": "RU",
        "city": "Moscow",
        "contacts": "webhook=https://stadium.example/alerts\nemail=ops@stadium.example",
        "communities": "NATO",
    }
    r = dana.post("/recipients", data=form)
    assert r.status_code == 200, r.text[:500]
    secret = r.text.split('<code class="token">', 1)[1].split("<", 1)[0]
    assert len(secret) >= 32
    with desk.app.read() as s:
        row = s.scalars(select(t.Recipient).where(t.Recipient.name == "Stadium security")).one()
        ref = f"RCP-{row.id}"
        assert row.contacts[0]["secret"] == secret
        assert row.communities == ["NATO"]
    page = dana.get(f"/recipients/{ref}").text
    assert secret not in page
    assert "secret set (never shown)" in page
    for fmt in ("csv", "json"):
        exported = desk.client("ana").get("/recipients/export", params={"format": fmt})
        assert exported.status_code == 200
        assert "Stadium security" in exported.text
        assert secret not in exported.text
    # Editing keeps the stored secret with its webhook and shows none.
    edit = {**form, "tier": "ally", "contacts": form["contacts"]}
    saved = dana.post(f"/recipients/{ref}", data=edit)
    assert dana.flash(saved) == f"ok: {ref}: Stadium security saved"
    with desk.app.read() as s:
        edited = s.get(t.Recipient, int(ref[4:]))
        assert edited is not None
        assert edited.tier == "ally"
        assert edited.contacts[0]["secret"] == secret
    audit = desk.client("aude").api("GET", "/api/audit?action=recipient.updated").json()
    assert [(e["actor"], e["subject"]) for e in audit] == [("dana", ref)]
    assert secret not in json.dumps(audit)
    rotated = dana.post(f"/recipients/{ref}/rotate-secret")
    fresh = rotated.text.split('<code class="token">', 1)[1].split("<", 1)[0]
    assert fresh != secret
    assert fresh not in dana.get(f"/recipients/{ref}").text


def test_a_bad_form_keeps_what_was_typed_and_stores_nothing(desk: Desk) -> None:
    dana = desk.client("dana")
    before = _count(desk.app, t.Recipient)
    form = {"name": "Half a recipient", "kind": "government", "tier": "ally", "contacts": ""}
    r = dana.post("/recipients", data=form)
    assert r.status_code == 422
    assert "jurisdiction: a government needs the country it protects" in r.text
    assert "contacts: a recipient needs at least one contact point" in r.text
    assert 'value="Half a recipient"' in r.text
    assert _count(desk.app, t.Recipient) == before


@pytest.mark.parametrize(
    "path",
    ["/recipients", "/recipients/RCP-1", "/recipients/RCP-1/rotate-secret", "/threats/THR-1/end"],
)
def test_new_forms_refuse_a_missing_csrf_token_and_other_roles(desk: Desk, path: str) -> None:
    ingest_demo(desk.app)
    before = (_count(desk.app, t.Recipient), _count(desk.app, t.Release))
    dana = desk.client("dana")
    body = {
        "name": "Forged",
        "kind": "organisation",
        "tier": "ally",
        "contacts": "sms=+4915112345678",
    }
    body |= {"ending": "withdraw", "reason": "a forged request from elsewhere"}
    forged = dana.http.post(path, data=body)  # no csrf_token
    assert forged.status_code == 403
    for person in ("ana", "avery", "aude", "root"):
        r = desk.client(person).post(path, data=body)
        assert r.status_code == 403, (person, r.status_code)
        assert "this needs the duty officer role" in r.text
    assert (_count(desk.app, t.Recipient), _count(desk.app, t.Release)) == before


def test_adjust_and_end_through_the_desk_are_recorded(desk: Desk) -> None:
    app = desk.app
    threat, release = _proposed(desk)
    dana = desk.client("dana")
    shown = dana.get(f"/threats/{threat}/release").text
    assert 'action="/warnings/WRN-1/adjust"' in shown
    short = dana.post(
        "/warnings/WRN-1/adjust", data={"level": "actor:withheld", "reason": "no", "case": threat}
    )
    assert "at least 10 characters" in dana.flash(short)
    # A duty officer outside the case's compartment is told it does not exist.
    otto = desk.client("otto")
    hidden = otto.post(
        "/warnings/WRN-1/adjust", data={"level": "actor:withheld", "reason": REASON, "case": threat}
    )
    assert otto.flash(hidden) == "error: no warning WRN-1"
    ended = otto.post(f"/threats/{threat}/end", data={"ending": "withdraw", "reason": REASON})
    assert otto.flash(ended) == f"error: no threat {threat}"
    done = dana.post(
        "/warnings/WRN-1/adjust", data={"level": "actor:withheld", "reason": REASON, "case": threat}
    )
    assert done.headers["location"] == f"/threats/{threat}/release#WRN-1"
    assert dana.flash(done).startswith("ok: WRN-1: actor set to withheld")
    with app.read() as s:
        override = s.scalars(select(t.FactOverride)).one()
        assert (override.fact, override.to_level, override.reason) == ("actor", "withheld", REASON)
        assert override.created_by == "dana"
    avery = wf.sign_in(app, "avery", PEOPLE["avery"][0])
    wf.approve_release(app, release, avery)
    case_page = dana.get(f"/threats/{threat}").text
    assert "Warnings in force: 2" in case_page
    assert 'id="update-form"' in case_page
    assert 'id="update-form"' not in desk.client("ana").get(f"/threats/{threat}").text
    update = dana.post(f"/threats/{threat}/release")
    assert "REL-2 proposed: 2 warning(s)" in dana.flash(update)
    with app.read() as s:
        drafts = s.scalars(select(t.WarningRecord).where(t.WarningRecord.release_id == 2)).all()
        assert {w.msg_type for w in drafts} == {"Update"}
        assert {w.supersedes_id for w in drafts} == {1, 2}  # each replaces its recipient's
    end = dana.post(f"/threats/{threat}/end", data={"ending": "all-clear", "reason": "short"})
    assert "at least 10 characters" in dana.flash(end)
    end = dana.post(
        f"/threats/{threat}/end",
        data={"ending": "all-clear", "reason": "the match ended without an attack"},
    )
    assert "all-clear of 2 warning(s)" in dana.flash(end)
    audit = desk.client("aude").api("GET", "/api/audit?action=release.proposed").json()
    assert any(json.dumps(e).find("all_clear") >= 0 for e in audit)


def test_each_role_lands_on_its_own_home(desk: Desk) -> None:
    threat, release = _proposed(desk)
    avery = desk.client("avery")
    home = avery.get("/").text
    assert "Waiting for your approval" in home
    assert f'href="/threats/{threat}/release">{release}</a>: release of 2 warning(s)' in home
    dana = desk.client("dana")
    mine = dana.get("/").text
    assert "Waiting for your approval" not in mine  # dana does not approve
    assert "Your proposals, waiting for a second person" in mine
    assert release in mine
    assert "Open cases" in mine
    assert threat in mine
    assert "Overdue follow-ups" in mine
    ana = desk.client("ana").get("/").text
    assert "Newest reports" in ana
    assert "RPT-1" in ana
    assert "Open cases" not in ana
    assert "Waiting for your approval" not in ana
    # An auditor alone and an admin alone keep their own pages.
    assert desk.client("aude").get("/").headers["location"] == "/audit"
    assert desk.client("root").get("/").headers["location"] == "/admin/users"
    # Outside the case's compartment, nothing of it shows.
    otto = desk.client("otto").get("/").text
    assert release not in otto
    assert threat not in otto


def test_a_persons_home_and_itinerary_are_kept_and_shown(desk: Desk) -> None:
    dana = desk.client("dana")
    form = {
        "name": "Dr Irina Volkova",
        "kind": "person",
        "tier": "partner",
        "language": "ru",
        "contacts": "sms=+79161234567",
        "home": "55.7558,37.6173,RU",
        "itinerary": "2024-03-07T09:00+00:00/2024-03-09T18:00+00:00@55.8256,37.3899",
    }
    late = {**form, "itinerary": "next week@55.8,37.3"}
    refused = dana.post("/recipients", data=late)
    assert refused.status_code == 422
    assert "itinerary[1]" in refused.text
    saved = dana.post("/recipients", data={**form, "itinerary": form["itinerary"] + "@Crocus"})
    assert dana.flash(saved).startswith("ok: RCP-3: Dr Irina Volkova added")
    page = dana.get("/recipients/RCP-3").text
    assert "Home (RU)" in page
    assert "Crocus" in page
    assert "2024-03-07 09:00 UTC" in page
    assert "55.8256, 37.3899" in page
    with desk.app.read() as s:
        kinds = s.scalars(
            select(t.RecipientLocation.kind).where(t.RecipientLocation.recipient_id == 3)
        ).all()
    assert sorted(kinds) == ["home", "stop"]


def test_the_api_does_each_step_as_the_pages_do(desk: Desk) -> None:
    threat, release = _proposed(desk)
    dana = desk.client("dana")
    listed = dana.api("GET", "/api/recipients?q=moscow").json()
    assert [r["name"] for r in listed["rows"]] == ["Public in Moscow"]
    one = dana.api("GET", f"/api/recipients/{listed['rows'][0]['ref']}").json()
    assert one["contacts"][0]["signed"] is True
    assert "secret" not in json.dumps(one["contacts"])
    adjusted = dana.api(
        "POST", "/api/warnings/WRN-1/adjust", json={"fact": "time", "to": "day", "reason": REASON}
    )
    assert adjusted.status_code == 200, adjusted.text
    assert adjusted.json()["ref"] == "WRN-1"
    bad = dana.api(
        "POST", "/api/warnings/WRN-1/adjust", json={"fact": "mood", "to": "x", "reason": REASON}
    )
    assert bad.status_code == 422
    refused = dana.api(
        "POST", f"/api/threats/{threat}/end", json={"ending": "withdraw", "reason": REASON}
    )
    assert refused.status_code == 409
    assert "no warning in force" in refused.json()["error"]
    waiting = desk.client("avery").api("GET", "/api/home").json()
    assert [w["ref"] for w in waiting["approvals"]] == [release]
    assert waiting["cases"] is None  # avery is no duty officer


def test_a_rename_keeps_the_recipient_and_a_taken_name_is_refused(desk: Desk) -> None:
    dana = desk.client("dana")
    form = dana.get("/recipients/RCP-2/edit").text
    assert 'value="Public in Moscow"' in form
    assert "webhook=" in form
    assert "whsec_" not in form  # the edit form never carries a secret
    contacts = form.split('name="contacts"', 1)[1].split(">", 1)[1].split("</textarea>")[0]
    webhook = contacts.split("webhook=", 1)[1].split("\n", 1)[0].strip()
    with desk.app.read() as s:
        before = s.get(t.Recipient, 2)
        assert before is not None
        secret = before.contacts[0]["secret"]
    cells = {
        "name": "Public in Moscow (city)",
        "kind": "public",
        "tier": "public",
        "language": "en",
        "country": "RU",
        "city": "Moscow",
        "contacts": f"webhook={webhook}\npublic_feed=ru-moscow",
    }
    taken = dana.post("/recipients/RCP-2", data={**cells, "name": "Russian Federation (liaison)"})
    assert taken.status_code == 422
    assert "already exists" in taken.text
    saved = dana.post("/recipients/RCP-2", data=cells)
    assert dana.flash(saved) == "ok: RCP-2: Public in Moscow (city) saved"
    with desk.app.read() as s:
        names = s.scalars(select(t.Recipient.name).order_by(t.Recipient.id)).all()
        kept = s.get(t.Recipient, 2)
        assert kept is not None
    assert names == ["Russian Federation (liaison)", "Public in Moscow (city)"]
    assert kept.contacts[0] == {"channel": "webhook", "address": webhook, "secret": secret}


def test_a_promised_all_clear_waits_on_the_duty_officers_home(
    desk: Desk, clock: FixedClock
) -> None:
    app = desk.app
    threat, release = _proposed(desk)
    avery = wf.sign_in(app, "avery", PEOPLE["avery"][0])
    wf.approve_release(app, release, avery)
    clock.advance(timedelta(days=30))  # the window has passed: the rule gives not triggered
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    decided = wf.decide(app, threat, dana, supersede=SUPERSEDE, follow_up="all-clear")
    wf.approve_waiver(app, decided.ref, wf.sign_in(app, "avery", PEOPLE["avery"][0]))
    desk_dana = desk.client("dana")
    owed = desk_dana.get("/").text.split('id="follow-ups"', 1)[1].split("</section>", 1)[0]
    assert f"{decided.ref}</span> all-clear owed" in owed
    assert "(promised when the supersede was approved)" in owed  # why, not a status
    ended = desk_dana.post(
        f"/threats/{threat}/end", data={"ending": "all-clear", "reason": SUPERSEDE}
    )
    assert "all-clear of 2 warning(s)" in desk_dana.flash(ended)
    after = desk_dana.get("/").text.split('id="follow-ups"', 1)[1].split("</section>", 1)[0]
    assert "owed" not in after
