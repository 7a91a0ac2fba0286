"""Imports run only downhill: faces → workflow → stages and store → the model.

A face (the CLI, the web desk, the demo) may use anything below it; the workflow (the one
imperative shell) may not use a face; a stage may not use the workflow, a face, or a
later stage of the pipeline; the model and its small companions use only each other.
Every top-level module must be placed in one layer below, so a new one is a decision,
not an accident. Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tearline"

FACES = {"cli", "web", "demo", "display", "evaluation", "__main__"}
WORKFLOW = {"workflow"}
# The pipeline, in order: a stage may use an earlier one (release reads extraction's
# values), never a later one.
PIPELINE = ["intake", "extract", "assess", "decide", "release", "deliver", "track", "audit"]
# Beside the pipeline: the store (tables, migrations; it hashes with audit's chain) and
# the after-action review's rendering (charts, HTML, PDF).
BESIDE = {"store", "review"}
MODEL = {
    "model",
    "markings",
    "errors",
    "settings",
    "ids",
    "dates",
    "clock",
    "translit",
    "place_sizes",
    "venues",
    "keystore",
    "logs",
    "jsonbytes",
    "__init__",
    "data",
}
LAYER = (
    dict.fromkeys(FACES, 3)
    | dict.fromkeys(WORKFLOW, 2)
    | dict.fromkeys([*PIPELINE, *BESIDE], 1)
    | dict.fromkeys(MODEL, 0)
)


def _top(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    """The top-level Tearline modules ``path`` imports (absolute or relative)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = path.relative_to(SRC.parent).with_suffix("").parts[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names = [".".join([*base, node.module or ""]).rstrip(".")]
            elif node.module:
                names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "tearline" and len(parts) > 1:
                found.add(parts[1])
    return found


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_every_top_level_module_has_a_layer() -> None:
    tops = {_top(p) for p in _modules()}
    assert sorted(tops - LAYER.keys()) == [], "place each new module in tests/test_layers.py"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_run_downhill(path: Path) -> None:
    here = _top(path)
    wrong = []
    for there in sorted(_imports(path) - {here}):
        if there not in LAYER:
            continue  # reported by the test above
        if LAYER[there] > LAYER[here]:
            wrong.append(f"{there} (a {_name(there)}) from a {_name(here)}")
        elif here in PIPELINE and there in PIPELINE:
            if PIPELINE.index(there) > PIPELINE.index(here):
                wrong.append(f"{there}, a later stage of the pipeline than {here}")
        elif (here, there) == ("web", "cli"):
            wrong.append("cli from the web desk (the two faces share the workflow)")
    assert wrong == [], f"{path.relative_to(SRC)} imports uphill: {wrong}"


def _name(module: str) -> str:
    return {3: "face", 2: "workflow", 1: "stage", 0: "model module"}[LAYER[module]]
