"""Finds rule modules through entry points and loads their parameters once.

The engine's own parameters (the financing plan's, RULES.md §6) live with the engine, in
`engine/parameters/`; each module brings its own (`parameter_root`); a deployment may
override or add dated values of any of them in a folder of its own (`COFINANCE_PARAMETERS_DIR`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

from engine.once import once
from engine.rulebook.errors import RegistryError
from engine.rulebook.labels import missing_labels
from engine.rulebook.module import FunderModule, SchemeModule
from engine.rulebook.parameters import Parameter, apply_overrides, load_tree
from engine.settings import get_settings

SCHEMES_GROUP = "cofinance.schemes"
FUNDERS_GROUP = "cofinance.funders"
# Parameters the engine itself reads for the financing plan (RULES.md §6), and their files.
PLAN_PARAMETERS = (
    "convention.threshold",
    "payment.advance_rate",
    "settlement.tolerance",
    # The quorum at a session's opening (engine/services/attendance.py).
    "quorum.min_share",
    "quorum.required_funders",
    # The final report's due date (engine/services/report_figures.py).
    "report.delay_months",
)
ENGINE_PARAMETER_ROOT = Path(__file__).parents[1] / "parameters"


@dataclass
class Registry:
    """Every scheme and funder module of this installation, with all their parameters."""

    schemes: dict[str, SchemeModule] = field(default_factory=dict)
    funders: dict[str, FunderModule] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)

    @classmethod
    def build(
        cls, modules: Iterable[SchemeModule | FunderModule], overrides: Path | None = None
    ) -> Registry:
        """The registry of `modules`, their parameters and the engine's; with `overrides`, a
        deployment's folder of dated values merged into them (`apply_overrides`)."""
        registry = cls()
        roots: list[Path] = [ENGINE_PARAMETER_ROOT]
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
        if overrides is not None:
            registry.parameters = apply_overrides(registry.parameters, overrides)
        registry._check_parameters()
        registry._check_labels()
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

    def _check_labels(self) -> None:
        """People read French labels, never codes: every module must declare them."""
        for funder in self.funders.values():
            if not funder.label.strip():
                raise RegistryError(f"funder module {funder.code} has no label")
        for scheme in self.schemes.values():
            if not scheme.label.strip():
                raise RegistryError(f"scheme module {scheme.code} has no label")
            missing = missing_labels(scheme.facts)
            if missing:
                raise RegistryError(
                    f"scheme module {scheme.code}: facts without a French label "
                    f"(pydantic title, or a choice's label): {', '.join(missing)}"
                )
            codes = [document.code for document in scheme.documents]
            if len(codes) != len(set(codes)):
                raise RegistryError(f"scheme module {scheme.code} lists a document kind twice")
            unlabelled = [d.code for d in scheme.documents if not d.label.strip()]
            if unlabelled:
                raise RegistryError(
                    f"scheme module {scheme.code}: document kinds without a label: "
                    f"{', '.join(unlabelled)}"
                )


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


@once
def registry_for(overrides: Path | None) -> Registry:
    """The installed modules, discovered like any third-party package's would be, with the
    parameters of the override folder `overrides` (None: the built-in values only)."""
    return Registry.build([*_load(SCHEMES_GROUP), *_load(FUNDERS_GROUP)], overrides)


def default_registry() -> Registry:
    """The installed modules with the deployment's parameters (`COFINANCE_PARAMETERS_DIR`),
    loaded once."""
    return registry_for(get_settings().parameters_dir)
