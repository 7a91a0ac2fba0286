"""The release preview: the full internal picture beside what each recipient will see.

For every fact — who, what, where, when, against whom, how likely — the case's own value
and, per draft, the value sent (as reported, coarsened, or withheld), with the tier's
policy and the officer's overrides (who, why). The CLI prints it; the web desk shows the
same data. Plain dataclasses, no formatting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tearline.assess import Assessment
from tearline.ids import Kind, format_id
from tearline.model import Event, Tier, event_from_dict
from tearline.release import policy_row
from tearline.release.phrases import phrases
from tearline.store import tables as t
from tearline.workflow import release_languages
from tearline.workflow.app import App
from tearline.workflow.group_alerts import addressee, describe_warnings
from tearline.workflow.records import assessment_value, load
from tearline.workflow.release_drafting import overrides_by_recipient, policy_in_force
from tearline.workflow.release_overrides import OverrideView, override_view

FACTS = (
    "actor",
    "method",
    "weapon",
    "targets",
    "named_targets",
    "place",
    "time",
    "harm",
    "likelihood",
)
# Which fact each entry of a draft's ``changes`` is about.
_CHANGE_FACT = {
    "place": "place",
    "time": "time",
    "actor": "actor",
    "weapon": "weapon",
    "method": "method",
    "named targets": "named_targets",
    "targets": "targets",
    "likelihood judgement": "likelihood",
}


@dataclass(frozen=True)
class Shown:
    value: str
    status: str  # as reported | coarsened | withheld | not in the reporting


@dataclass(frozen=True)
class RecipientView:
    warning_ref: str
    recipient: str
    tier: str
    language: str
    role: str
    kind: str
    msg_type: str
    status: str
    supersedes: str | None
    tier_policy: dict[str, str]
    overrides: list[OverrideView]
    facts: dict[str, Shown]
    changes: list[str]
    subject: str
    text: str
    text_en: str | None  # the English version, when the recipient reads another language
    # Said when Tearline has no phrases in the recipient's language: what it is written in
    # instead, and the proposer's choice ("no warning phrases in 日本語 (ja): written in ...").
    language_note: str = ""


@dataclass(frozen=True)
class ReleasePreview:
    ref: str
    threat_ref: str
    status: str
    proposed_by: str
    proposed_at: datetime
    approved_by: str | None
    internal: dict[str, str]
    recipients: list[RecipientView] = field(default_factory=list)
    facts: tuple[str, ...] = FACTS
    # 'public alert to 12,345 people in 2 languages (ru 11,000, en 1,345)'; '' if none
    audience: str = ""
    # Recipients whose language has no phrases, held by the proposer's choice: a line each.
    held: list[str] = field(default_factory=list)


def internal_picture(event: Event, a: Assessment) -> dict[str, str]:
    """The case's facts as the officers know them (never sent anywhere)."""
    names = [x.canonical or x.span.text for x in event.actors if x.canonical or not x.individuals]
    m, p, w = event.method, event.place, event.time
    where = ""
    if p is not None:
        coords = f" ({p.lat:.4f}, {p.lon:.4f})" if p.lat is not None and p.lon is not None else ""
        parts = [p.venue, p.city, p.region, p.country]
        where = ", ".join(x for x in dict.fromkeys(parts) if x) + f" — {p.precision.value}{coords}"
    likelihood = ""
    if a.likelihood:
        low, high = a.likelihood.percent
        likelihood = f"{a.likelihood.value} ({low}–{high} %)"
    return {
        "actor": ", ".join(dict.fromkeys(names)),
        "method": m.method.value.replace("_", " ") if m else "",
        "weapon": (m.weapon or "") if m else "",
        "targets": ", ".join(dict.fromkeys(x.type.value.replace("_", " ") for x in event.targets)),
        "named_targets": ", ".join(dict.fromkeys(x.name for x in event.targets if x.name)),
        "place": where,
        "time": f"{w.start:%Y-%m-%d %H:%M} → {w.end:%Y-%m-%d %H:%M} UTC ({w.precision.value})"
        if w
        else "",
        "harm": ", ".join(h.harm.value.replace("_", " ") for h in event.harm),
        "likelihood": likelihood,
    }


