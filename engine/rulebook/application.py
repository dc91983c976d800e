"""The application's common facts (RULES.md §2) and their validation into clear field errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from engine.rulebook.communes import communes
from engine.rulebook.errors import FieldError, InvalidInput
from engine.rulebook.text import Text, shown
from engine.rulebook.types import Day, Flag, Money

DocumentKind = Literal[
    "cerfa_12156",
    "rib",
    "budget",
    "statuts",
    "officers_list",
    "approved_accounts",
    "activity_report",
]
HolderKind = Literal["association", "collectivite", "caf", "etablissement", "other"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Holder(_Strict):
    kind: HolderKind
    siret: Text = Field(max_length=32)
    rna: Text | None = Field(default=None, max_length=32)
    cer_signed: Flag = False
    name: Text | None = Field(default=None, max_length=300)


class Period(_Strict):
    start: Day
    end: Day

    @field_validator("end")
    @classmethod
    def _not_before_start(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start")  # absent when the start itself was refused
        if isinstance(start, date) and end < start:
            raise ValueError(f"must not be before the start of the period ({start.isoformat()})")
        return end


class Budget(_Strict):
    total_cost: Money
    investment_costs: Money = Decimal("0.00")
    other_resources: Money = Decimal("0.00")


class Application(_Strict):
    holder: Holder
    documents: list[DocumentKind] = Field(default_factory=list, max_length=50)
    renewal: Flag = False
    previous_report_filed: Flag = False
    territory: list[Text] = Field(max_length=1000)
    period: Period
    budget: Budget
    requests: dict[Text, Money] = Field(max_length=50)
    facts: dict[str, Any] = Field(default_factory=dict)

    @field_validator("territory")
    @classmethod
    def _known_communes(cls, codes: list[str]) -> list[str]:
        known = communes()
        for code in codes:
            if code not in known:
                raise ValueError(f"unknown INSEE commune code {code!r}")
        return codes

    @field_validator("requests")
    @classmethod
    def _positive_requests(cls, requests: dict[str, Decimal]) -> dict[str, Decimal]:
        for funder, amount in requests.items():
            if amount <= 0:
                raise ValueError(f"the request to {funder} must be greater than 0")
        return requests


def field_errors(exc: ValidationError, prefix: str) -> list[FieldError]:
    """Turn pydantic's errors into `application.budget.total_cost: …` style messages."""
    errors = []
    for error in exc.errors(include_url=False):
        # A refused key (`{"\ud800": …}`) is part of the path: keep the path encodable.
        path = ".".join([prefix, *(str(p) for p in error["loc"])]) if error["loc"] else prefix
        message = str(error["msg"]).removeprefix("Value error, ")
        errors.append(FieldError(shown(path), shown(message)))
    return errors


def parse_application(
    raw: object, facts_model: type[BaseModel], prefix: str = "application"
) -> tuple[Application, BaseModel]:
    """Validate the common shape and the scheme's facts; raise InvalidInput listing every field."""
    errors: list[FieldError] = []
    application: Application | None = None
    facts: BaseModel | None = None
    try:
        application = Application.model_validate(raw)
    except ValidationError as exc:
        errors.extend(field_errors(exc, prefix))
    raw_facts = raw.get("facts", {}) if isinstance(raw, dict) else {}
    try:
        facts = facts_model.model_validate(raw_facts if raw_facts is not None else {})
    except ValidationError as exc:
        errors.extend(e for e in field_errors(exc, f"{prefix}.facts") if e not in errors)
    if errors or application is None or facts is None:
        raise InvalidInput(errors)
    return application, facts
