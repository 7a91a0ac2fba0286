"""Releasability markings checked like protected terms: a warning for a recipient outside
the markings of the reports its facts came from is refused, whatever its wording.

The refusal names the marking and the recipient, never the content it protects.
"""

from __future__ import annotations

from collections.abc import Sequence

from tearline.errors import LeakDetected
from tearline.markings import Releasability


def ensure_within_markings(
    markings: Releasability, recipient: str, nation: str | None, communities: Sequence[str]
) -> None:
    """Raise LeakDetected unless a recipient of ``nation`` in ``communities`` may see
    what ``markings`` mark; ``recipient`` is how the officer knows it ("Name (RCP-3)")."""
    if markings.allows(nation, communities):
        return
    held = ", ".join([nation or "no nation on record", *communities])
    raise LeakDetected(
        f"release refused: {recipient} ({held}) is outside the case's releasability markings "
        f"{markings.banner()}; take the recipient off the determination, or correct its "
        "nation or communities in the registry if they are wrong",
        term_id=f"marking:{markings.banner()}",
        artifact="every format",
    )
