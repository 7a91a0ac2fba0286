"""The extraction benchmark runs (on its built-in samples) and reports what it promises.

CI checks that it runs and that its figures are sane, never how fast this machine is.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_benchmark_reports_both_sides_and_the_ratio() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "extract_throughput.py"), "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    result = json.loads(done.stdout)
    assert result["documents"] == 20
    assert result["tearline_docs_per_second"] > 0
    assert result["spacy_ner_docs_per_second"] > 0
    ratio = result["tearline_docs_per_second"] / result["spacy_ner_docs_per_second"]
    assert result["ratio"] == pytest.approx(ratio)
    assert result["tearline_events"] > 0  # it extracted, not just ran
    assert result["tearline_role_fillers"] > 0
    assert result["spacy_entities"] > 0
    assert 0 < result["tearline_peak_mb"] < 4096
    # the answer comes before the exit, by the library and by the command
    assert 0 < result["first_document_seconds"] <= result["first_document_seconds_to_exit"]
    assert (
        0
        < result["first_document_command_seconds"]
        <= result["first_document_command_seconds_to_exit"]
    )
