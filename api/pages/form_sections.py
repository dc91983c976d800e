"""The sections of the guided form, in the order of the CERFA 12156."""

from __future__ import annotations

from api.pages.form_fields import HINTS, Field, Section, field_label, model_fields
from engine.rulebook import SchemeModule
from engine.rulebook.application import Holder, Project
from engine.rulebook.labels import choices


def application_sections(
    scheme: SchemeModule, funders: list[tuple[str, str]], department: str | None = None
) -> list[Section]:
    """The form, in the order of the CERFA 12156: holder, project, territory, period, budget."""
    holder = [
        Field("application.holder.name", field_label("application.holder.name"), "text"),
        Field(
            "application.holder.kind",
            field_label("application.holder.kind"),
            "choice",
            choices(Holder.model_fields["kind"]),
        ),
        Field(
            "application.holder.siret",
            field_label("application.holder.siret"),
            "code",
            hint="14 chiffres",
        ),
        Field(
            "application.holder.rna",
            field_label("application.holder.rna"),
            "code",
            hint="Pour une association : W suivi de 9 chiffres",
            required=False,
        ),
        Field(
            "application.holder.cer_signed", field_label("application.holder.cer_signed"), "flag"
        ),
    ]
    project = [
        Field("title", field_label("title"), "text"),
        Field("application.renewal", field_label("application.renewal"), "flag"),
        Field(
            "application.previous_report_filed",
            field_label("application.previous_report_filed"),
            "flag",
        ),
    ]
    territory = [
        Field(
            "application.territory",
            field_label("application.territory"),
            "communes",
            hint=(
                "Noms des communes séparés par des virgules, par exemple "
                "Grenoble (38185), Saint-Martin-d'Hères (38421) ; ou leurs codes INSEE"
            ),
            department=department,
        ),
        Field("application.period.start", field_label("application.period.start"), "day"),
        Field("application.period.end", field_label("application.period.end"), "day"),
    ]
    charges = [
        Field(
            "application.budget.total_cost",
            field_label("application.budget.total_cost"),
            "money",
            hint=HINTS["money"],
        ),
        Field(
            "application.budget.investment_costs",
            field_label("application.budget.investment_costs"),
            "money",
            hint="Le comité finance le fonctionnement : normalement 0",
        ),
    ]
    income = [
        Field(
            "application.budget.other_resources",
            field_label("application.budget.other_resources"),
            "money",
            hint=HINTS["money"],
        ),
        *[
            Field(
                f"application.requests.{code}",
                f"Subvention demandée à : {name}",
                "money",
                hint="Laissez vide pour ne rien demander à ce financeur",
                required=False,
            )
            for code, name in funders
        ],
    ]
    facts = model_fields(scheme.facts, "application.facts.")
    sections = [
        Section("1. Le porteur du projet", holder),
        Section("2. Le projet", project),
        project_section(),
        Section("3. Territoire et période", territory),
        Section(
            "4. Budget prévisionnel : charges",
            charges,
            "Le budget doit être équilibré : total des charges = autres produits + "
            "subventions demandées.",
        ),
        Section("5. Budget prévisionnel : produits", income, "Une ligne par financeur sollicité."),
    ]
    if facts:
        sections.append(Section(f"6. Critères du dispositif : {scheme.label}", facts))
    return sections


def project_section() -> Section:
    """The description of the project (CERFA 12156, fiche 3): five texts, each optional."""
    fields = [
        Field(
            f"application.project.{name}",
            info.title or name,
            "textarea",
            hint=info.description or "",
            required=False,
        )
        for name, info in Project.model_fields.items()
    ]
    return Section(
        "Description du projet",
        fields,
        "Ce que les financeurs liront pour juger le projet (fiche 3 du CERFA 12156).",
    )
