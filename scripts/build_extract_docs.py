"""Rewrite the demo example in docs/extract-json.md from what extraction prints today.

python scripts/build_extract_docs.py            # update the example block
python scripts/build_extract_docs.py --check    # exit 1 if the page is stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from tearline.extract import extract, extraction_document

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "extract-json.md"
DEMO_DATE = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)
_BLOCK = re.compile(r"```json\n.*?\n```\n", re.DOTALL)


def example() -> str:
    """The demo report's extraction document, with each offsets pair on one line."""
    text = resources.files("tearline.data").joinpath("demo/moscow-liaison-report.txt")
    demo = text.read_text(encoding="utf-8")
    doc = extraction_document(extract(demo, DEMO_DATE), DEMO_DATE)
    dumped = json.dumps(doc, indent=2, ensure_ascii=False)
    return re.sub(r"\[\n\s+(\d+),\n\s+(\d+)\n\s+\]", r"[\1, \2]", dumped)


def render(page: str) -> str:
    block = "```json\n" + example() + "\n```\n"
    return _BLOCK.sub(lambda _: block, page, count=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    page = PAGE.read_text(encoding="utf-8")
    fresh = render(page)
    if args.check:
        print("up to date" if fresh == page else f"{PAGE} is stale: run {Path(__file__).name}")
        return 0 if fresh == page else 1
    PAGE.write_text(fresh, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
