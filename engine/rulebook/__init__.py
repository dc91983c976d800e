"""The rule API: modules, dated parameters, evaluation with its trace, and the case runner.

Rule modules import from here only; the engine finds them through entry points.
"""

from engine.rulebook.context import Context, ShareContext
from engine.rulebook.errors import (
    FieldError,
    InvalidInput,
    ParameterGap,
    RegistryError,
    RuleError,
    UnknownFunder,
    UnknownScheme,
)
from engine.rulebook.evaluate import Evaluation, evaluate
from engine.rulebook.module import (
    Check,
    DocumentKind,
    FunderConfig,
    FunderModule,
    FunderRule,
    Rule,
    SchemeModule,
    ShareOutcome,
    check,
)
from engine.rulebook.money import round_cents
from engine.rulebook.registry import Registry, default_registry
from engine.rulebook.text import MultilineText, Text
from engine.rulebook.types import Count, Day, Flag, Money, Quantity, Ratio, with_choices

__all__ = [
    "Check",
    "Context",
    "Count",
    "Day",
    "DocumentKind",
    "Evaluation",
    "FieldError",
    "Flag",
    "FunderConfig",
    "FunderModule",
    "FunderRule",
    "InvalidInput",
    "Money",
    "MultilineText",
    "ParameterGap",
    "Quantity",
    "Ratio",
    "Registry",
    "RegistryError",
    "Rule",
    "RuleError",
    "SchemeModule",
    "ShareContext",
    "ShareOutcome",
    "Text",
    "UnknownFunder",
    "UnknownScheme",
    "check",
    "default_registry",
    "evaluate",
    "round_cents",
    "with_choices",
]
