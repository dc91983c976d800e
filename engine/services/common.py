"""Rules several use cases apply, said once: whether the caller's version of a row is still the
current one, which funder a request names, which share of a file a funder's member acts on.

(Who sits on a session's committee is decided once too, with the session's other access rules:
`engine.services.meetings.sits_on_committee`.)"""

from __future__ import annotations

from typing import Protocol

from sqlmodel import Session, col, select

from engine.errors import Conflict
from engine.models import Funder, Share
from engine.rulebook import FieldError, InvalidInput


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


def check_version(row: Versioned, expected: int | None) -> None:
    """The version the caller read (If-Match, or an expected version in the body) must still be
    the row's: someone else changed it meanwhile otherwise (409). None: the caller did not say."""
    if expected is not None and expected != row.version:
        raise Conflict("stale_version", yours=expected, version=row.version)


def every_funder(session: Session) -> list[Funder]:
    """Every funder, in order, read once per transaction: a submission reads them for the rules
    and again for the first proposals."""
    known: list[Funder] | None = session.info.get("every_funder")
    if known is None:
        known = list(session.exec(select(Funder).order_by(col(Funder.id))))
        session.info["every_funder"] = known
    return known


def funder_by_code(session: Session, code: str) -> Funder:
    """The funder a request names by its code (422 on the `funder` field otherwise)."""
    funder = session.exec(select(Funder).where(Funder.code == code)).first()
    if funder is None:
        raise InvalidInput([FieldError("funder", "unknown_funder", code=code)])
    return funder


def share_of(session: Session, application_id: int, funder_id: int) -> Share:
    """The share a file asks of a funder (422 on the `funder` field if it asks it nothing)."""
    share = session.exec(
        select(Share).where(Share.application_id == application_id, Share.funder_id == funder_id)
    ).first()
    if share is None:
        raise InvalidInput([FieldError("funder", "asks_nothing")])
    return share


def member_with_funder(name: str, funder_name: str) -> str:
    """`Claire Morel (Caf de l'Isère)`: a member as the minutes and the pack name it; the name
    alone when it already says the funder (some accounts carry it in their name)."""
    if not funder_name or funder_name in name:
        return name
    return f"{name} ({funder_name})"
