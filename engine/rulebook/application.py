"""The application's common facts (RULES.md §2) and their validation into clear field errors."""

from __future__ import annotations

from collections.abc import Collection
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

from engine.messages import from_pydantic, invalid
from engine.rulebook.communes import communes
from engine.rulebook.errors import FieldError, InvalidInput
from engine.rulebook.text import MultilineText, Text, shown
from engine.rulebook.types import Day, Flag, Money, with_choices

HolderKind = Literal["association", "collectivite", "caf", "etablissement", "other"]
HOLDER_KINDS = {
    "association": "Association",
    "collectivite": "Collectivité territoriale",
    "caf": "Caf",
    "etablissement": "Établissement public",
    "other": "Autre",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Holder(_Strict):
    kind: HolderKind = Field(
        title="Statut juridique",
        json_schema_extra=with_choices(HOLDER_KINDS),
    )
    siret: Text = Field(max_length=32, title="Numéro SIRET")
    rna: Text | None = Field(default=None, max_length=32, title="Numéro RNA")
    cer_signed: Flag = Field(default=False, title="Contrat d'engagement républicain souscrit")
    name: Text | None = Field(default=None, max_length=300, title="Nom de la structure")


class Period(_Strict):
    start: Day = Field(title="Début de l'action")
    end: Day = Field(title="Fin de l'action")

    @field_validator("end")
    @classmethod
    def _not_before_start(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start")  # absent when the start itself was refused
        if isinstance(start, date) and end < start:
            raise invalid("period_end_before_start", start=f"{start:%d/%m/%Y}")
        return end


class Budget(_Strict):
    total_cost: Money = Field(title="Total des charges de l'action")
    investment_costs: Money = Field(default=Decimal("0.00"), title="Dont investissement")
    other_resources: Money = Field(
        default=Decimal("0.00"), title="Autres produits (fonds propres, participations, mécénat)"
    )


PROJECT_TEXT_LIMIT = 5000


class Project(_Strict):
    """The description of the project (CERFA 12156, fiche 3): what funders read to judge it.
    Every part is optional: rules never read it, people do."""

    objectives: MultilineText | None = Field(
        default=None,
        max_length=PROJECT_TEXT_LIMIT,
        title="Objectifs du projet",
        description="Ce que l'action cherche à changer pour les familles et les enfants.",
    )
    description: MultilineText | None = Field(
        default=None,
        max_length=PROJECT_TEXT_LIMIT,
        title="Description de l'action",
        description="Contenu, déroulement, fréquence et lieux des activités.",
    )
    public: MultilineText | None = Field(
        default=None,
        max_length=PROJECT_TEXT_LIMIT,
        title="Public bénéficiaire",
        description="Qui participe : âges, nombre de familles ou d'enfants, comment ils sont "
        "orientés.",
    )
    means: MultilineText | None = Field(
        default=None,
        max_length=PROJECT_TEXT_LIMIT,
        title="Moyens mis en œuvre",
        description="Intervenants (salariés, bénévoles), locaux, partenaires, matériel.",
    )
    evaluation: MultilineText | None = Field(
        default=None,
        max_length=PROJECT_TEXT_LIMIT,
        title="Méthode d'évaluation",
        description="Les indicateurs suivis et la façon de mesurer les résultats.",
    )


class ApplicationFacts(_Strict):
    """The common facts of every application (RULES.md §2); the scheme's own are in `facts`."""

    holder: Holder = Field(title="Porteur du projet")
    # Codes of the scheme's document kinds (SchemeModule.documents), checked by parse_application.
    documents: list[Text] = Field(default_factory=list, max_length=50, title="Pièces jointes")
    renewal: Flag = Field(default=False, title="Renouvellement d'une action financée l'an dernier")
    previous_report_filed: Flag = Field(
        default=False, title="Compte rendu financier de l'an dernier déposé (CERFA 15059)"
    )
    # Set at submission from the record (engine/services/renewal.py, rule G4): the earlier
    # application whose final report a renewal needs.
    previous_reference: Text | None = Field(
        default=None, max_length=40, title="Référence de la demande précédente"
    )
    territory: list[Text] = Field(max_length=1000, title="Communes où se déroule l'action")
    period: Period = Field(title="Période de l'action")
    budget: Budget = Field(title="Budget prévisionnel")
    requests: dict[Text, Money] = Field(max_length=50, title="Montants demandés")
    facts: dict[str, Any] = Field(default_factory=dict, title="Critères du dispositif")
    project: Project | None = Field(default=None, title="Description du projet")

    @field_validator("territory")
    @classmethod
    def _known_communes(cls, codes: list[str]) -> list[str]:
        known = communes()
        for code in codes:
            if code not in known:
                raise invalid("unknown_insee", insee=code)
        return codes

    @field_validator("requests")
    @classmethod
    def _positive_requests(cls, requests: dict[str, Decimal]) -> dict[str, Decimal]:
        for funder, amount in requests.items():
            if amount <= 0:
                raise invalid("request_not_positive", funder=funder)
        return requests


def field_errors(exc: ValidationError, prefix: str) -> list[FieldError]:
    """Turn pydantic's errors into field errors (`application.budget.total_cost`, a code)."""
    errors = []
    for error in exc.errors(include_url=False):
        # A refused key (`{"\ud800": …}`) is part of the path: keep the path encodable.
        path = ".".join([prefix, *(str(p) for p in error["loc"])]) if error["loc"] else prefix
        errors.append(FieldError.of(shown(path), from_pydantic(error)))
    return errors


def parse_application(
    raw: object,
    facts_model: type[BaseModel],
    prefix: str = "application",
    document_kinds: Collection[str] = (),
) -> tuple[ApplicationFacts, BaseModel]:
    """Validate the common shape, the document kinds (among `document_kinds`, the scheme's) and
    the scheme's facts; raise InvalidInput listing every field."""
    errors: list[FieldError] = []
    application: ApplicationFacts | None = None
    facts: BaseModel | None = None
    try:
        application = ApplicationFacts.model_validate(raw)
    except ValidationError as exc:
        errors.extend(field_errors(exc, prefix))
    else:
        errors.extend(
            FieldError(f"{prefix}.documents.{index}", "unknown_document_kind", kind=shown(kind))
            for index, kind in enumerate(application.documents)
            if kind not in document_kinds
        )
    raw_facts = raw.get("facts", {}) if isinstance(raw, dict) else {}
    try:
        facts = facts_model.model_validate(raw_facts if raw_facts is not None else {})
    except ValidationError as exc:
        errors.extend(e for e in field_errors(exc, f"{prefix}.facts") if e not in errors)
    if errors or application is None or facts is None:
        raise InvalidInput(errors)
    return application, facts
