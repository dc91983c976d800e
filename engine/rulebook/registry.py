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
            if isinstance(module, SchemeModule):
                if module.code in registry.schemes:
                    raise RegistryError(f"two scheme modules have the code {module.code!r}")
                registry.schemes[module.code] = module
            else:
                if module.code in registry.funders:
                    raise RegistryError(f"two funder modules have the code {module.code!r}")
                registry.funders[module.code] = module
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
        for scheme in self.schemes.values():
            needed.extend((scheme.code, name) for name in scheme.parameters)
        for funder in self.funders.values():
            needed.extend((funder.code, name) for name in funder.parameters)
        for owner, name in needed:
            if name not in self.parameters:
                raise RegistryError(f"{owner} reads parameter {name}, which no file defines")


def _load(group: str) -> list[SchemeModule | FunderModule]:
    modules: list[SchemeModule | FunderModule] = []
    expected = SchemeModule if group == SCHEMES_GROUP else FunderModule
    for entry in sorted(entry_points(group=group), key=lambda e: e.name):
        module = entry.load()
        if not isinstance(module, expected):
            raise RegistryError(
                f"entry point {entry.name} ({entry.value}) is not a {expected.__name__}"
            )
        if module.code != entry.name:
            raise RegistryError(f"entry point {entry.name} declares a module coded {module.code!r}")
        modules.append(module)
    return modules


@cache
def default_registry() -> Registry:
    """The installed modules, discovered like any third-party package's would be."""
    return Registry.build([*_load(SCHEMES_GROUP), *_load(FUNDERS_GROUP)])
