"""`GET /communes?q=`: the commune picker's suggestions (current communes, COG 2026)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SettingsDep
from api.models.organisations import CommuneOut
from engine.rulebook import Text
from engine.services.communes import search

router = APIRouter(tags=["communes"])


@router.get("/communes", response_model=list[CommuneOut])
def communes(
    settings: SettingsDep,
    q: Annotated[Text, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[CommuneOut]:
    """Communes whose name starts with (then contains) `q`, accents, case and "St"/"Saint"
    aside; those of the département first, then the most populous."""
    return [
        CommuneOut(
            insee=c.insee,
            name=c.name,
            departement=c.departement,
            population=c.population,
            label=c.label,
        )
        for c in search(q, settings.department, limit)
    ]
