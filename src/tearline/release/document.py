"""The warning document (``tearline.warning/1``): what is signed, and what every format renders.

One JSON document per warning holds the releasable facts, the texts in every language it
was written in, the CAP codes and the references to earlier warnings. It is signed as a
JWS; CAP, STIX, the e-mail and the short form are all rendered from it, so what a
recipient can verify is exactly what every format says. Layout: docs/warning-json.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tearline.markings import UNRESTRICTED, Releasability
from tearline.release import localise as lc
from tearline.release.cap import cap_codes, cap_identifier, cap_sender
from tearline.release.facts import ReleasableFacts
from tearline.release.phrases import language_code, phrases
from tearline.release.render import (
    MSG_TYPE,
    WARNING_SCHEMA,
    Envelope,
    MessageKind,
    RenderedWarning,
    render_warning,
)
from tearline.release.sms import SMS_LIMIT, sms_text


def languages_for(tag: str) -> list[str]:
    """The recipient's language first, then English (every warning carries English too)."""
    return list(dict.fromkeys([language_code(tag), "en"]))


def banner_line(tlp: str, markings: Releasability) -> str:
    """The handling line a marked warning opens with: "TLP:AMBER | REL TO USA, GBR"."""
    return f"TLP:{tlp} | {markings.banner()}"


def _texts(
    r: RenderedWarning, facts: ReleasableFacts, env: Envelope, markings: Releasability
) -> dict[str, Any]:
    ph = phrases(r.language)
    if env.kind is MessageKind.ALL_CLEAR:
        event = ph.event_all_clear
    else:
        event = ph.event_public if env.public else ph.event_official
    text, alert, sms = r.text, r.alert, sms_text(facts, env, r.language)
    if markings.restricted:  # the banner first, where a reader looks before acting
        line = banner_line(facts.tlp.value, markings)
        text, alert = f"{line}\n\n{text}", f"{line}\n\n{alert}"
        if len(marked := f"{markings.banner()}: {sms}") <= SMS_LIMIT:
            sms = marked
    return {
        "subject": r.subject,
        "text": text,
        "alert": alert,
        "body": r.body,
        "actions": list(r.actions),
        "actions_label": r.actions_label,
        "place": lc.place_text(facts.place, ph),
        "reply": ph.reply.format(ref=lc.isolate(env.reference, ph)),
        "event": event,
        "sms": sms,
        "rtl": r.rtl,
    }


def warning_document(
    facts: ReleasableFacts,
    env: Envelope,
    *,
    recipient: dict[str, str],
    issued_at: datetime,
    references: list[dict[str, str]] | None = None,
    incident: str | None = None,
    markings: Releasability = UNRESTRICTED,
) -> dict[str, Any]:
    """The document for one recipient: rendered in their language and in English.
    ``markings``: the releasability markings of the case, carried by every format."""
    languages = languages_for(recipient.get("language", "en"))
    renderings = [render_warning(facts, env, lang) for lang in languages]
    primary = renderings[0]
    texts = {r.language: _texts(r, facts, env, markings) for r in renderings}
    identifier = cap_identifier(env.sender, env.reference)
    codes = cap_codes(
        public=env.public,
        kind=env.kind.value,
        imminence=facts.imminence,
        severity=facts.severity,
        band=facts.band,
    )
    refs = list(references or [])
    # Every message about the same threat to the same recipient shares the first one's
    # identifier as its CAP incident.
    incident = incident or (refs[0].get("cap_incident") if refs else None) or identifier
    marked = (
        {"markings": {"banner": markings.banner(), "rel_to": list(markings.codes())}}
        if markings.restricted
        else {}
    )
    return {
        "schema": WARNING_SCHEMA,
        "reference": env.reference,
        "sender": env.sender,
        "issued_at": issued_at.isoformat(),
        "msg_type": MSG_TYPE[env.kind],
        "kind": env.kind.value,
        "valid_from": env.valid_from.isoformat(),
        "valid_until": env.valid_until.isoformat(),
        "recipient": recipient,
        "format": primary.format,
        "language": primary.language,
        "subject": primary.subject,
        "text": texts[primary.language]["text"],
        "actions": list(primary.actions),
        "texts": texts,
        "facts": facts.as_dict(),
        "references": refs,
        "supersedes": refs[0]["reference"] if refs else None,
        "cap": {
            "identifier": identifier,
            "sender": cap_sender(env.sender),
            "incident": incident,
            **codes,
        },
        "reply": {
            "reference": env.reference,
            "how": texts["en"]["reply"],
        },
        **marked,
    }


def reference_to(document: dict[str, Any]) -> dict[str, str]:
    """How a later warning refers to this one (CAP ``references``: sender,identifier,sent)."""
    cap = document.get("cap") or {}
    identifier = cap.get("identifier") or cap_identifier(document["sender"], document["reference"])
    return {
        "reference": document["reference"],
        "issued_at": document["issued_at"],
        "cap_sender": cap.get("sender") or cap_sender(document["sender"]),
        "cap_identifier": identifier,
        "cap_incident": cap.get("incident") or identifier,
    }
