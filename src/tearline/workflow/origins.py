"""Origins at ingest, and the one count of a case's independent origins.

A new report is compared with the reports received in the last ``window_days`` days, at
most ``max_candidates`` of them, the most recent first (``data/origins.toml``): ingest
stays bounded however large the store grows, and an echo is usually sent within days of
its origin. The report is stored with the earliest report of its origin and why;
grading (the determination's assessment and the desk's live one) counts origins through
``case_corroboration`` (one case) or ``cases_corroboration`` (a page of them), which share
the only code that does.

A deployment tunes the thresholds and cue phrases in ``$TEARLINE_HOME/origins.toml``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from tearline.assess.corroboration import CaseReport, Corroboration, count_origins
from tearline.assess.origins import (
    Fingerprint,
    Link,
    OriginRules,
    Reported,
    compare,
    fingerprint,
    load_rules,
)
from tearline.ids import Kind, format_id
from tearline.store import tables as t
from tearline.store.idlists import id_list, in_ids
from tearline.workflow.app import Unit


def origin_rules(home: Path) -> OriginRules:
    """The shipped rules, extended by the deployment's ``origins.toml`` in ``home``."""
    return load_rules(home / "origins.toml")


def _reported(r: t.Report) -> Reported:
    return Reported(
        ref=format_id(Kind.REPORT, r.id),
        text=r.text,
        source=r.source.name if r.source is not None else None,
        title=r.title,
    )


class FingerprintCache:
    """Fingerprints of stored reports, kept between ingests (a report's text never changes).

    Keyed by the database, the report's id and its content hash, and dropped when the
    rules change; at most ``size`` are kept, the least recently used going first. Without
    it every ingest read and fingerprinted up to ``max_candidates`` earlier reports again.
    """

    def __init__(self, size: int = 8192) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._rules: OriginRules | None = None
        self._kept: OrderedDict[tuple[str, int, str], Fingerprint] = OrderedDict()

    def get(self, rules: OriginRules, key: tuple[str, int, str]) -> Fingerprint | None:
        with self._lock:
            if rules != self._rules:
                self._rules = rules
                self._kept.clear()
                return None
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def put(self, rules: OriginRules, key: tuple[str, int, str], fp: Fingerprint) -> None:
        with self._lock:
            if rules != self._rules:
                self._rules = rules
                self._kept.clear()
            self._kept[key] = fp
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


FINGERPRINTS = FingerprintCache()


def _candidates(
    u: Unit, report: t.Report, rules: OriginRules
) -> list[tuple[int, int | None, Fingerprint]]:
    """The recent reports to compare with, newest first: (id, origin id, fingerprint).

    Only the columns compared are read (never a report's raw bytes), and only the reports
    whose fingerprint is not already cached.
    """
    since = u.now - timedelta(days=rules.window_days)
    heads = u.session.execute(
        select(t.Report.id, t.Report.origin_id, t.Report.sha256)
        .where(t.Report.id != report.id, t.Report.received_at >= since)
        .order_by(t.Report.id.desc())
        .limit(rules.max_candidates)
    ).all()
    bind = u.session.get_bind()
    where = str(bind.engine.url)
    found: dict[int, Fingerprint] = {}
    for rid, _origin, sha in heads:
        fp = FINGERPRINTS.get(rules, (where, rid, sha))
        if fp is not None:
            found[rid] = fp
    missing = [rid for rid, _origin, _sha in heads if rid not in found]
    for chunk in range(0, len(missing), 500):
        rows = u.session.execute(
            select(t.Report.id, t.Report.sha256, t.Report.text, t.Report.title, t.Source.name)
            .outerjoin(t.Source, t.Source.id == t.Report.source_id)
            .where(t.Report.id.in_(missing[chunk : chunk + 500]))
        ).all()
        for rid, sha, text, title, source in rows:
            fp = fingerprint(Reported(format_id(Kind.REPORT, rid), text, source, title), rules)
            FINGERPRINTS.put(rules, (where, rid, sha), fp)
            found[rid] = fp
    return [(rid, origin, found[rid]) for rid, origin, _sha in heads if rid in found]


def record_origin(u: Unit, report: t.Report, rules: OriginRules, actor: str) -> Link | None:
    """Compare ``report`` (stored, flushed) with recent ones and store its origin: the
    earliest report of the origin it shares, or itself. Returns the tie, if any."""
    new = fingerprint(_reported(report), rules)
    best: tuple[int, Link] | None = None
    for earlier_id, earlier_origin, earlier in _candidates(u, report, rules):
        link = compare(earlier, new, rules)
        if link is None:
            continue
        origin = earlier_origin or earlier_id
        if best is None or (origin, -link.score) < (best[0], -best[1].score):
            best = (origin, link)
    if best is None:
        report.origin_id, report.origin_reason = report.id, None
        return None
    report.origin_id, report.origin_reason = best[0], best[1].why[:500]
    u.audit(
        actor,
        "report.echoes",
        format_id(Kind.REPORT, report.id),
        {"origin": format_id(Kind.REPORT, best[0]), "tie": best[1].kind},
    )
    return best[1]


def case_corroboration(session: Session, threat: t.Threat) -> Corroboration:
    """Best reliability, independent origins beyond the first, and why, for a case (its
    events as held in ``session``, changes not yet written included)."""
    reports = {e.report.id: (e.report.origin_id, e.report.origin_reason) for e in threat.events}
    return _counted(session, {threat.id: reports})[threat.id]


