"""The columns of the applications export: French header, kind of value, width in a workbook."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "amount", "date"]


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # the ShareRow attribute
    kind: Kind = "text"
    width: int = 14  # characters, in the workbook


COLUMNS = (
    Column("Référence", "reference", width=20),
    Column("Intitulé", "title", width=40),
    Column("Porteur", "holder", width=32),
    Column("Dispositif", "scheme", width=24),
    Column("Appel", "call", width=32),
    Column("État du dossier", "state", width=18),
    Column("Financeur", "funder", width=28),
    Column("Montant demandé", "requested", "amount", 16),
    Column("Montant proposé", "proposed", "amount", 16),
    Column("Montant accordé", "granted", "amount", 16),
    Column("État de la part", "share_state", width=18),
    Column("Communes", "communes", width=32),
    Column("Début de l'action", "starts_on", "date", 14),
    Column("Fin de l'action", "ends_on", "date", 14),
    Column("Date de dépôt", "submitted_on", "date", 14),
    Column("Date de décision", "decided_on", "date", 14),
)
HEADERS = tuple(column.header for column in COLUMNS)
