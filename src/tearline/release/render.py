"""Writing a warning from releasable facts, in the recipient's language.

Two forms: a letter for those who protect the people at risk (facts as labelled lines,
recommended actions) and an embassy-style security alert (Location / Event / Actions to
take). Every sentence is a fixed phrase from ``release.phrases`` filled with structured
values; nothing is copied from a report. Every warning says what to do, how long it is
valid and how to reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from tearline.assess import Likelihood
from tearline.release import localise as lc
from tearline.release.facts import ReleasableFacts
from tearline.release.phrases import Phrases, phrases

WARNING_SCHEMA = "tearline.warning/1"


class MessageKind(StrEnum):
    ALERT = "alert"  # the first warning to a recipient about a threat
    UPDATE = "update"  # replaces an earlier warning: the facts or the window changed
    CANCEL = "cancel"  # withdraws an earlier warning (sent in error, superseded)
    ALL_CLEAR = "all_clear"  # the threat has passed


# CAP 1.2 msgType of each kind; an all-clear ends the earlier message, so it cancels it.
MSG_TYPE = {
    MessageKind.ALERT: "Alert",
    MessageKind.UPDATE: "Update",
    MessageKind.CANCEL: "Cancel",
    MessageKind.ALL_CLEAR: "Cancel",
}


@dataclass(frozen=True)
class Previous:
    """The earlier warning that an update, cancellation or all-clear refers to."""

    reference: str
    issued_at: datetime


@dataclass(frozen=True)
class Envelope:
    """What every rendering needs besides the facts."""

    reference: str
    sender: str
    valid_from: datetime
    valid_until: datetime
    public: bool
    kind: MessageKind = MessageKind.ALERT
    previous: Previous | None = None
    # How the recipient can answer: "link" (e-mail and SMS carry a reply link or codes),
    # "webhook" (a system, given a reply_url), "feed" (a public alert: no one answers it;
    # the reader is sent to ``verify_url`` to check it instead).
    reply_route: str = "link"
    verify_url: str = ""


@dataclass(frozen=True)
class Line:
    label: str
    value: str


@dataclass(frozen=True)
class RenderedWarning:
    language: str
    rtl: bool
    format: str  # "warning" (a letter to those who protect) | "security_alert" (the public)
    subject: str
    lead: tuple[str, ...]
    facts: tuple[Line, ...]
    actions_label: str
    actions: tuple[str, ...]
    footer: tuple[Line, ...]  # validity, reference, how to reply, sharing
    text: str  # the plain-text warning: the letter, or the alert for the public
    alert: str  # the embassy-style form, for every recipient
    event: str  # the alert's "Event:" sentences

    @property
    def body(self) -> str:
        """The text without actions and footer: what CAP puts in <description>."""
        if self.format == "security_alert":
            return self.event
        return "\n\n".join([*self.lead, _lines(self.facts)]).strip()


def ordered_texts(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The texts, the recipient's language first. Never trust a JSON object's key order:
    PostgreSQL's JSONB does not keep it."""
    texts: dict[str, dict[str, Any]] = document["texts"]
    primary = document.get("language") or next(iter(texts))
    return sorted(texts.items(), key=lambda item: (item[0] != primary, item[0] != "en", item[0]))


def _lines(lines: tuple[Line, ...] | list[Line]) -> str:
    return "\n".join(f"{x.label}: {x.value}" for x in lines)


def _bullets(items: tuple[str, ...]) -> str:
    return "\n".join(f"  - {a}" for a in items)


def _targets(f: ReleasableFacts, ph: Phrases) -> str:
    # Semicolons: the phrases themselves hold "and" ("concerts and concert venues").
    return ph.target_separator.join(ph.targets[t] for t in f.target_types)


def _fact_lines(f: ReleasableFacts, ph: Phrases) -> list[Line]:
    label = ph.labels

    def iso(value: str) -> str:
        return lc.isolate(value, ph)

    lines = [Line(label["place"], lc.place_text(f.place, ph))]
    coords = lc.coordinates_text(f.place, ph)
    if coords and f.place is not None and f.place.venue:
        lines.append(Line(label["coordinates"], coords))
    lines.append(Line(label["time"], lc.window_text(f.window, ph)))
    if f.actor or f.actor_generic:
        lines.append(Line(label["actor"], iso(f.actor) if f.actor else ph.actor_generic))
    if f.method:
        lines.append(Line(label["method"], ph.methods[f.method]))
    if f.weapon:
        lines.append(Line(label["weapon"], iso(f.weapon)))
    if f.harms:
        lines.append(Line(label["harm"], lc.list_text([ph.harms[h] for h in f.harms], ph)))
    if f.target_types:
        lines.append(Line(label["targets"], _targets(f, ph)))
    if f.target_names:
        named = lc.list_text([iso(n) for n in f.target_names], ph)
        lines.append(Line(label["named_targets"], named))
    if f.likelihood:
        low, high = Likelihood(f.likelihood).percent
        value = ph.likelihood_value.format(term=ph.likelihood[f.likelihood], low=low, high=high)
        lines.append(Line(label["likelihood"], iso(value) if ph.rtl else value))
    return lines


