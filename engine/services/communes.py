"""Finding a commune by its name (the holder's commune picker): accent- and case-insensitive,
"St" for "Saint", over the current communes (COG 2026, engine/reference/communes-2026.csv)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from engine.once import once
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.communes import communes, current_communes

_WORD = re.compile(r"[a-z0-9]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_CODE = re.compile(r"[0-9][0-9AB][0-9]{3}")
_NAMED_CODE = re.compile(r"(?P<name>.*?)\s*\(\s*(?P<code>[0-9][0-9AB][0-9]{3})\s*\)\s*")


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    departement: str
    population: int
    postal_codes: str

    @property
    def label(self) -> str:
        """As the picker shows it, and as the form reads it back: `Grenoble (38185)`."""
        return f"{self.name} ({self.insee})"


def normalise(text: str) -> str:
    """`Saint-Martin-d'Hères` and `st martin d heres` both give `saint martin d heres`."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c)).replace("œ", "oe")
    return " ".join(_ABBREVIATIONS.get(w, w) for w in _WORD.findall(plain))


@once
def _index() -> tuple[tuple[str, Commune], ...]:
    rows = []
    for row in current_communes():
        commune = Commune(
            row["insee"],
            row["name"],
            row["departement"],
            int(row["population"] or 0),
            row["postal_codes"],
        )
        rows.append((normalise(commune.name), commune))
    return tuple(rows)


def search(query: str, department: str | None = None, limit: int = 10) -> list[Commune]:
    """Communes whose name starts with (then contains) `query`, those of `department` first,
    then the most populous; a code or a postal code finds its communes too."""
    wanted = normalise(query)
    if not wanted:
        return []
    found: list[tuple[tuple[int, int, int], Commune]] = []
    for name, commune in _index():
        if name == wanted or commune.insee == query.strip():
            rank = 0
        elif name.startswith(wanted):
            rank = 1
        elif f" {wanted}" in f" {name}" or wanted in commune.postal_codes.split():
            rank = 2
        else:
            continue
        local = 0 if commune.departement == department else 1
        found.append(((rank, local, -commune.population), commune))
    found.sort(key=lambda item: item[0])
    return [commune for _, commune in found[:limit]]


def named(name: str, department: str | None = None) -> list[Commune]:
    """The communes called exactly `name` (after normalising); those of `department` alone when
    it has one of them."""
    wanted = normalise(name)
    matches = [commune for key, commune in _index() if key == wanted]
    local = [c for c in matches if c.departement == department]
    return local if len(local) == 1 else matches


def resolve(text: str, field: str, department: str | None = None) -> str:
    """The INSEE code of a commune as typed in the form: `38185`, `Grenoble (38185)` or a name
    that matches one commune. Raise InvalidInput naming `field` otherwise."""
    text = text.strip()
    if _CODE.fullmatch(text):
        return text  # a code: the application's validation says whether it exists
    named_code = _NAMED_CODE.fullmatch(text)
    if named_code and named_code["code"] in communes():
        return named_code["code"]
    candidates = named(named_code["name"] if named_code else text, department)
    if len(candidates) == 1:
        return candidates[0].insee
    if not candidates:
        raise InvalidInput([FieldError(field, "commune_unknown", name=text)])
    example = ", ".join(c.label for c in candidates[:3])
    raise InvalidInput([FieldError(field, "commune_ambiguous", name=text, example=example)])


def label_of(insee: str) -> str:
    """`Grenoble (38185)`, or the code alone when it is unknown."""
    name = communes().get(insee)
    return f"{name} ({insee})" if name else insee
