"""Finds rule modules through entry points and loads their parameters once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from engine.rulebook.errors import RegistryError
from engine.rulebook.module import FunderModule, SchemeModule
from engine.rulebook.parameters import Parameter, load_tree

SCHEMES_GROUP = "cofinance.schemes"
FUNDERS_GROUP = "cofinance.funders"
# Parameters the engine itself reads for the financing plan (RULES.md §6).
PLAN_PARAMETERS = ("convention.threshold", "payment.advance_rate")


@dataclass
class Registry:
    """Every scheme and funder module of this installation, with all their parameters."""

    schemes: dict[str, SchemeModule] = field(default_factory=dict)
    funders: dict[str, FunderModule] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)

    @classmethod
    def build(cls, modules: Iterable[SchemeModule | FunderModule]) -> Registry:
        registry = cls()
        roots: list[Path] = []
        for module in modules:
            table: dict[str, SchemeModule] | dict[str, FunderModule]
            table = registry.schemes if isinstance(module, SchemeModule) else registry.funders
            if module.code in table:
                raise RegistryError(f"two {module.kind} modules have the code {module.code!r}")
            table[module.code] = module  # type: ignore[assignment]
            if module.parameter_root is not None and module.parameter_root not in roots:
                roots.append(module.parameter_root)
        for root in roots:
            for name, parameter in load_tree(root).items():
                if name in registry.parameters:
                    raise RegistryError(f"parameter {name} is defined twice ({root})")
                registry.parameters[name] = parameter
        registry._check_parameters()
        return registry

    def _check_parameters(self) -> None:
        needed: list[tuple[str, str]] = [("engine", name) for name in PLAN_PARAMETERS]
        for module in [*self.schemes.values(), *self.funders.values()]:
            needed.extend((module.code, name) for name in module.parameters)
        for owner, name in needed:
            if name not in self.parameters:
                raise RegistryError(f"{owner} reads parameter {name}, which no file defines")


def _load(group: str) -> list[SchemeModule | FunderModule]:
    modules: list[SchemeModule | FunderModule] = []
    expected = SchemeModule if group == SCHEMES_GROUP else FunderModule
    for entry in sorted(entry_points(group=group), key=lambda e: e.name):
        module = entry.load()
        if not isinstance(module, expected):
            raise RegistryError(f"entry point {entry.name} ({entry.value}) is not a {expected.__name__}")
        if module.code != entry.name:
            raise RegistryError(f"entry point {entry.name} declares a module coded {module.code!r}")
        modules.append(module)
    return modules


@cache
def default_registry() -> Registry:
    """The installed modules, discovered like any third-party package's would be."""
    return Registry.build([*_load(SCHEMES_GROUP), *_load(FUNDERS_GROUP)])