def _reply(env: Envelope, ref: str, ph: Phrases) -> str:
    if env.reply_route == "feed":
        return ph.reply_feed.format(ref=ref, url=lc.isolate(env.verify_url, ph))
    if env.reply_route == "webhook":
        return ph.reply_webhook.format(ref=ref)
    return ph.reply.format(ref=ref)


def _footer(f: ReleasableFacts, env: Envelope, ph: Phrases) -> tuple[Line, ...]:
    ref = lc.isolate(env.reference, ph)
    lines = [
        Line(ph.labels["valid"], lc.validity_text(env.valid_from, env.valid_until, ph)),
        Line(ph.labels["reference"], ref),
        Line(ph.labels["reply"], _reply(env, ref, ph)),
    ]
    if not env.public:
        lines.append(Line(ph.labels["tlp"], ph.tlp[f.tlp.value]))
    return tuple(lines)


def _opening(env: Envelope, ph: Phrases) -> str | None:
    prev = env.previous
    if prev is None:
        return None
    template = {
        MessageKind.UPDATE: ph.lead_update,
        MessageKind.CANCEL: ph.lead_cancel,
        MessageKind.ALL_CLEAR: ph.lead_all_clear,
    }.get(env.kind)
    if template is None:
        return None
    return template.format(
        ref=lc.isolate(prev.reference, ph), date=lc.date_text(prev.issued_at, ph)
    )


def _ending(env: Envelope) -> bool:
    return env.kind in (MessageKind.CANCEL, MessageKind.ALL_CLEAR)


def _actions(f: ReleasableFacts, env: Envelope, ph: Phrases) -> tuple[str, ...]:
    if env.kind is MessageKind.CANCEL:
        return ph.public_actions_cancel if env.public else ph.official_actions_cancel
    if env.kind is MessageKind.ALL_CLEAR:
        return ph.public_actions_all_clear if env.public else ph.official_actions_all_clear
    if not env.public:
        return ph.official_actions
    avoid = [ph.avoid[t] for t in f.target_types]
    return tuple(dict.fromkeys([*avoid[:3], *ph.public_actions]))


def _event(f: ReleasableFacts, env: Envelope, ph: Phrases) -> str:
    opening = _opening(env, ph)
    if _ending(env):
        return opening or ""
    if f.actor:
        name = ph.named_group.format(name=lc.isolate(f.actor, ph))
        sentences = [ph.public_event_named.format(actor=name)]
    else:
        sentences = [ph.public_event_generic]
    if f.target_types:
        sentences.append(ph.public_targets.format(targets=_targets(f, ph)))
    sentences.append(ph.alert_time.format(when=lc.window_text(f.window, ph)))
    return " ".join([*([opening] if opening else []), *sentences])


def _subject(env: Envelope, place: str, ph: Phrases) -> str:
    base = (ph.subject_alert if env.public else ph.subject_warning).format(place=place)
    wrap = {
        MessageKind.UPDATE: ph.subject_update,
        MessageKind.CANCEL: ph.subject_cancel,
        MessageKind.ALL_CLEAR: ph.subject_all_clear,
    }.get(env.kind)
    return wrap.format(subject=base) if wrap else base


def render_warning(facts: ReleasableFacts, env: Envelope, language: str = "en") -> RenderedWarning:
    """The warning's words for one recipient, in one language."""
    ph = phrases(language)
    place = lc.place_text(facts.place, ph)
    subject = _subject(env, place, ph)
    footer = _footer(facts, env, ph)
    actions = _actions(facts, env, ph)
    opening = _opening(env, ph)
    if _ending(env):
        lead: tuple[str, ...] = (opening or "",)
        fact_lines: tuple[Line, ...] = (Line(ph.labels["place"], place),)
    else:
        sender = ph.lead.format(sender=lc.isolate(env.sender, ph))
        lead = (opening, sender) if opening else (sender,)
        fact_lines = tuple(_fact_lines(facts, ph))
    public_label = ph.labels["actions_public"]
    event = _event(facts, env, ph)
    alert = "\n\n".join(
        [
            f"{ph.labels['location']}: {place}",
            f"{ph.labels['event']}: {event}",
            f"{public_label}:\n{_bullets(actions)}",
            _lines(footer),
        ]
    )
    official_label = ph.labels["actions_official"]
    letter = "\n\n".join(
        [*lead, _lines(fact_lines), f"{official_label}:\n{_bullets(actions)}", _lines(footer)]
    )
    return RenderedWarning(
        language=ph.code,
        rtl=ph.rtl,
        format="security_alert" if env.public else "warning",
        subject=subject,
        lead=lead,
        facts=fact_lines,
        actions_label=public_label if env.public else official_label,
        actions=actions,
        footer=footer,
        text=alert if env.public else letter,
        alert=alert,
        event=event,
    )
