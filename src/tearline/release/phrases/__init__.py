"""The fixed text of every warning, one data file per language: what a translator edits.

The shipped languages are ``tearline/data/phrases/<code>.toml``; a deployment adds a
language, or overrides some phrases of a shipped one, with files of the same shape in its
phrases directory (``TEARLINE_PHRASES_DIR``, by default ``$TEARLINE_HOME/phrases``). Each
language becomes one :class:`Phrases` value, read once per process. A deployment's file
that cannot be read, misses a phrase, or uses a slot the phrase does not have is skipped
with a warning in the log: a translator's slip never stops a release.

Slots (``{place}``, ``{ref}``, ...) are only ever filled with structured values — names
from the gazetteer, dates from Babel, references — never with report text. Facts appear as
"Label: value" lines, so no slot needs grammatical agreement in languages with cases
(Russian) or gender (Arabic).

To add a language: copy ``en.toml`` to ``<code>.toml`` in the phrases directory, set
``code`` and ``locale`` (a Babel locale: dates, numbers and lists), translate every string,
and say in the comment at its top what the wording was checked against.
"""

from __future__ import annotations

import logging
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from tearline.errors import ConfigError
from tearline.model import Harm, Method, TargetType

log = logging.getLogger(__name__)


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
    reply: str  # {ref}: the channel carries a reply link or reply codes
    reply_feed: str  # {ref} {url}: a public feed entry, which no one can answer through
    reply_webhook: str  # {ref}: a system's webhook: its operators answer the sender
    tlp: Mapping[str, str]  # TLP label → what the recipient may do with it
    signed: str  # {sender} {kid} {file}: the e-mail's note about its signature
    event_official: str  # CAP <event>
    event_public: str
    event_all_clear: str
    sms: SmsPhrases
    # Between the parts of a place ("Moscow, Russia") and between kinds of target (whose
    # phrases hold "and" themselves); optional in a file.
    separator: str = ", "
    target_separator: str = "; "


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
_TLP = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
_BANDS = (
    "almost no chance",
    "very unlikely",
    "unlikely",
    "roughly even chance",
    "likely",
    "very likely",
    "almost certain",
)
# Tables keyed by an enum, and the keys every other table must hold.
_ENUM_TABLES: dict[str, type[Enum]] = {
    "methods": Method,
    "harms": Harm,
    "targets": TargetType,
    "avoid": TargetType,
}
_KEYED_TABLES: dict[str, tuple[str, ...]] = {
    "labels": LABELS,
    "tlp": _TLP,
    "likelihood": _BANDS,
    "sms": tuple(f.name for f in fields(SmsPhrases)),
}
_OPTIONAL = frozenset({"separator", "target_separator"})
_LISTS = frozenset(f.name for f in fields(Phrases) if f.type == "tuple[str, ...]")


class PhrasesError(ConfigError):
    """A phrases file that cannot make a language: what is wrong, and where."""


def _slots(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _strings(value: object, where: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(where, value)]
    if isinstance(value, Mapping):
        return [s for k, v in value.items() for s in _strings(v, f"{where}.{k}")]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v, where)]
    return []


def _check_slots(data: Mapping[str, Any], reference: Mapping[str, Any], origin: str) -> None:
    """A phrase may use only the slots the reference language's phrase has: an unknown
    slot would fail at the moment a warning is written."""
    allowed: dict[str, set[str]] = {}
    for where, text in _strings(reference, ""):
        allowed.setdefault(where, set()).update(_slots(text))
    for where, text in _strings(data, ""):
        try:
            extra = _slots(text) - allowed.get(where, set())
        except ValueError as exc:
            raise PhrasesError(f"{origin}: {where.lstrip('.')} is not a phrase: {exc}") from None
        if extra:
            raise PhrasesError(
                f"{origin}: {where.lstrip('.')} uses {', '.join(sorted(extra))}, which that "
                f"phrase does not have (it may use: "
                f"{', '.join(sorted(allowed.get(where, set()))) or 'none'})"
            )


def _table(data: Mapping[str, Any], name: str, origin: str) -> Mapping[str, Any]:
    table = data.get(name)
    if not isinstance(table, Mapping):
        raise PhrasesError(f"{origin}: [{name}] is missing")
    keys: tuple[str, ...]
    keys = (
        tuple(m.value for m in _ENUM_TABLES[name]) if name in _ENUM_TABLES else _KEYED_TABLES[name]
    )
    missing = [k for k in keys if not isinstance(table.get(k), str) or not table[k]]
    if missing:
        raise PhrasesError(f"{origin}: [{name}] lacks {', '.join(missing)}")
    return table


