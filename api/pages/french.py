"""French words of the pages that no module declares.

The labels of the application's fields, of their choices, of the document kinds and of the
funder kinds come with the models and the rule modules (engine/rulebook/labels.py,
SchemeModule.documents, FunderModule.label), so an installed module needs nothing here.

The services' messages are not here: they are rendered from their codes by the one catalogue,
engine/messages.py.
"""

from __future__ import annotations

STATUS_TITLES = {
    400: "Requête incorrecte",
    401: "Connexion nécessaire",
    403: "Accès refusé",
    404: "Page introuvable",
    409: "Action impossible pour le moment",
    413: "Fichier trop volumineux",
    422: "Saisie à corriger",
    500: "Erreur du service",
    503: "Service momentanément indisponible",
    507: "Espace de stockage plein",
}

ROLES = {
    "applicant": "Porteur de projet",
    "funder": "Financeur",
    "chair": "Présidence du comité",
    "admin": "Administration",
}

FLAGS = {
    "financing_gap": "Plan de financement incomplet",
    "over_financing": "Surfinancement",
    "convention_required": "Convention obligatoire (plus de 23 000 €)",
}

# Actions recorded in the events that are not workflow transitions.
ACTIONS = {
    "create": "Création",
    "update": "Modification",
    "add_document": "Pièce jointe",
    "set_agenda": "Ordre du jour",
    "opinion": "Avis d'un membre",
    "report_open": "Attendu",
    "agreement_open": "Établie",
    "report_save": "Enregistré",
}

OUTBOX_STATES = {"pending": "En attente", "sent": "Envoyé", "failed": "En échec"}

OUTBOX_KINDS = {
    "convocation": "Convocation",
    "convocation_reminder": "Rappel de la séance",
    "session_not_convened": "Séance non convoquée",
    "undecided_shares": "Parts non décidées",
    "draft_reminder": "Rappel d'un brouillon",
    "final_report_due": "Compte rendu financier à prévoir",
    "decision": "Décision au porteur",
    "funder_decision": "Décision au financeur",
    "settlement": "Solde au porteur",
    "funder_settlement": "Solde au financeur",
    "deferral": "Ajournement",
    "documents_requested": "Pièces demandées",
    "submission_receipt": "Accusé de dépôt",
    "report_reminder": "Rappel du compte rendu financier",
    "report_submitted": "Compte rendu financier à examiner",
    "report_revision": "Compte rendu financier à compléter",
    "convention_to_sign": "Convention à signer",
    "convention_signed": "Convention à contresigner",
    "payment": "Versement ou reversement",
    "password_reset": "Nouveau mot de passe",
}
