"""The session pack as a PDF: each agenda file on a page of its own, with its plan, flags,
failed rules and opinions; text given by people printed literally."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

from pypdf import PdfReader

from engine.documents.pack import PackItem, PackLine, SessionPack, session_pack

PROJECT = {
    "objectives": "Rompre l'isolement des parents et les aider à échanger entre eux. " * 3,
    "description": "Un café des parents chaque samedi matin au centre social. " * 4,
    "public": "Parents d'enfants de 0 à 11 ans du quartier.",
    "means": "Une animatrice salariée et deux bénévoles formés à l'écoute.",
    "evaluation": "Nombre de familles présentes, questionnaire en fin d'année.",
}


def _item(number: int, **changes: object) -> PackItem:
    fields: dict[str, object] = {
        "reference": f"REAAP-2027-{number:05d}",
        "title": f"Action {number}",
        "holder_name": "Parents en Chemin",
        "scheme_label": "Reaap",
        "total_cost": Decimal("6000.00"),
        "other_resources": Decimal("1000.00"),
        "lines": (
            PackLine("Caf de l'Isère", Decimal("3000.00"), Decimal("3000.00"), Decimal("2500.00")),
            PackLine("Département de l'Isère", Decimal("1500.00"), Decimal("1200.00"), None),
            PackLine("MSA Alpes du Nord", Decimal("500.00"), None, None),
        ),
        "project": PROJECT,
        "flags": ("Plan de financement incomplet : il manque 800,00 €.",),
        "failures": ("Département de l'Isère : au plus 20 % du coût de l'action.",),
        "opinions": (
            "Caf de l'Isère — Marie Durand : favorable. Projet solide, déjà mené en 2026.",
            "Caf de l'Isère — Paul Martin : réservé. Le budget reste à préciser.",
        ),
    }
    fields.update(changes)
    return PackItem(**fields)  # type: ignore[arg-type]


def _pack(items: tuple[PackItem, ...]) -> SessionPack:
    return SessionPack(
        session_title="Séance Reaap de mars",
        starts_at=datetime(2027, 3, 10, 9, 0, tzinfo=UTC),
        location="Hôtel du Département, Grenoble",
        items=items,
        issued_on=date(2027, 2, 20),
    )


def _pages(data: bytes) -> list[str]:
    texts = [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]
    return [re.sub(r"\s+", " ", t.replace("\u202f", " ").replace("\u00a0", " ")) for t in texts]


def test_each_file_of_the_agenda_has_a_page_of_its_own() -> None:
    for size in (1, 2, 6):
        pages = _pages(session_pack(_pack(tuple(_item(n) for n in range(1, size + 1)))))
        assert len(pages) == size
        for number, page in enumerate(pages, start=1):
            assert f"{number}. REAAP-2027-{number:05d} — Action {number}" in page
            assert "Points d'attention du plan" in page
            assert "il manque 800,00 €" in page
            assert "Règles non satisfaites" in page
            assert "Département de l'Isère : au plus 20 % du coût de l'action." in page
            assert "Avis des membres" in page
            assert "Marie Durand : favorable. Projet solide" in page
            assert "2 500,00 €" in page
        assert f"{size} dossier" in pages[0] and "à l'ordre du jour, un par page." in pages[0]


def test_a_file_without_flags_failures_or_opinions_says_so() -> None:
    (page,) = _pages(session_pack(_pack((_item(1, flags=(), failures=(), opinions=()),))))
    assert "Aucun point d'attention." in page
    assert "Toutes les règles sont satisfaites." in page
    assert "Aucun avis n'a été donné." in page


def test_an_opinion_with_markup_is_printed_literally() -> None:
    link = '<a href="javascript:alert(1)">x</a>'
    data = session_pack(_pack((_item(1, opinions=(f"Caf de l'Isère — X : réservé. {link}",)),)))
    assert link in _pages(data)[0]
    assert b"javascript" not in data.replace(b"javascript:alert", b"")  # no live link