def parse(
    data: Mapping[str, Any], origin: str, reference: Mapping[str, Any] | None = None
) -> Phrases:
    """One language from a phrases file's data; ``reference`` (English) bounds the slots."""
    if reference is not None:
        _check_slots(data, reference, origin)
    values: dict[str, Any] = {}
    for f in fields(Phrases):
        name = f.name
        if name in _ENUM_TABLES:
            table = _table(data, name, origin)
            enum = _ENUM_TABLES[name]
            values[name] = {m: table[m.value] for m in enum}
        elif name == "sms":
            values[name] = SmsPhrases(
                **{k: _table(data, name, origin)[k] for k in _KEYED_TABLES[name]}
            )
        elif name in _KEYED_TABLES:
            table = _table(data, name, origin)
            values[name] = {k: table[k] for k in _KEYED_TABLES[name]}
        elif name in _LISTS:
            got = data.get(name)
            if not isinstance(got, list) or not got or not all(isinstance(x, str) for x in got):
                raise PhrasesError(f"{origin}: {name} must be a list of phrases")
            values[name] = tuple(got)
        elif name == "rtl":
            values[name] = bool(data.get("rtl", False))
        elif name in _OPTIONAL:
            got = data.get(name, f.default)
            if not isinstance(got, str) or not got:
                raise PhrasesError(f"{origin}: {name} must be a string")
            values[name] = got
        else:
            got = data.get(name)
            if not isinstance(got, str) or not got:
                raise PhrasesError(f"{origin}: {name} is missing")
            values[name] = got
    try:
        Locale.parse(values["locale"])
    except (ValueError, UnknownLocaleError):
        raise PhrasesError(
            f"{origin}: locale {values['locale']!r} is not one Babel knows"
        ) from None
    return Phrases(**values)


def _read(path: Path | Any) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PhrasesError(f"{path}: not readable TOML: {exc}") from None
    return data


def _merged(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """A deployment's file over a shipped language: its tables merge key by key."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
            out[key] = {**base[key], **value}
        else:
            out[key] = value
    return out


def _shipped() -> dict[str, dict[str, Any]]:
    folder = resources.files("tearline.data") / "phrases"
    found = {}
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".toml"):
            found[item.name.removesuffix(".toml")] = _read(item)
    return found


def load_languages(directory: Path | None) -> tuple[dict[str, Phrases], list[str]]:
    """The shipped languages, with a deployment's files from ``directory`` added or laid
    over them, and the problems met (each file with one is skipped)."""
    raw = _shipped()
    reference = raw["en"]
    languages = {code: parse(data, f"phrases/{code}.toml", reference) for code, data in raw.items()}
    problems: list[str] = []
    files = sorted(directory.glob("*.toml")) if directory is not None and directory.is_dir() else []
    for path in files:
        try:
            data = _read(path)
            code = str(data.get("code") or path.stem).lower()
            if not code.isalpha() or not code.isascii():
                raise PhrasesError(f"{path}: code {code!r} is not a language tag like 'de'")
            data = _merged(raw.get(code, {}), {**data, "code": code})
            languages[code] = parse(data, str(path), reference)
        except PhrasesError as exc:
            problems.append(str(exc))
            log.warning("phrases skipped: %s", exc)
    return languages, problems


def deployment_directory() -> Path | None:
    """Where the settings say a deployment keeps its phrases (None if unreadable)."""
    from tearline.settings import load_settings  # settings read at the edge, once

    try:
        settings = load_settings()
    except ConfigError as exc:
        log.warning("phrases: the settings cannot be read (%s); shipped languages only", exc)
        return None
    given: str = settings.phrases_dir
    return Path(given) if given else settings.home_path / "phrases"


LANGUAGES, PROBLEMS = load_languages(deployment_directory())
DEFAULT_LANGUAGE = "en"


def primary_tag(tag: str) -> str:
    """The language of a BCP 47 tag: "ru-RU" → "ru", "zh-Hans-CN" → "zh"."""
    return tag.replace("_", "-").split("-")[0].lower()


def language_code(tag: str) -> str:
    """The supported language for a BCP 47 tag ("ru-RU" → "ru"), English if unsupported."""
    primary = primary_tag(tag)
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def supported(tag: str) -> bool:
    """Whether warnings can be written in this tag's language (no silent fallback)."""
    return primary_tag(tag) in LANGUAGES


def phrases(tag: str) -> Phrases:
    return LANGUAGES[language_code(tag)]
