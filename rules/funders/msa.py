"""MSA — Mutualité sociale agricole: no formula, every share is decided by hand (RULES.md §5)."""

from engine.rulebook import FunderModule
from rules.common import PARAMETER_ROOT

module = FunderModule(
    code="msa",
    label="Mutualité sociale agricole",
    rules=[],
    parameter_root=PARAMETER_ROOT,
)
