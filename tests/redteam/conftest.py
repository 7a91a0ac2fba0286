"""The red team: every attack that issue 20 found, re-run against the real chain.

Each test is one attack, named ``test_<attack>``; its docstring's first line says what the
attacker tries. A test passes when the attack is refused (or, for the audit rewrite,
detected) — so a failing test is an attack that works. ``scripts/redteam`` runs this folder
alone and prints the attacks one per line, REFUSED or NOT REFUSED.
"""

from __future__ import annotations

import pytest

_RESULTS: list[tuple[str, str, bool]] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" or (report.when == "setup" and report.failed):
        doc = getattr(getattr(item, "function", None), "__doc__", None) or item.name
        _RESULTS.append((item.nodeid, doc.strip().splitlines()[0], report.passed))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _RESULTS:
        return
    terminalreporter.section("red team")
    for nodeid, attack, refused in sorted(_RESULTS):
        verdict = "REFUSED    " if refused else "NOT REFUSED"
        where = nodeid.split("::")[0].rsplit("/", 1)[-1]
        terminalreporter.write_line(f"{verdict}  {attack}  [{where}]")
    held = sum(1 for *_, refused in _RESULTS if refused)
    terminalreporter.write_line(f"{held} of {len(_RESULTS)} attacks refused")