def _shown_values(facts: dict[str, Any], texts: dict[str, Any]) -> dict[str, str]:
    en = phrases("en")
    place = facts.get("place") or {}
    coords = ""
    if place.get("lat") is not None:
        coords = f" ({place['lat']}, {place['lon']}, {place.get('radius_km'):g} km)"
    window = facts.get("window") or {}
    when = ""
    if window.get("start"):
        when = f"{window['start'][:16]} → {window['end'][:16]} ({window['precision']})"
    elif window:
        when = f"{en.time_vague} (no dates)"
    actor = facts.get("actor") or (en.actor_generic if facts.get("actor_generic") else "")
    return {
        "actor": actor,
        "method": (facts.get("method") or "").replace("_", " "),
        "weapon": facts.get("weapon") or "",
        "targets": ", ".join(x.replace("_", " ") for x in facts.get("target_types", [])),
        "named_targets": ", ".join(facts.get("target_names", [])),
        "place": (texts.get("place", "") + f" — {place['precision']}{coords}") if place else "",
        "time": when,
        "harm": ", ".join(x.replace("_", " ") for x in facts.get("harms", [])),
        "likelihood": facts.get("likelihood") or "",
    }


def _compare(
    internal: dict[str, str], shown: dict[str, str], changes: list[str]
) -> dict[str, Shown]:
    touched = {
        fact for prefix, fact in _CHANGE_FACT.items() for c in changes if c.startswith(prefix)
    }
    out = {}
    for fact in FACTS:
        if not internal[fact]:
            out[fact] = Shown("", "not in the reporting")
        elif not shown[fact]:
            out[fact] = Shown("", "withheld")
        elif fact in touched:
            out[fact] = Shown(shown[fact], "coarsened")
        else:
            out[fact] = Shown(shown[fact], "as reported")
    return out


def preview_release(app: App, release_ref: str) -> ReleasePreview:
    """The side-by-side picture of one release (proposed or already released)."""
    policy = policy_in_force(app)
    with app.read() as s:
        rel = load(s, t.Release, release_ref, Kind.RELEASE)
        threat = s.get(t.Threat, rel.threat_id)
        det = s.get(t.Determination, rel.determination_id)
        assert threat is not None
        assert det is not None
        a_row = s.get(t.Assessment, det.assessment_id)
        assert a_row is not None
        internal = internal_picture(event_from_dict(threat.facts), assessment_value(a_row))
        choices = release_languages.recorded_choices(s, format_id(Kind.RELEASE, rel.id))
        views = []
        warnings = s.scalars(
            select(t.WarningRecord)
            .options(selectinload(t.WarningRecord.recipient))
            .where(t.WarningRecord.release_id == rel.id)
            .order_by(t.WarningRecord.id)
        ).all()
        # One read of the case's overrides and recipients for the whole release, not one
        # per warning (a release to thousands was a query or two per recipient).
        overrides = overrides_by_recipient(s, threat.id)
        for w in warnings:
            c = w.content
            tier_policy = policy_row(policy[Tier(w.recipient.tier)])
            texts = c.get("texts", {})
            lang = c.get("language", "en")
            shown = _shown_values(c.get("facts", {}), texts.get("en") or texts.get(lang, {}))
            views.append(
                RecipientView(
                    warning_ref=format_id(Kind.WARNING, w.id),
                    recipient=addressee(w),  # a group alert's counts its people
                    tier=w.recipient.tier,
                    language=lang,
                    role=c.get("role", ""),
                    kind=c.get("kind", "alert"),
                    msg_type=w.msg_type,
                    status=w.status,
                    supersedes=c.get("supersedes"),
                    tier_policy=tier_policy,
                    overrides=[
                        override_view(r, tier_policy) for r in overrides.get(w.recipient_id, [])
                    ],
                    facts=_compare(internal, shown, list(c.get("changes", []))),
                    changes=list(c.get("changes", [])),
                    subject=c.get("subject", ""),
                    text=c.get("text", ""),
                    text_en=texts["en"]["text"] if lang != "en" and "en" in texts else None,
                    language_note=release_languages.note(
                        choices.get(format_id(Kind.RECIPIENT, w.recipient_id)),
                        w.recipient.language,
                        lang,
                    ),
                )
            )
        return ReleasePreview(
            ref=format_id(Kind.RELEASE, rel.id),
            threat_ref=format_id(Kind.THREAT, threat.id),
            status=rel.status,
            proposed_by=rel.proposed_by,
            proposed_at=rel.proposed_at,
            approved_by=rel.approved_by,
            internal=internal,
            recipients=views,
            audience=describe_warnings(warnings),
            held=[
                f"{c['name']} ({ref}): {release_languages.describe(c)}"
                for ref, c in choices.items()
                if c.get("written_in") is None
            ],
        )
