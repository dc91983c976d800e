"""The public simulator: schemes, and what each funder would propose before filing."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from api.errors import error_responses
from engine.rulebook import FunderConfig, Registry, Text, default_registry, evaluate
from engine.rulebook.types import Day, Ratio
from engine.settings import Settings, get_settings

router = APIRouter(tags=["rules"])
RegistryDep = Annotated[Registry, Depends(default_registry)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


class SchemeOut(BaseModel):
    code: str
    label: str
    calendar: str
    rules: list[dict[str, str]]


class FunderSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Text | None = Field(default=None, max_length=50)
    insee: Text | None = Field(default=None, max_length=5)
    name: Text | None = Field(default=None, max_length=200)
    advance_rate: Ratio | None = None


class EvaluateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheme: Text = Field(max_length=50)
    date: Day
    # ASCII digits: the schema's `\d` would also take other scripts' digits.
    department: Text | None = Field(default=None, pattern=r"^([0-9]{2}|2A|2B|97[0-9])$")
    application: dict[str, Any]
    funders: dict[Text, FunderSettings] | None = None


@router.get("/schemes", response_model=list[SchemeOut])
def list_schemes(registry: RegistryDep) -> list[SchemeOut]:
    return [
        SchemeOut(
            code=module.code,
            label=module.label,
            calendar=module.calendar,
            rules=[{"id": r.id, "description": r.description} for r in module.rules],
        )
        for module in registry.schemes.values()
    ]


@router.post("/rules/evaluate", responses=error_responses(422))
def simulate(body: EvaluateIn, registry: RegistryDep, settings: SettingsDep) -> dict[str, Any]:
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
    return result.as_json()
