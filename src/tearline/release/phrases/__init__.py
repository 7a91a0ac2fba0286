"""The fixed text of every warning, one module per language: what a translator edits.

Each language is one :class:`Phrases` value. Slots (``{place}``, ``{ref}``, ...) are only
ever filled with structured values — names from the gazetteer, dates from Babel,
references — never with report text. Facts appear as "Label: value" lines, so no slot
needs grammatical agreement in languages with cases (Russian) or gender (Arabic).

To add a language: copy ``en.py``, translate every string, register it in ``LANGUAGES``
below, and run the tests (they check that every field and every enum member is filled).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tearline.model import Harm, Method, TargetType


@dataclass(frozen=True)
class SmsPhrases:
    head_public: str  # "SECURITY ALERT"
    head_official: str  # "THREAT WARNING"
    threat: str  # "attack planned"
    targets: str  # "targets: {targets}"
    until: str  # "until {date}"
    action: str  # "Avoid crowds."
    ref: str  # "Ref {ref}"
    cancel: str  # "{ref} withdrawn"
    all_clear: str  # "{ref}: all clear"


@dataclass(frozen=True)
class Phrases:
    code: str  # BCP 47 primary tag: "ru"
    locale: str  # Babel locale for dates, numbers and lists: "en_GB", "ru"
    rtl: bool
    # Subjects and the sentence that opens each kind of message.
    subject_warning: str
    subject_alert: str
    subject_update: str
    subject_cancel: str
    subject_all_clear: str
    lead: str  # {sender}
    lead_update: str  # {ref} {date}
    lead_cancel: str  # {ref} {date}
    lead_all_clear: str  # {ref} {date}
    labels: Mapping[str, str]  # see LABELS
    named_group: str  # {name}: how a named group is introduced in a sentence
    actor_generic: str
    actor_unknown: str
    place_unknown: str
    time_vague: str
    between: str  # {start} {end}: a window, times in UTC
    on_day: str  # {date}: one whole day, in UTC
    at_time: str  # {start} {end}: an exact time window, same day
    coordinates: str  # {latlon} {radius}
    methods: Mapping[Method, str]
    harms: Mapping[Harm, str]
    targets: Mapping[TargetType, str]
    avoid: Mapping[TargetType, str]  # the public's action for each kind of target
    likelihood: Mapping[str, str]  # ICD 203 band → this language's term
    likelihood_value: str  # {term} {low} {high}
    official_actions: tuple[str, ...]
    official_actions_cancel: tuple[str, ...]
    official_actions_all_clear: tuple[str, ...]
    public_event_generic: str
    public_event_named: str  # {actor}
    public_targets: str  # {targets}
    alert_time: str  # {when}
    public_actions: tuple[str, ...]
    public_actions_cancel: tuple[str, ...]
    public_actions_all_clear: tuple[str, ...]
    reply: str  # {ref}
    tlp: Mapping[str, str]  # TLP label → what the recipient may do with it
    signed: str  # {sender} {kid} {file}: the e-mail's note about its signature
    event_official: str  # CAP <event>
    event_public: str
    event_all_clear: str
    sms: SmsPhrases


# Every label a language must define.
LABELS = (
    "place",
    "time",
    "actor",
    "method",
    "weapon",
    "harm",
    "targets",
    "named_targets",
    "coordinates",
    "likelihood",
    "actions_official",
    "location",
    "event",
    "actions_public",
    "valid",
    "reference",
    "reply",
    "tlp",
)


def _registry() -> dict[str, Phrases]:
    from tearline.release.phrases import ar, en, es, fa, ru

    return {p.code: p for p in (en.PHRASES, ru.PHRASES, ar.PHRASES, fa.PHRASES, es.PHRASES)}


LANGUAGES: dict[str, Phrases] = _registry()
DEFAULT_LANGUAGE = "en"


def language_code(tag: str) -> str:
    """The supported language for a BCP 47 tag ("ru-RU" → "ru"), English if unsupported."""
    primary = tag.replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def phrases(tag: str) -> Phrases:
    return LANGUAGES[language_code(tag)]
