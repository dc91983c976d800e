"""The public simulator: schemes, and what each funder would propose before filing."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends

from api.errors import error_responses
from api.models.rules import EvaluateIn, EvaluationOut, RuleDescriptionOut, SchemeOut
from engine.rulebook import FunderConfig, Registry, default_registry, evaluate
from engine.settings import Settings, get_settings

router = APIRouter(tags=["rules"])
RegistryDep = Annotated[Registry, Depends(default_registry)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


@router.get("/schemes", response_model=list[SchemeOut])
def list_schemes(registry: RegistryDep) -> list[SchemeOut]:
    return [
        SchemeOut(
            code=module.code,
            label=module.label,
            calendar=module.calendar,
            rules=[RuleDescriptionOut(id=r.id, description=r.description) for r in module.rules],
        )
        for module in registry.schemes.values()
    ]


@router.post("/rules/evaluate", response_model=EvaluationOut, responses=error_responses(422))
def simulate(body: EvaluateIn, registry: RegistryDep, settings: SettingsDep) -> EvaluationOut:
    """Evaluate an application as a rule case would; nothing is stored."""
    funders = None
    if body.funders is not None:
        funders = {
            code: FunderConfig(
                code=code,
                kind=f.kind or code,
                insee=f.insee,
                name=f.name,
                advance_rate=f.advance_rate,
            )
            for code, f in body.funders.items()
        }
    submitted: date = body.date
    result = evaluate(
        registry,
        body.scheme,
        body.application,
        submitted,
        body.department or settings.department,
        funders,
    )
    return EvaluationOut.model_validate(result.as_json())
