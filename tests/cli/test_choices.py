"""Every option with a closed set of values refuses a value outside it (exit status 2,
the valid values listed), and ``--help`` loads neither the workflow nor the database.

The tests walk the whole command tree, so a new command's option is checked too.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import typer.main

from tearline.cli import main, register
from tearline.cli._common import RELIABILITY, TLP, ClosedSet, cli

# Options that name a closed set wherever they appear; each must be checked.
CLOSED_NAMES = {
    "--status",
    "--tlp",
    "--reliability",
    "--follow-up",
    "--kind",
    "--via",
    "--tier",
    "--role",
    "--fact",
    "--to",
    "--language-fallback",
    "--format",
    "--outcome",
}
# (command, option) pairs among those names whose values are open, and why.
OPEN = {
    ("review", "--to"): "a date",
}


def _options() -> Iterator[tuple[str, Any]]:
    register()

    def walk(cmd: Any, path: list[str]) -> Iterator[tuple[str, Any]]:
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                yield from walk(sub, [*path, name])
        else:
            for param in cmd.params:
                if getattr(param, "opts", [""])[0].startswith("--"):
                    yield " ".join(path), param

    yield from walk(typer.main.get_command(cli), [])


def _closed_set(param: Any) -> ClosedSet | None:
    check = getattr(param.callback, "__wrapped__", param.callback)
    owner = getattr(check, "__self__", None)
    return owner if isinstance(owner, ClosedSet) else None


CHECKED = [
    pytest.param(cmd, p.opts[0], _closed_set(p), id=f"{cmd} {p.opts[0]}")
    for cmd, p in _options()
    if _closed_set(p)
]


def test_every_option_named_for_a_closed_set_is_checked() -> None:
    unchecked = [
        (cmd, p.opts[0])
        for cmd, p in _options()
        if p.opts[0] in CLOSED_NAMES and _closed_set(p) is None and (cmd, p.opts[0]) not in OPEN
    ]
    assert unchecked == []
    assert len(CHECKED) >= 15


@pytest.mark.parametrize(("command", "option", "closed"), CHECKED)
def test_a_bogus_value_is_refused_with_the_valid_ones_listed(
    capsys: pytest.CaptureFixture[str], command: str, option: str, closed: ClosedSet
) -> None:
    code = main([*command.split(), option, "bogus-value"])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2
    assert "'bogus-value' is not one of" in err
    for value in closed.values():
        assert value in err


def test_threats_with_a_bogus_status_is_refused_not_an_empty_table(
    capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    code = main(["--home", str(tmp_path), "threats", "--status", "bogus"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "open, determined, waived, warned, closed, merged" in " ".join(captured.err.split())


def test_a_valid_value_in_another_case_is_taken(
    capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    # TLP and reliability are read as upper case, as intake reads them.
    code = main(["--home", str(tmp_path), "threats", "--status", "open", "--json"])
    assert code == 0
    assert capsys.readouterr().out.strip() == "[]"
    assert TLP.check("amber") == "amber"
    assert RELIABILITY.check("b") == "b"


@pytest.mark.parametrize("argv", [["--help"], ["threats", "--help"]])
def test_help_loads_neither_the_workflow_nor_the_database(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from tearline.cli import main\n"
        f"main({argv!r})\n"
        "heavy = sorted(m for m in sys.modules if m.startswith(("
        "'tearline.workflow', 'tearline.store', 'tearline.release', 'tearline.extract', "
        "'tearline.web', 'sqlalchemy')))\n"
        "sys.stderr.write('HEAVY=' + ','.join(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )  # the timeout is a hang guard, not a speed test
    assert "Usage" in done.stdout
    assert done.stderr.strip().endswith("HEAVY=")
