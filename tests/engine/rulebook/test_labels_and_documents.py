"""What a module declares for people and for the workflow: French labels of its facts and of
their choices, its document kinds, and the rules whose failure makes a file incomplete."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from engine.rulebook import (
    Check,
    Context,
    DocumentKind,
    Flag,
    Registry,
    RegistryError,
    Rule,
    SchemeModule,
    default_registry,
    evaluate,
    with_choices,
)
from engine.rulebook.errors import InvalidInput
from engine.rulebook.labels import application_label, choices, missing_labels
from rules.common import COMMON_DOCUMENTS, COMMON_PARAMETERS, PARAMETER_ROOT, common_rules

PROJECT_ROOT = Path(__file__).resolve().parents[3]
ALL_DOCUMENTS = [document.code for document in COMMON_DOCUMENTS]


def application(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "holder": {"kind": "association", "siret": "78778932087925", "rna": "W381000123"},
        "documents": ALL_DOCUMENTS,
        "territory": ["38185"],
        "period": {"start": "2027-02-01", "end": "2027-06-30"},
        "budget": {"total_cost": "5000.00", "other_resources": "5000.00"},
        "requests": {},
        "facts": {},
    }
    body["holder"]["cer_signed"] = True
    body.update(changes)
    return body


# ---------------------------------------------------------------- labels


def test_every_fact_of_every_installed_scheme_has_a_french_label() -> None:
    for scheme in default_registry().schemes.values():
        assert missing_labels(scheme.facts) == [], scheme.code
        assert scheme.documents, scheme.code


def test_labels_and_choices_are_read_from_the_models() -> None:
    registry = default_registry()
    reaap, clas = registry.schemes["reaap"].facts, registry.schemes["clas"].facts
    assert application_label(reaap, "facts.modality") == "Modalité de l'action"
    assert application_label(clas, "facts.groups.2.cost") == "Coût du groupe (€)"
    assert application_label(None, "holder.kind") == "Statut juridique"
    assert application_label(None, "budget.total_cost") == "Total des charges de l'action"
    assert dict(choices(reaap.model_fields["modality"]))["individual"] == (
        "Accompagnement individuel"
    )
    assert dict(choices(clas.model_fields["axes"]))["local_partners"] == "Partenaires locaux"
    # A value a rule derives is named after the field it comes from; unknown paths stay as is.
    mediation = registry.schemes["mediation_familiale"].facts
    assert application_label(mediation, "facts.mediators (ETP total)") == "Médiateurs (ETP total)"
    assert application_label(reaap, "funder.insee") == "funder.insee"


def test_the_pages_keep_no_table_of_facts_kinds_or_documents() -> None:
    from api.pages import french

    for table in ("FIELDS", "FACTS", "CHOICES", "DOCUMENT_KINDS", "HOLDER_KINDS", "FUNDER_KINDS"):
        assert not hasattr(french, table), table


class Unlabelled(BaseModel):
    size: int = Field(title="Taille")
    colour: str


class UnlabelledChoice(BaseModel):
    mode: Literal["a", "b"] = Field(title="Mode", json_schema_extra=with_choices({"a": "A"}))


@pytest.mark.parametrize(
    ("facts", "missing"), [(Unlabelled, "colour"), (UnlabelledChoice, "mode=b")]
)
def test_a_scheme_whose_facts_lack_a_label_is_refused(facts: type[BaseModel], missing: str) -> None:
    module = SchemeModule("demo", "Démo", "civil", facts, [], parameter_root=PARAMETER_ROOT)
    with pytest.raises(RegistryError, match=missing):
        Registry.build([module])


class NoFacts(BaseModel):
    pass


def test_a_scheme_listing_a_document_kind_twice_is_refused() -> None:
    module = SchemeModule(
        "demo", "Démo", "civil", NoFacts, [], documents=(*COMMON_DOCUMENTS, COMMON_DOCUMENTS[0])
    )
    with pytest.raises(RegistryError, match="twice"):
        Registry.build([module])


# ---------------------------------------------------------------- documents and G3


def test_the_missing_documents_are_named_by_their_labels_never_their_codes() -> None:
    missing = [kind for kind in ALL_DOCUMENTS if kind not in ("officers_list", "rib")]
    result = evaluate(
        default_registry(), "pif", application(documents=missing), date(2027, 1, 10), "38"
    )
    assert (result.status, result.failed) == ("incomplete", ["G3"])
    g3 = next(r for r in result.results if r.rule == "G3")
    assert "Relevé d'identité bancaire (RIB)" in g3.message
    assert "Liste des dirigeants" in g3.message
    assert "officers_list" not in g3.message and "rib" not in g3.message.replace("RIB", "")


class ApprovalFacts(BaseModel):
    approved: Flag = Field(title="Agrément obtenu")


def _approved(ctx: Context) -> Check:
    return Check(ctx.flag("facts.approved"), "Agrément.")


APPROVAL = DocumentKind("prefectoral_approval", "Arrêté d'agrément préfectoral")
# A scheme of a département's own: one more document, and a rule that also asks the holder to
# complete the file (its approval is pending) rather than refusing it.
EXTENDED = SchemeModule(
    code="extended",
    label="Dispositif local",
    calendar="civil",
    facts=ApprovalFacts,
    rules=[
        *common_rules("année civile"),
        Rule("X1", "Agrément obtenu", "Règlement local", _approved, on_failure="incomplete"),
    ],
    parameters=COMMON_PARAMETERS,
    parameter_root=PARAMETER_ROOT,
    documents=(*COMMON_DOCUMENTS, APPROVAL),
)


def _extended(**changes: Any) -> Any:
    registry = Registry.build([EXTENDED])
    body = application(**{"facts": {"approved": True}, **changes})
    return evaluate(registry, "extended", body, date(2027, 1, 10), "38")


def test_a_scheme_may_add_a_document_kind_that_g3_then_requires() -> None:
    result = _extended()
    assert (result.status, result.failed) == ("incomplete", ["G3"])
    g3 = next(r for r in result.results if r.rule == "G3")
    assert g3.message == "Pièces manquantes : Arrêté d'agrément préfectoral."
    assert _extended(documents=[*ALL_DOCUMENTS, APPROVAL.code]).status == "eligible"


def test_a_document_kind_of_another_scheme_is_refused() -> None:
    body = application(documents=[*ALL_DOCUMENTS, APPROVAL.code])
    with pytest.raises(InvalidInput, match=r"application\.documents\.7"):
        evaluate(default_registry(), "pif", body, date(2027, 1, 10), "38")


def test_a_file_is_incomplete_when_every_failing_rule_says_so() -> None:
    both = _extended(documents=ALL_DOCUMENTS, facts={"approved": False})
    assert (both.status, sorted(both.failed)) == ("incomplete", ["G3", "X1"])
    refused = _extended(
        documents=ALL_DOCUMENTS,
        facts={"approved": False},
        budget={"total_cost": "5000.00", "other_resources": "4000.00"},
    )
    assert (refused.status, sorted(refused.failed)) == ("ineligible", ["G3", "G5", "X1"])


def test_the_engine_knows_no_rule_id_and_reads_no_parameter_file_of_rules() -> None:
    for path in (PROJECT_ROOT / "engine").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert '"G3"' not in text and "'G3'" not in text, path
        assert "rules/parameters" not in text and "from rules" not in text, path
