"""Measuring extraction against answer keys: MUC-4 role fillers (CEAF-REE) and GTD tables.

    >>> from tearline.evaluation import ceaf_ree, normalise
    >>> normalise("The \\"Santo Tomas\\" farm")
    'santo tomas farm'
    >>> gold = {"d1": {"Weapon": [["dynamite", "sticks of dynamite"]]}}
    >>> pred = {"d1": {"Weapon": [["Dynamite"], ["rifles"]]}}
    >>> s = ceaf_ree(pred, gold)["Weapon"]
    >>> (s.precision, s.recall)
    (0.5, 1.0)

Nothing here reads the project workspace: the corpora are given as paths by the user.
"""

from tearline.evaluation.ceaf import ROLES, RoleScore, ceaf_ree, normalise
from tearline.evaluation.gtd import GtdReport, GtdRow, read_gtd, score_gtd
from tearline.evaluation.muc4 import (
    Muc4Document,
    Muc4Report,
    evaluate_muc4,
    read_muc4,
    role_fillers,
)

__all__ = [
    "ROLES",
    "GtdReport",
    "GtdRow",
    "Muc4Document",
    "Muc4Report",
    "RoleScore",
    "ceaf_ree",
    "evaluate_muc4",
    "normalise",
    "read_gtd",
    "read_muc4",
    "role_fillers",
    "score_gtd",
]
