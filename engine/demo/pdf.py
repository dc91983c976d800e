"""Small one-page PDFs standing in for the supporting documents of the demo applications."""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

TITLES = {
    "cerfa_12156": "Demande de subvention(s) — CERFA n° 12156*06",
    "rib": "Relevé d'identité bancaire",
    "budget": "Budget prévisionnel de l'action",
    "statuts": "Statuts de l'association",
    "officers_list": "Liste des membres du bureau et du conseil d'administration",
    "approved_accounts": "Comptes approuvés du dernier exercice clos",
    "activity_report": "Rapport d'activité",
}


def document_pdf(kind: str, organisation: str, action: str) -> bytes:
    """A one-page A4 PDF naming the document, its holder and the action it supports."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(f"{TITLES[kind]} — {organisation}")
    canvas.setAuthor(organisation)
    _, height = A4
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(72, height - 96, TITLES[kind])
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, height - 130, organisation)
    canvas.drawString(72, height - 150, f"Action : {action}")
    canvas.setFont("Helvetica-Oblique", 10)
    canvas.drawString(72, 72, "Document de démonstration — cofinance, comité des financeurs.")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
