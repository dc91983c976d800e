"""People read French labels, never codes: the pages take them from the models and modules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import engine.notify
from api.pages.french import OUTBOX_KINDS
from tests.api.test_plugin_package import page


def test_the_upload_form_and_the_missing_documents_show_labels_not_codes(api: Any) -> None:
    call = api.call()
    missing = [kind for kind in api.KINDS if kind != "officers_list"]
    application = api.submitted(call["id"], kinds=missing)
    assert (application["state"], application["eligibility"]["failed"]) == ("incomplete", ["G3"])

    text = page(api, "asso", f"/dossiers/{application['id']}")
    # The missing kind is offered, under its label (preselected on the row for that piece).
    option = r'<option value="officers_list"( selected)?>Liste des dirigeants</option>'
    assert re.search(option, text)
    assert "Pièces manquantes : Liste des dirigeants." in text
    assert "Pièces manquantes : officers_list" not in text
    # The documents already joined are listed under their labels too.
    assert "Relevé d'identité bancaire (RIB)</th>" in text


def test_the_application_form_labels_the_facts_and_their_choices_from_the_scheme(
    api: Any,
) -> None:
    call = api.call()
    text = page(api, "asso", f"/demandes/nouvelle?appel={call['id']}")
    assert "Modalité de l'action" in text
    assert "Groupe d'échange entre parents" in text
    assert "Statut juridique" in text and "Collectivité territoriale" in text
    assert ">modality<" not in text and ">parent_exchange<" not in text


def test_every_kind_of_email_has_a_french_name_on_the_outbox_pages() -> None:
    templates = Path(engine.notify.__file__).parent / "templates"
    kinds = {path.name.removesuffix(".subject.txt") for path in templates.glob("*.subject.txt")}
    assert len(kinds) >= 20
    assert sorted(kinds - OUTBOX_KINDS.keys()) == []
