"""The extraction benchmark counts only report texts, and reports both sides and the ratio.

It runs on a tiny corpus written here in the layout of ../shared/data (which CI does not
have): a MUC-4 directory whose answer keys sit beside the reports, as in the real one,
and WikiEvents-style JSON lines. CI checks what was counted and that the figures are
sane, never how fast this machine is.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "extract_throughput.py"

REPORTS = [
    "DEV-MUC3-0001 (NOSC)\n\n   SAN SALVADOR, 3 JAN 90 -- [TEXT] URBAN GUERRILLAS DYNAMITED AN"
    " ELECTRIC POWER SUBSTATION IN SAN MIGUEL LAST NIGHT. TWO SOLDIERS WERE WOUNDED.\n",
    "DEV-MUC3-0002 (NOSC)\n\n   BOGOTA, 12 MAR 90 (EFE) -- [TEXT] A CAR BOMB EXPLODED OUTSIDE"
    " THE OFFICES OF EL ESPECTADOR IN BOGOTA TODAY, KILLING TWO PEOPLE.\n",
]
# An answer key as MUC-4 ships it beside the reports: no line starts with a document ID,
# so a reader that takes every file in the directory counts it as one long "document".
KEY = (
    "".join(
        f"0.  MESSAGE: ID                     DEV-MUC3-000{i} (NCCOSC)\n"
        "1.  MESSAGE: TEMPLATE               1\n"
        "3.  INCIDENT: LOCATION              COLOMBIA: BOGOTA (CITY)\n"
        "4.  INCIDENT: TYPE                  BOMBING\n"
        '10. PERP: ORGANIZATION ID           "MEDELLIN CARTEL"\n\n'
        for i in (1, 2)
    )
    * 20
)
HEADERS = "\nFormat of material at the beginning of each message\n-----\nDEV-MUC3-0001\n"


def _sentences(*sentences: str) -> list[Any]:
    out, at = [], 0
    for s in sentences:
        words = s.split()
        out.append([[[w, at, at + len(w)] for w in words], s])
        at += len(s) + 1
    return out


NEWS = [
    {
        "doc_id": "news_1",
        "text": "Gunmen attacked a hotel in KabulTwelve people were killed.",
        "sentences": _sentences("Gunmen attacked a hotel in Kabul", "Twelve people were killed."),
    },
    {
        "doc_id": "news_2_VOA_EN_NW_2017.06.05.1",
        "text": "A car bomb exploded in Mogadishu on Monday.",
        "sentences": _sentences("A car bomb exploded in Mogadishu on Monday."),
    },
]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("extract_throughput", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def data(tmp_path: Path) -> Path:
    dev = tmp_path / "muc4" / "dev"
    dev.mkdir(parents=True)
    (dev / "dev-muc3-0001-0002").write_text("".join(REPORTS), encoding="latin-1")
    (dev / "key-dev-0001.muc4").write_text(KEY, encoding="latin-1")
    (dev / "text-headers-info").write_text(HEADERS, encoding="latin-1")
    (tmp_path / "wikievents").mkdir()
    (tmp_path / "wikievents" / "dev.jsonl").write_text(
        "".join(json.dumps(d) + "\n" for d in NEWS), encoding="utf-8"
    )
    return tmp_path


def test_a_muc4_directory_counts_its_reports_and_never_its_answer_keys(data: Path) -> None:
    corpus = _bench().read_muc4_dir(data / "muc4" / "dev")
    texts = [d.text for d in corpus.docs]
    assert len(texts) == 2
    assert texts[0].startswith("SAN SALVADOR")
    assert texts[1].startswith("BOGOTA")
    assert not any("MESSAGE: ID" in t or "Format of material" in t for t in texts)
    assert corpus.files == ["dev-muc3-0001-0002"]
    assert corpus.skipped == [
        "key-dev-0001.muc4 (answer key)",
        "text-headers-info (not a report file)",
    ]


def test_news_texts_are_rebuilt_a_sentence_a_line(data: Path) -> None:
    corpus = _bench().read_jsonl(data / "wikievents" / "dev.jsonl", "wikievents")
    assert [d.text for d in corpus.docs] == [
        "Gunmen attacked a hotel in Kabul\nTwelve people were killed.",
        "A car bomb exploded in Mogadishu on Monday.",
    ]
    assert corpus.docs[1].date.date().isoformat() == "2017-06-05"  # from the VOA id


@pytest.mark.slow
def test_benchmark_reports_both_sides_per_corpus_and_overall(data: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--texts",
            "wikievents,muc4-dev",
            "--data",
            str(data),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    muc4, news = result["corpora"]["muc4-dev"], result["corpora"]["wikievents"]
    assert muc4["documents"] == 2  # the key file and the headers are not documents
    assert muc4["characters"] == sum(len(r.split("\n", 1)[1].strip()) for r in REPORTS)
    assert any(s.startswith("key-dev-0001.muc4") for s in muc4["skipped"])
    assert news["documents"] == 2
    overall = result["overall"]
    assert overall["documents"] == 4
    for figures in (muc4, news, overall):
        assert figures["tearline_docs_per_cpu_second"] > 0
        assert figures["spacy_ner_docs_per_cpu_second"] > 0
        ratio = figures["tearline_docs_per_cpu_second"] / figures["spacy_ner_docs_per_cpu_second"]
        assert figures["ratio"] == pytest.approx(ratio)
    assert overall["tearline_events"] > 0  # it extracted, not just ran
    assert overall["spacy_entities"] > 0
    assert result["threads"]["tearline"] == 1  # one core, one thread: a fair comparison
    assert 0 < result["tearline_peak_rss_mb"] < 4096
    assert result["commit"]
    assert result["tearline_from"].endswith("tearline")
    # the answer comes before the exit, by the library and by the command
    assert 0 < result["first_document_seconds"] <= result["first_document_seconds_to_exit"]
    assert (
        0
        < result["first_document_command_seconds"]
        <= result["first_document_command_seconds_to_exit"]
    )
