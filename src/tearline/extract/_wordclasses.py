"""The shipped word classes (scripts/build_wordclasses.py): embedding clusters of an
encoder's word pieces, given names and surnames. Read by the role taggers' features and
by place resolution (a given name before a town's name makes it a surname)."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources

from tearline.extract._resident import resident

_FILE = resources.files("tearline.data").joinpath("roles/wordclasses.json")


@cache
def digest() -> str:
    """SHA-256 of the shipped word classes: a role model records the classes it was
    trained with, and ``tearline doctor`` says when they differ."""
    return hashlib.sha256(_FILE.read_bytes()).hexdigest()


@cache
def load() -> tuple[dict[str, tuple[int, int]], frozenset[str], frozenset[str]]:
    """Word piece -> (coarse, fine) class; given names; surnames (all folded)."""

    def build() -> tuple[dict[str, tuple[int, int]], frozenset[str], frozenset[str]]:
        data = json.loads(_FILE.read_text("utf-8"))
        pieces = {p: (a, b) for p, (a, b) in data["pieces"].items()}
        return pieces, frozenset(data["given"]), frozenset(data["surnames"])

    return resident(build)


def given_names() -> frozenset[str]:
    """Given names (Faker's lists, folded): "ANGELINO GARZON" is a person, not Garzón."""
    return load()[1]
