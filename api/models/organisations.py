"""The holder's organisation profile, and the communes of the picker."""

from __future__ import annotations

from pydantic import Field

from api.models.common import Body, Out, Timestamp
from engine.rulebook.application import HolderKind
from engine.rulebook.text import Text


class OrganisationPatch(Body):
    """The fields to change; a field left out keeps its value, `null` clears an optional one.
    SIRET (14 digits and a right key) and RNA (W and 9 digits) may be typed in groups."""

    name: Text | None = Field(default=None, min_length=1, max_length=300)
    kind: HolderKind | None = None
    siret: Text | None = Field(default=None, max_length=32)
    rna: Text | None = Field(default=None, max_length=32)
    cer_signed: bool | None = None
    address: Text | None = Field(default=None, max_length=500)
    email: Text | None = Field(default=None, max_length=320)


class ProfileDocumentOut(Out):
    id: int
    kind: str
    label: str
    filename: str
    content_type: str
    size: int
    created_at: Timestamp


class OrganisationOut(Out):
    id: int
    name: str
    kind: str | None
    siret: str | None
    rna: str | None
    cer_signed: bool | None
    address: str | None
    email: str | None
    documents: list[ProfileDocumentOut]
    document_kinds: dict[str, str] = Field(
        description="The kinds of documents a profile keeps (code → French label)"
    )


class CommuneOut(Out):
    insee: str
    name: str
    departement: str
    population: int
    label: str = Field(description="As the form accepts it back: `Grenoble (38185)`")
