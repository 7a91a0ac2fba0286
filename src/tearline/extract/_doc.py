"""A document prepared for reading: its text, folded text, units and dateline."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from tearline.extract._text import Role, Unit, fold, is_upper_text, units

# "SAN SALVADOR, 3 JAN 90 -- [TEXT] ..." (wire-service datelines, MUC-4 style), "SAN
# SALVADOR, NO DATE (DOMESTIC SERVICE) --" and "MOSCOW, March 6 (Reuters) -": the place
# where the report was filed.
_MONTH_DAY = r"[A-Z][a-z]{2,8}\.?\s+\d{1,2}"  # "March 6"
_AGENCY = r"(?:\s*\([^)\n]{1,60}\))?\s*"  # "(ACAN-EFE)", "(Reuters)"
_DATELINE = re.compile(
    r"\s*(?P<place>[A-Z][A-Za-z .'\-]{1,40}?(?:\s\([A-Z][A-Za-z .'\-]{1,30}\))?),\s+"
    rf"(?P<date>\d{{1,2}}\s+[A-Za-z]{{3,9}}\.?\s+\d{{2,4}}|{_MONTH_DAY}|NO\s+DATE){_AGENCY}"
    r"(?:--|-|\u2014)"
)
# A relayed report carries the story's own dateline after the relaying service's, its
# year often left out and its name free to break across a line: "MEXICO CITY (MEXICO),
# 2 MAY 90 (NOTIMEX) -- [EXCERPTS] SAN\nSALVADOR, 2 MAY (NOTIMEX) --".
_INNER_DATELINE = re.compile(
    r"\s*(?:\[[^\]\n]{1,40}\]\s*)?(?P<place>[A-Z][A-Za-z.'\-]*(?:[ \n][A-Za-z.'\-]+){0,4}?),\s+"
    rf"(?P<date>\d{{1,2}}\s+[A-Za-z]{{3,9}}\.?(?:\s+\d{{2,4}})?|{_MONTH_DAY}){_AGENCY}(?:--|\u2014)"
)

# ... or only its place: "BOGOTA, 11 SEP 89 (RADIO CADENA NACIONAL) -- [TEXT] CALI -- THE
# AUTHORITIES ..." (in capitals, a name of at most three words).
_PLACE_LINE = re.compile(
    r"\s*\[TEXT\]\s*(?P<place>[A-Z][A-Z.'\-]*(?:[ \n][A-Z.'\-]+){0,2}?)\s+--\s"
)


@dataclass(frozen=True)
class Doc:
    text: str
    folded: str
    upper: bool
    units: tuple[Unit, ...]
    dateline: tuple[int, int] | None  # the dateline's place name, as offsets
    dateline_end: int  # end of the whole dateline; times before it are the report's own
    _starts: list[int] = field(default_factory=list, repr=False)

    def unit_at(self, pos: int) -> Unit | None:
        """The content unit (not a header line) that holds offset ``pos``, if any."""
        i = bisect_right(self._starts, pos) - 1
        if i < 0:
            return None
        u = self.units[i]
        return u if u.start <= pos < u.end and u.role is not Role.META else None


def prepare(text: str) -> Doc:
    upper = is_upper_text(text)
    found = tuple(units(text, upper))
    dateline: tuple[int, int] | None = None
    dateline_end = 0
    for u in found[:3]:
        m = _DATELINE.match(text, u.start, u.end)
        if m and u.role is not Role.META:
            dateline, dateline_end = (m.start("place"), m.end("place")), m.end()
            inner = _INNER_DATELINE.match(text, m.end()) or _PLACE_LINE.match(text, m.end())
            if inner is not None:
                dateline, dateline_end = (inner.start("place"), inner.end("place")), inner.end()
            break
    return Doc(text, fold(text), upper, found, dateline, dateline_end, [u.start for u in found])
