"""Independent checkers of CAP's XML signatures: Debian's xmlsec1 and the JDK.

A developer without one gets a skip that says what to install; .ci/run installs both and
sets TEARLINE_REQUIRE_XMLSEC1=1 and TEARLINE_REQUIRE_JAVA=1, which turn an absence into a
failure, so CI never skips these checks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
HANG_GUARD = 120  # seconds: only so a wedged checker cannot hang the run; not a timing


def xmlsec1() -> str:
    program = shutil.which("xmlsec1")
    if program is None:
        if os.environ.get("TEARLINE_REQUIRE_XMLSEC1") == "1":
            pytest.fail("TEARLINE_REQUIRE_XMLSEC1=1 but no xmlsec1: install the xmlsec1 package")
        # Deliberate: a developer's machine may lack it; CI installs xmlsec1 and sets
        # TEARLINE_REQUIRE_XMLSEC1=1 (.ci/run), which turns this skip into the failure above.
        pytest.skip("no xmlsec1: install Debian's xmlsec1 for the independent RSA CAP check")
    return program


def java() -> str:
    program = shutil.which("java")
    if program is None:
        if os.environ.get("TEARLINE_REQUIRE_JAVA") == "1":
            pytest.fail("TEARLINE_REQUIRE_JAVA=1 but no java: install openjdk-17-jdk-headless")
        # Deliberate: as for xmlsec1; CI installs the JDK and sets TEARLINE_REQUIRE_JAVA=1.
        pytest.skip("no JDK: install openjdk-17-jdk-headless for the independent CAP check")
    return program


def xmlsec1_verify(signed: Path, trusted_pem: Path) -> subprocess.CompletedProcess[str]:
    """``xmlsec1 --verify --trusted-pem CERT FILE``, as docs/formats.md tells a hub to run."""
    return subprocess.run(
        [xmlsec1(), "--verify", "--trusted-pem", str(trusted_pem), str(signed)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )


def jdk_verify(signed: Path, spki_der: Path, algorithm: str) -> tuple[int, str]:
    """The JDK's XML Signature API with the given public key: (exit status, VALID/INVALID)."""
    done = subprocess.run(
        [java(), str(FIXTURES / "VerifyXmlSignature.java"), str(signed), str(spki_der), algorithm],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    return done.returncode, done.stdout.strip() or done.stderr
