"""Schemes that have only the common rules (PIF, parrainage) and no facts of their own."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from engine.rulebook import SchemeModule
from rules.common import COMMON_DOCUMENTS, COMMON_PARAMETERS, PARAMETER_ROOT, common_rules


class NoFacts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def plain_scheme(code: str, label: str) -> SchemeModule:
    return SchemeModule(
        code=code,
        label=label,
        calendar="civil",
        facts=NoFacts,
        rules=common_rules("année civile"),
        parameters=COMMON_PARAMETERS,
        parameter_root=PARAMETER_ROOT,
        documents=COMMON_DOCUMENTS,
    )
