"""Who is acting, and the object-level checks every service applies before it reads or acts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.errors import Forbidden
from engine.models import Application, User

ROLES = ("applicant", "funder", "chair", "admin")


@dataclass(frozen=True)
class Actor:
    """The authenticated user as the services see it (role "system" for the scheduler)."""

    id: int | None
    role: str
    name: str
    organisation_id: int | None = None
    funder_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.role, user.name, user.organisation_id, user.funder_id)

    @property
    def is_staff(self) -> bool:
        return self.role in ("chair", "admin")


SYSTEM = Actor(id=None, role="system", name="cofinance")


def require_role(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise Forbidden("forbidden.role", roles=", ".join(roles))


def can_see_application(actor: Actor, application: Application, funder_ids: Iterable[int]) -> bool:
    """Holders see their organisation's files; funders the files that ask them for money."""
    if actor.is_staff or actor.role == "system":
        return True
    if actor.role == "applicant":
        return actor.organisation_id == application.organisation_id
    if actor.role == "funder":
        # A draft is the holder's work in progress: funders see a file once it is filed.
        filed = application.submitted_at is not None
        return filed and actor.funder_id in set(funder_ids)
    return False


def require_holder(actor: Actor, application: Application) -> None:
    if actor.role != "applicant" or actor.organisation_id != application.organisation_id:
        raise Forbidden("forbidden.not_holder")


def require_funder_member(actor: Actor, funder_id: int) -> None:
    if actor.role != "funder" or actor.funder_id != funder_id:
        raise Forbidden("forbidden.not_member")
