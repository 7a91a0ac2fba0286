"""How long the ``tearline`` command takes to start, against Python itself and Typer.

Runs each command N times in a fresh interpreter (the way a user runs it) and prints the
median wall time of each beside the peers measured in the same run, with the ratio to
``python -c "import typer"`` (what any Typer program pays before its own code). Compiled
modules are cached, as they are in an installed copy (``PYTHONDONTWRITEBYTECODE`` is
dropped for the runs):

    tearline --help            the command list
    tearline threats --help    one command's help
    tearline threats           a real command on an empty data directory (opens SQLite)

    python bench/cli_start.py [N]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
TEARLINE = [PYTHON, "-c", "import sys; from tearline.cli import main; sys.exit(main())"]


def median_seconds(argv: list[str], n: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "TEARLINE_HOME": str(Path(home) / "home")}
        env.pop("TEARLINE_DATABASE_URL", None)
        # As installed: compiled modules are cached (the first run below writes them).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([*TEARLINE, "threats"], env=env, stdout=subprocess.DEVNULL, check=True)
        runs = {
            'python -c "pass"': [PYTHON, "-c", "pass"],
            'python -c "import typer"': [PYTHON, "-c", "import typer"],
            "tearline --help": [*TEARLINE, "--help"],
            "tearline threats --help": [*TEARLINE, "threats", "--help"],
            "tearline threats (empty home)": [*TEARLINE, "threats"],
        }
        medians = {name: median_seconds(argv, n, env) for name, argv in runs.items()}
    typer_alone = medians['python -c "import typer"']
    print(f"median of {n} runs each, wall time")
    for name, seconds in medians.items():
        print(f"  {name:<32} {seconds:6.3f} s   {seconds / typer_alone:5.1f}x import typer")


if __name__ == "__main__":
    main()