def cases_corroboration(session: Session, threat_ids: Iterable[int]) -> dict[int, Corroboration]:
    """``case_corroboration`` of many cases at once, read as plain columns in one query
    per 500 cases (not one per case): for a page of the triage queue. Each row is a
    report of a case with its own source and its origin's (when the origin is stored).
    A case's count depends on its rows alone, so it is worked out once per distinct set
    of rows (``_counted_rows``)."""
    ids = list(dict.fromkeys(threat_ids))
    rows: dict[int, set[_CaseRow]] = {i: set() for i in ids}
    c = session.connection()
    for chunk in range(0, len(ids), _CHUNK):
        for tid, *row in c.execute(
            _CASE_REPORTS, {"ids": id_list(ids[chunk : chunk + _CHUNK])}
        ).all():
            if tid is not None:
                rows[tid].add(tuple(row))
    return {tid: _counted_rows(tuple(sorted(got))) for tid, got in rows.items()}


# A report of a case as ``_CASE_REPORTS`` reads it: (report id, origin id, echo reason,
# source id, reliability, the origin's id when stored, its source id and reliability).
_CaseRow = tuple[
    int, int | None, str | None, int | None, str | None, int | None, int | None, str | None
]
_COUNTED: dict[tuple[_CaseRow, ...], Corroboration] = {}
_COUNTED_MAX = 4096


def _counted_rows(case: tuple[_CaseRow, ...]) -> Corroboration:
    """A case's count from its rows, worked out once per distinct rows: they are the key,
    so a changed case (a report added, an origin or a grade changed) is a new entry, never
    a stale one; the oldest go past ``_COUNTED_MAX``. Shared between requests: read only."""
    got = _COUNTED.get(case)
    if got is None:
        reports = {rid: (origin_id, reason) for rid, origin_id, reason, *_ in case}
        sources: dict[int, tuple[int | None, str | None]] = {}
        for rid, _o, _r, sid, rel, oid, osid, orel in case:
            sources[rid] = (sid, rel)
            if oid is not None:
                sources[oid] = (osid, orel)
        got = _count({0: reports}, sources)[0]
        if len(_COUNTED) >= _COUNTED_MAX:
            _COUNTED.pop(next(iter(_COUNTED)), None)
        _COUNTED[case] = got
    return got


_CHUNK = 500
_ORIGIN = aliased(t.Report)
_ORIGIN_SOURCE = aliased(t.Source)
# A case's reports with their sources and their origins' (a statement built once, the
# cases' IDs bound on each request).
_CASE_REPORTS = (
    select(t.Event.threat_id, t.Report.id, t.Report.origin_id, t.Report.origin_reason)
    .add_columns(t.Source.id, t.Source.reliability, _ORIGIN.id)
    .add_columns(_ORIGIN_SOURCE.id, _ORIGIN_SOURCE.reliability)
    .join(t.Report, t.Report.id == t.Event.report_id)
    .outerjoin(t.Source, t.Source.id == t.Report.source_id)
    .outerjoin(_ORIGIN, _ORIGIN.id == func.coalesce(t.Report.origin_id, t.Report.id))
    .outerjoin(_ORIGIN_SOURCE, _ORIGIN_SOURCE.id == _ORIGIN.source_id)
    .where(in_ids(t.Event.threat_id, "ids"))
)


def _counted(
    session: Session, cases: dict[int, dict[int, tuple[int | None, str | None]]]
) -> dict[int, Corroboration]:
    """Each case's count, from its reports as {report id: (origin id, echo reason)}: the
    one place an origin's source and reliability are looked up for grading."""
    wanted = sorted({o or r for rs in cases.values() for r, (o, _) in rs.items()})
    wanted += sorted({r for rs in cases.values() for r in rs} - set(wanted))
    sources: dict[int, tuple[int | None, str | None]] = {}
    sid: int | None
    reliability: str | None
    for chunk in range(0, len(wanted), _CHUNK):
        for rid, sid, reliability in session.execute(
            select(t.Report.id, t.Source.id, t.Source.reliability)
            .outerjoin(t.Source, t.Source.id == t.Report.source_id)
            .where(t.Report.id.in_(wanted[chunk : chunk + _CHUNK]))
        ):
            sources[rid] = (sid, reliability)
    return _count(cases, sources)


def _count(
    cases: dict[int, dict[int, tuple[int | None, str | None]]],
    sources: dict[int, tuple[int | None, str | None]],
) -> dict[int, Corroboration]:
    """Each case's count, from its reports and the sources of the reports stored among
    them and their origins, as {report id: (source id, reliability)}: an origin not in
    ``sources`` is gone, and its report stands for itself."""
    out: dict[int, Corroboration] = {}
    for tid, rs in cases.items():
        rows = []
        for rid, (origin_id, reason) in rs.items():
            origin = origin_id or rid
            if origin not in sources:  # the origin is gone: the report stands for itself
                origin = rid
            sid, reliability = sources.get(origin, (None, None))
            rows.append(
                CaseReport(
                    ref=format_id(Kind.REPORT, rid),
                    origin=format_id(Kind.REPORT, origin),
                    origin_source=str(sid) if sid is not None else None,
                    origin_reliability=reliability if sid is not None else None,
                    echo=reason if origin != rid else None,
                )
            )
        out[tid] = count_origins(rows)
    return out
