"""The short form of a warning: at most 160 characters, for SMS gateways and pagers.

Latin-script languages are folded to the GSM 03.38 alphabet where possible (accents
dropped), so a message fits one 160-character GSM-7 part. Cyrillic and Arabic script
need UCS-2, where 160 characters take three concatenated parts; the text still fits in
160 characters. Parts are dropped, least important first, until it fits: the reference
always stays, so the recipient can ask for the full warning.
"""

from __future__ import annotations

import unicodedata

from tearline.release import localise as lc
from tearline.release.facts import ReleasableFacts
from tearline.release.phrases import phrases
from tearline.release.render import Envelope, MessageKind

SMS_LIMIT = 160

# GSM 03.38 basic character set (without the escape table).
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_REPLACE = {"–": "-", "—": "-", "«": '"', "»": '"', "’": "'", "‘": "'", "“": '"', "”": '"'}


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7 for ch in text)


def to_gsm7(text: str) -> str:
    """Fold a Latin-script text into GSM-7: dashes, quotes, accents; keep what fits."""
    out = []
    for ch in text:
        ch = _REPLACE.get(ch, ch)
        if ch not in GSM7:
            base = unicodedata.normalize("NFKD", ch)[0]
            ch = base if base in GSM7 else ch
        out.append(ch)
    return "".join(out)


def _place(f: ReleasableFacts, language: str) -> str:
    ph = phrases(language)
    p = f.place
    if p is None:
        return ph.place_unknown
    return lc.city_text(p, ph) or p.region or lc.country_text(p.country, ph) or ph.place_unknown


def _fit(parts: list[str], ref: str) -> str:
    text = " ".join(x for x in [*parts, ref] if x)
    if len(text) <= SMS_LIMIT:
        return text
    room = SMS_LIMIT - len(ref) - 2
    return " ".join(x for x in parts if x)[:room].rstrip(" ,;:") + "… " + ref


def sms_text(facts: ReleasableFacts, env: Envelope, language: str = "en") -> str:
    """The ≤160-character form of the warning in ``language``."""
    ph = phrases(language)
    s = ph.sms
    ref = s.ref.format(ref=env.reference)
    head = s.head_public if env.public else s.head_official
    place = _place(facts, language)
    if env.kind in (MessageKind.CANCEL, MessageKind.ALL_CLEAR) and env.previous:
        end = s.cancel if env.kind is MessageKind.CANCEL else s.all_clear
        text = _fit([f"{head} {place}:", end.format(ref=env.previous.reference) + "."], ref)
    else:
        types = [ph.targets[t] for t in facts.target_types]
        comma, semi = ("، ", "؛") if ph.rtl else (", ", ";")
        until = s.until.format(date=lc.short_date(env.valid_until, ph)).rstrip(".")
        action = s.action if env.public else ""
        lead = f"{head} {place}: {s.threat}"
        candidates = [
            [lead + semi, s.targets.format(targets=comma.join(types)) + semi, until + ".", action],
            [
                lead + semi,
                s.targets.format(targets=types[0] if types else "") + semi,
                until + ".",
                action,
            ],
            [lead + semi, until + ".", action],
            [lead + comma.strip(), until + "."],
            [lead + "."],
        ]
        if not types:
            candidates = candidates[2:]
        text = next(
            (
                " ".join(x for x in [*c, ref] if x)
                for c in candidates
                if _length(c, ref) <= SMS_LIMIT
            ),
            _fit(candidates[-1], ref),
        )
    return to_gsm7(text) if ph.code in ("en", "es") else text


def _length(parts: list[str], ref: str) -> int:
    return len(" ".join(x for x in [*parts, ref] if x))
