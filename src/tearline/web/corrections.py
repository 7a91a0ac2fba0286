"""From the correction form to a fact's new JSON value (docs/extract-json.md).

A corrected fact keeps its evidence span; a fact the analyst adds has none (an empty
span at offset 0), and the page shows it as "added by the analyst". The workflow checks
the result (``cases.correct_fact``); this module only reads the form. A time is read as
the analyst types it (tearline/dates.py): ISO 8601, "11 Dec", "tomorrow 18:00", "in 5
days" - relative forms count from ``now``, the time the form is sent, and a date without
a year is the one nearest to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tearline.dates import read_when
from tearline.errors import InputError
from tearline.model import Harm, Method, Modality, PlacePrecision, TargetType, TimePrecision

NO_SPAN: dict[str, Any] = {"text": "", "offsets": [0, 0]}


def _get(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _choice(value: str, allowed: type[Any], what: str) -> str:
    options = [m.value for m in allowed]
    if value not in options:
        raise InputError(f"{what} must be one of {', '.join(options)}, not {value!r}")
    return value


def _number(value: str, what: str) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise InputError(f"{what} must be a number, not {value!r}") from None


def _count(value: str, what: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise InputError(f"{what} must be a whole number, not {value!r}")
    return int(value)


def _time(value: str, what: str, now: datetime) -> str:
    return read_when(value, reference=now, prefer="nearest", what=what).isoformat()


def _place(old: dict[str, Any] | None, form: Mapping[str, Any]) -> dict[str, Any]:
    base = dict(old or {"name": "", "offsets": [0, 0], "geonameid": None})
    country = _get(form, "country").upper() or None
    base.update(
        precision=_choice(_get(form, "precision"), PlacePrecision, "precision"),
        venue=_get(form, "venue") or None,
        city=_get(form, "city") or None,
        region=_get(form, "region") or None,
        country=country,
        lat=_number(_get(form, "lat"), "latitude"),
        lon=_number(_get(form, "lon"), "longitude"),
    )
    if not base.get("name"):
        base["name"] = base["venue"] or base["city"] or base["region"] or country or ""
    return base


def _window(old: dict[str, Any] | None, form: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    base = dict(old or NO_SPAN)
    base.update(
        start=_time(_get(form, "start"), "start", now),
        end=_time(_get(form, "end"), "end", now),
        precision=_choice(_get(form, "time_precision"), TimePrecision, "precision"),
    )
    return base


def _method(old: dict[str, Any] | None, form: Mapping[str, Any]) -> dict[str, Any] | None:
    kind = _get(form, "method_type")
    if not kind:
        return None
    base = dict(old or NO_SPAN)
    base.update(type=_choice(kind, Method, "method"), weapon=_get(form, "weapon") or None)
    return base


def _harm(old: list[dict[str, Any]], form: Mapping[str, Any]) -> list[dict[str, Any]]:
    getlist = getattr(form, "getlist", None)
    wanted = [v for v in (getlist("harm") if getlist else []) if isinstance(v, str)]
    for value in wanted:
        _choice(value, Harm, "harm")
    kept = [h for h in old if h["type"] in wanted]
    have = {h["type"] for h in kept}
    return kept + [{"type": w, **NO_SPAN} for w in dict.fromkeys(wanted) if w not in have]


def _targets(old: list[dict[str, Any]], form: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for i, g in enumerate(old):
        if _get(form, f"remove_{i}"):
            continue
        kind = _choice(_get(form, f"type_{i}") or g["type"], TargetType, "target type")
        out.append({**g, "type": kind, "name": _get(form, f"name_{i}") or None})
    new_type = _get(form, "new_type")
    if new_type:
        out.append(
            {
                "type": _choice(new_type, TargetType, "target type"),
                "name": _get(form, "new_name") or None,
                **NO_SPAN,
            }
        )
    return out


def _actors(old: list[dict[str, Any]], form: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for i, a in enumerate(old):
        if _get(form, f"remove_{i}"):
            continue
        out.append({**a, "canonical": _get(form, f"canonical_{i}") or None})
    new = _get(form, "new_actor")
    if new:
        out.append({"canonical": new, "org_id": None, "individuals": False, **NO_SPAN})
    return out


def _casualties(old: dict[str, Any], form: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label in ("killed", "injured"):
        low = _count(_get(form, f"{label}_min"), f"{label} (at least)")
        high = _count(_get(form, f"{label}_max"), f"{label} (at most)")
        if low is None:
            out[label] = None
            continue

        if high is not None and high < low:
            raise InputError(f"{label}: the most cannot be less than the least")
        span = {k: v for k, v in (old.get(label) or NO_SPAN).items() if k in ("text", "offsets")}
        out[label] = {"min": low, "max": high, **span}
    return out


def correction_from_form(
    facts: dict[str, Any], form: Mapping[str, Any], now: datetime
) -> tuple[str, Any, str]:
    """(field, new value, reason) from the posted correction form; ``now`` is what relative
    times ("in 5 days") count from."""
    field = _get(form, "field")
    reason = _get(form, "reason")
    if field == "place":
        return field, _place(facts.get("place"), form), reason
    if field == "time":
        return field, _window(facts.get("time"), form, now), reason
    if field == "method":
        return field, _method(facts.get("method"), form), reason
    if field == "harm":
        return field, _harm(facts.get("harm", []), form), reason
    if field == "targets":
        return field, _targets(facts.get("targets", []), form), reason
    if field == "actors":
        return field, _actors(facts.get("actors", []), form), reason
    if field == "casualties":
        return field, _casualties(facts.get("casualties") or {}, form), reason
    if field == "modality":
        return field, _choice(_get(form, "modality"), Modality, "modality"), reason
    raise InputError(f"unknown fact {field!r}")
