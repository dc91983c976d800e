"""The French message of every error the engine raises, by code, with named parameters.

Services raise errors carrying a stable code (`Conflict("wrong_state.edit", state=…)`) and
never a sentence; the API, the pages, the emails and the letters render the code here. A code
`head.detail` is public as `head` (the API's `code`); the full code picks the sentence. Rule
messages stay with their rules (rules/ write French themselves).

tests/engine/test_messages.py checks that every code raised has a message here, that every
message is used, that each renders with its parameters and that none is in English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import PydanticCustomError

MESSAGES: dict[str, str] = {
    # The statuses of the API, when nothing more precise is known.
    "bad_request": "La requête est incorrecte.",
    "unauthenticated": "Connexion nécessaire : identifiez-vous.",
    "unauthenticated.required": "Connexion nécessaire : identifiez-vous.",
    "unauthenticated.token": "Votre session a expiré ou n'est pas valable : reconnectez-vous.",
    "unauthenticated.credentials": "Identifiant ou mot de passe incorrect.",
    "unauthenticated.unknown_user": "Ce compte n'existe pas.",
    "unauthenticated.notifications": "Les notifications sont réservées aux personnes connectées.",
    "password_reset.sent": (
        "Si un compte correspond, un courriel vient de lui être envoyé avec un lien pour choisir "
        "un nouveau mot de passe. Pensez à regarder dans les courriels indésirables."
    ),
    "password_reset.done": (
        "Votre mot de passe est changé : connectez-vous avec le nouveau. Vos autres sessions "
        "sont fermées."
    ),
    "forbidden": "Accès refusé.",
    "forbidden.role": "Cette page est réservée à un autre profil.",
    "forbidden.role_refused": "Votre profil ne permet pas cette action.",
    "forbidden.not_holder": "Seul le porteur de ce dossier peut faire cette action.",
    "forbidden.not_member": "Seuls les membres de ce financeur peuvent agir sur sa part.",
    "forbidden.not_yours": "Ce dossier ne vous est pas accessible.",
    "forbidden.no_granted_share": (
        "Seuls les financeurs qui ont accordé une part examinent le compte rendu financier."
    ),
    "forbidden.staff_and_funders": (
        "Cette page est réservée à la présidence du comité et aux financeurs."
    ),
    "forbidden.funder_not_in_call": (
        "Votre organisme ne participe pas à l'appel à projets de cette séance."
    ),
    "forbidden.applications_list": "Cette liste est réservée à un autre profil.",
    "forbidden.letter": "Ce courrier ne vous est pas adressé.",
    "forbidden.declare_for_other": (
        "Un membre ne déclare que ses propres conflits d'intérêts : seule la présidence en "
        "enregistre pour un autre membre."
    ),
    "forbidden.payment": "Ce versement ne vous est pas accessible.",
    "forbidden.other_funder": "Vous ne voyez que les versements de votre organisme.",
    "forbidden.csrf": (
        "Le formulaire a expiré ou ne vient pas de ce site : rechargez la page et recommencez."
    ),
    "not_found": "Introuvable.",
    "not_found.application": "Le dossier {id} n'existe pas.",
    "not_found.call": "L'appel à projets {id} n'existe pas.",
    "not_found.session": "La séance {id} n'existe pas.",
    "not_found.letter": "Le courrier {id} n'existe pas.",
    "not_found.letter_file": "Le fichier PDF du courrier {id} est introuvable.",
    "not_found.document": "La pièce {id} n'existe pas.",
    "not_found.document_file": "Le fichier de la pièce {id} est introuvable.",
    "not_found.notification": "La notification {id} n'existe pas.",
    "not_found.outbox": "L'envoi {id} n'existe pas.",
    "not_found.user": "Le compte {id} n'existe pas.",
    "not_found.funder": "Le financeur {code} n'existe pas.",
    "not_found.agreement": "La convention ou notification {id} n'existe pas.",
    "not_found.convention": (
        "Pas de fichier pour l'accord {id} : une notification n'a pas de convention, et la "
        "copie signée n'est disponible qu'une fois déposée par le porteur."
    ),
    "not_found.report": (
        "Le compte rendu financier du dossier {id} n'est pas encore attendu : il s'ouvre à la "
        "notification de la décision."
    ),
    "not_found.payment": "Le versement {id} n'existe pas.",
    "method_not_allowed": "Cette méthode n'est pas permise à cette adresse.",
    "conflict": "Action impossible pour le moment.",
    "wrong_state": "Cette action n'est pas possible dans l'état actuel.",
    "wrong_state.edit": "Le dossier n'est plus modifiable dans son état actuel.",
    "wrong_state.not_editable": "Le dossier n'est plus modifiable.",
    "wrong_state.documents": (
        "Des pièces ne peuvent être ajoutées que tant que le dossier est modifiable."
    ),
    "wrong_state.agenda_fixed": "L'ordre du jour ne peut plus changer.",
    "wrong_state.session_fixed": (
        "La date, le lieu et l'intitulé d'une séance ne changent plus une fois ouverte."
    ),
    "empty_agenda": (
        "L'ordre du jour est vide : inscrivez au moins un dossier avant de convoquer les membres."
    ),
    "too_early": "La séance ne peut s'ouvrir qu'à partir de son jour, le {day}.",
    "quorum_not_met": (
        "Le quorum n'est pas atteint : {present} financeur(s) présent(s) ou représenté(s) sur "
        "{total}, il en faut au moins {minimum}. Enregistrez les présences avant d'ouvrir."
    ),
    "quorum_not_met.required": (
        "Le quorum n'est pas atteint : la présence de {funders} est requise ({present} "
        "financeur(s) présent(s) ou représenté(s) sur {total})."
    ),
    "funder_absent": (
        "{funder} n'est ni présent ni représenté à la séance : sa part ne peut pas être décidée, "
        "elle sera ajournée à la clôture."
    ),
    "wrong_state.attendance": (
        "Les présences ne s'enregistrent plus une fois la séance close ou annulée."
    ),
    "wrong_state.decisions": "Les décisions ne s'enregistrent que pendant la séance ouverte.",
    "wrong_state.conflicts": (
        "Les conflits d'intérêts se déclarent avant la clôture de la séance : celle-ci est close "
        "ou annulée."
    ),
    "conflict_of_interest": (
        "Vous avez un conflit d'intérêts sur ce dossier : vous ne prenez pas part à sa décision."
    ),
    "duplicate.conflict": "Le conflit d'intérêts de {name} sur ce dossier est déjà enregistré.",
    "wrong_state.minutes": "Le procès-verbal est écrit à la clôture de la séance.",
    "wrong_state.proposal": "Une proposition n'est plus possible dans l'état actuel du dossier.",
    "wrong_state.report_edit": (
        "Le compte rendu financier a été transmis : il ne se modifie plus, sauf si un "
        "financeur demande de le compléter."
    ),
    "wrong_state.report_review": "Seul un compte rendu financier transmis peut être examiné.",
    "duplicate.review": "{funder} a déjà donné son avis sur cette version du compte rendu.",
    "wrong_state.payment_ordered": "Ce versement est déjà ordonnancé.",
    "wrong_state.payment_pending": (
        "Le solde attend le compte rendu financier : son montant sera fixé par le calcul du solde."
    ),
    "wrong_state.payment_paid": "Ce versement est déjà marqué payé.",
    "wrong_state.payment_not_ordered": (
        "Un versement doit être ordonnancé avant d'être marqué payé."
    ),
    "wrong_state.opinion": "Un avis n'est plus possible dans l'état actuel du dossier.",
    "wrong_state.opinion_session": (
        "La séance qui examine ce dossier est ouverte : les avis se donnent avant la séance."
    ),
    "wrong_state.retry": "Seul un envoi en échec peut être relancé.",
    "wrong_state.own_account": "Vous ne pouvez pas désactiver votre propre compte.",
    "wrong_state.own_admin_role": (
        "Vous ne pouvez pas retirer votre propre profil d'administrateur."
    ),
    "wrong_state.already_active": "Ce compte est déjà actif.",
    "wrong_state.inactive": "Ce compte est désactivé.",
    "wrong_state.funder_active": "Ce financeur est déjà actif.",
    "wrong_state.funder_inactive": "Ce financeur est déjà désactivé.",
    "wrong_state.call_closed": "Un appel à projets clos ne peut plus être modifié.",
    "wrong_state.call_scheme": (
        "Le dispositif d'un appel à projets ouvert ne peut plus changer : "
        "des dossiers y sont déposés."
    ),
    "wrong_state.call_opens_at": (
        "La date d'ouverture d'un appel à projets déjà ouvert ne peut plus changer."
    ),
    "wrong_state.call_funder_removed": (
        "{funder} ne peut plus être retiré de l'appel à projets ouvert : seul l'ajout d'un "
        "financeur ou la modification d'une enveloppe sont possibles."
    ),
    "stale_version": (
        "Quelqu'un d'autre a modifié ces données entre-temps : rechargez la page et recommencez."
    ),
    "deadline_passed": (
        "L'appel à projets n'est pas ouvert : la date limite de dépôt est passée (règle G8)."
    ),
    "duplicate.user": "L'identifiant {username} est déjà pris.",
    "duplicate.funder": "Un financeur porte déjà le code {code}.",
    "ineligible": "Les parts d'un dossier non recevable sont refusées à la clôture.",
    "undecided_shares": "Des parts ne sont pas encore décidées : {shares}.",
    "production_pending": (
        "Le procès-verbal est en cours de production : réessayez dans un instant."
    ),
    "idempotency_in_progress": (
        "Une requête portant cette clé d'idempotence est encore en cours : "
        "réessayez dans un instant."
    ),
    "too_large": "La requête est trop volumineuse.",
    "too_many_requests": "Trop de tentatives : réessayez un peu plus tard.",
    "too_many_requests.password_reset": (
        "Trop de demandes de nouveau mot de passe : réessayez dans {minutes} minutes."
    ),
    "too_many_requests.sign_in": (
        "Trop de tentatives de connexion : réessayez dans {minutes} minutes."
    ),
    "insufficient_storage": "L'espace de stockage est plein : rien n'a été enregistré.",
    "unavailable": "La base de données est momentanément indisponible : réessayez dans un instant.",
    "internal_error": "Erreur interne : elle a été consignée.",
    "parameter_gap": (
        "Le paramètre {name} n'a pas de valeur au {on} (sa première valeur commence le {first})."
    ),
    "invalid_input": "Saisie à corriger.",
    # Field errors (`errors: [{field, code, message}]`).
    "invalid_input.out_of_range": "Une valeur dépasse ce que la base de données peut enregistrer.",
    "required": "Ce champ est obligatoire.",
    "unexpected_field": "Ce champ n'est pas attendu ici.",
    "not_a_choice": "Choisissez une des valeurs proposées.",
    "not_a_list": "Choisissez au moins une valeur.",
    "not_an_object": "Une structure (objet JSON) est attendue ici.",
    "invalid_value": "Valeur incorrecte.",
    "too_long": "Au plus {max_length} caractères.",
    "length_between": "Entre {min} et {max} caractères.",
    "whole_number": "Saisissez un nombre entier.",
    "negative": "La valeur ne peut pas être négative.",
    "negative_amount": "Un montant ne peut pas être négatif.",
    "amount_too_large": "Ce montant est trop élevé.",
    "yes_or_no": "Répondez par oui ou non.",
    "ratio": "Saisissez une valeur entre 0 et 1 (0,5 pour 50 %).",
    "number_expected": "Saisissez un nombre.",
    "not_a_number": "Saisissez un nombre (par exemple 1 500,00).",
    "decimal_places": "Au plus {places} chiffres après la virgule.",
    "date_expected": "Saisissez une date valide (jj/mm/aaaa).",
    "year_range": "L'année doit être comprise entre 2000 et 2200.",
    "statistics_year": "Saisissez une année entre {min} et {max}.",
    "year_unknown": "Année inconnue : {year}. Choisissez une année entre {first} et {last}.",
    "date_in_future": "Cette date ne peut pas être dans le futur.",
    "version_expected": "Un numéro de version est attendu.",
    "period_end_before_start": "La fin de l'action ne peut pas précéder son début ({start}).",
    "no_funding_period": "Aucune période de financement ne contient cette date.",
    "text_surrogate": (
        "Le texte contient un caractère invalide ({char}) : saisissez-le de nouveau, "
        "sans copier-coller depuis un document abîmé."
    ),
    "text_unencodable": "Le texte contient un caractère invalide : saisissez-le de nouveau.",
    "text_nul": "Le texte ne doit pas contenir de caractère nul (U+0000).",
    "text_one_line": "Ce champ tient sur une seule ligne : ni retour à la ligne, ni tabulation.",
    "text_control": "Le texte ne doit pas contenir de caractère de contrôle ({char}).",
    "unknown_insee": "Code commune INSEE inconnu : {insee}.",
    "insee_required": "Une commune financeuse a besoin de son code INSEE.",
    "request_not_positive": (
        "Le montant demandé doit être supérieur à 0 (laissez vide pour ne rien demander)."
    ),
    "funder_not_in_call": "Ce financeur ne participe pas à cet appel à projets.",
    "documents_declared": "Les pièces se déposent une à une, elles ne se déclarent pas.",
    "unknown_call": "L'appel à projets {id} n'existe pas.",
    "above_request": "Le montant dépasse le montant demandé ({requested}).",
    "granted_needs_amount": "Une part accordée doit avoir un montant supérieur à 0.",
    "outcome": "Choisissez accorder, refuser ou ajourner.",
    "not_on_agenda": "Ce dossier n'est pas à l'ordre du jour de la séance.",
    "attendee_not_member": "{user} n'est membre d'aucun financeur de cette séance.",
    "attendee_twice": "{user} figure deux fois dans la liste des présences.",
    "proxy_required": "Indiquez le membre présent qui le représente.",
    "proxy_not_present": "Le mandataire {user} doit être un autre membre, noté présent.",
    "proxy_only_represented": "Un mandataire ne s'indique que pour un membre représenté.",
    "not_a_session_member": (
        "{username} n'est pas membre d'un financeur de cette séance (identifiant inconnu ?)."
    ),
    "asks_nothing": "Ce dossier ne demande rien à ce financeur.",
    "not_schedulable": (
        "Le dossier {id} ne peut pas être inscrit : seuls les dossiers recevables "
        "ou non recevables peuvent l'être."
    ),
    "not_in_session_call": "Le dossier {id} ne relève pas de l'appel à projets de cette séance.",
    "listed_twice": "Un dossier figure deux fois.",
    "funder_listed_twice": "Un financeur figure deux fois.",
    "closes_before_opens": "La clôture doit suivre l'ouverture.",
    "unknown_funder": "Financeur inconnu : {code}.",
    "unknown_funder_kind": "Type de financeur inconnu : {kind}.",
    "unknown_scheme": "Dispositif inconnu : {scheme}.",
    "unknown_document_kind": "Nature de pièce inconnue : {kind}.",
    "unknown_keys": "Clés inconnues : {keys}.",
    "mapping_expected": "Une liste de la forme « clé : valeur » est attendue ici.",
    "email_expected": "Saisissez une adresse électronique valide (nom@domaine.fr).",
    "passwords_differ": "Les deux mots de passe saisis ne sont pas identiques.",
    "reset_needs_email": "Ce compte n'a pas d'adresse électronique : ajoutez-en une d'abord.",
    "reset_link_invalid": (
        "Ce lien n'est plus valable (déjà utilisé, expiré ou remplacé par une demande plus "
        "récente) : demandez un nouveau lien."
    ),
    "funder_inactive": "Le financeur {code} est désactivé : il ne peut plus rejoindre un appel.",
    "closes_in_the_past": "La date limite d'un appel ouvert ne peut pas être déjà passée.",
    "funder_needs_code": "Un compte financeur doit être rattaché à un financeur.",
    "applicant_needs_organisation": "Un porteur de projet doit indiquer sa structure.",
    "reason_required": "Indiquez un motif.",
    "report_charges_total": (
        "Le total des charges réalisées ({charges}) doit être égal au coût total réalisé ({total})."
    ),
    "reduction_on_approval": "Une réduction s'indique en approuvant le compte rendu.",
    "reduction_above_granted": "La réduction ne peut pas dépasser le montant accordé ({granted}).",
    "key_reused": "Cette clé d'idempotence a déjà servi pour une autre requête.",
    "file_required": "Choisissez un fichier.",
    "file_too_large": "Le fichier dépasse {megabytes} Mo.",
    "file_empty": "Le fichier est vide.",
    "file_type": "Seuls les fichiers PDF, PNG ou JPEG sont acceptés.",
    "file_unreadable": (
        "Le fichier n'est pas {kind} lisible : il est endommagé ou d'un autre type. "
        "Enregistrez-le de nouveau puis déposez-le."
    ),
    "file_protected": (
        "Les PDF protégés par un mot de passe ne sont pas acceptés : enlevez la protection."
    ),
    "signed_convention_pdf": "La convention signée se dépose en PDF.",
    "image_too_large": (
        "L'image est trop grande (plus de {millions} millions de pixels) : réduisez-la."
    ),
    # The holder's profile, its identity numbers and the commune picker.
    "siret_invalid": (
        "Le numéro SIRET doit compter 14 chiffres et sa clé de contrôle être juste "
        "(par exemple 787 789 320 87925)."
    ),
    "rna_invalid": "Le numéro RNA doit être W suivi de 9 chiffres (par exemple W381234567).",
    "funder_siret": (
        "Numéro SIRET invalide : il compte 14 chiffres et sa clé de contrôle doit être juste "
        "(par exemple 213 801 855 00015)."
    ),
    "commune_unknown": (
        "Commune inconnue : {name}. Choisissez-la dans la liste ou saisissez son code INSEE."
    ),
    "commune_ambiguous": (
        "Plusieurs communes s'appellent {name} : choisissez-la dans la liste, "
        "par exemple {example}."
    ),
    "not_reusable": (
        "Cette pièce concerne une seule demande : joignez-la à la demande, pas au profil."
    ),
    "not_found.organisation_document": "La pièce {id} du profil n'existe pas.",
    "not_found.organisation": "Votre compte n'est rattaché à aucune structure.",
    "organisation_name_taken": "Une autre structure porte déjà ce nom.",
    "no_open_call": (
        "Aucun appel à projets de ce dispositif n'est ouvert : la demande ne peut pas être copiée."
    ),
}

# pydantic's own error types (FastAPI's request validation, the input models) → our codes.
PYDANTIC_CODES: dict[str, str] = {
    "missing": "required",
    "string_too_short": "required",
    "extra_forbidden": "unexpected_field",
    "literal_error": "not_a_choice",
    "enum": "not_a_choice",
    "list_type": "not_a_list",
    "dict_type": "not_an_object",
    "model_type": "not_an_object",
    "model_attributes_type": "not_an_object",
    "string_too_long": "too_long",
    "int_parsing": "whole_number",
    "int_type": "whole_number",
    "int_from_float": "whole_number",
    "float_parsing": "number_expected",
    "float_type": "number_expected",
    "decimal_parsing": "number_expected",
    "decimal_type": "number_expected",
    "bool_parsing": "yes_or_no",
    "bool_type": "yes_or_no",
    "date_parsing": "date_expected",
    "date_from_datetime_parsing": "date_expected",
    "date_type": "date_expected",
    "datetime_parsing": "date_expected",
    "datetime_from_date_parsing": "date_expected",
    "datetime_type": "date_expected",
    "json_invalid": "invalid_value",
}


def render(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The French sentence of `code`; an unknown code falls back to its head, then a generic."""
    template = MESSAGES.get(code) or MESSAGES.get(code.split(".", 1)[0]) or "Valeur incorrecte."
    return template.format_map(dict(params or {}))


def public_code(code: str) -> str:
    """The code the API shows: the head of a dotted code (`wrong_state.edit` → `wrong_state`)."""
    return code.split(".", 1)[0]


@dataclass(frozen=True)
class Message:
    """A code and its parameters: what an error says, to be rendered in French."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return render(self.code, self.params)

    def __str__(self) -> str:
        return self.text

    def invalid(self) -> PydanticCustomError:
        """The same message as a pydantic error (a ValueError), raised inside validators."""
        return PydanticCustomError(self.code, self.text, dict(self.params))


def invalid(code: str, **params: Any) -> PydanticCustomError:
    """A validator's refusal: `raise invalid("negative")` (pydantic keeps code and params)."""
    return Message(code, params).invalid()


def from_exception(exc: ValueError) -> Message:
    """The message of a validator's ValueError (ours carry a code; others are generic)."""
    if isinstance(exc, PydanticCustomError):
        return Message(exc.type, dict(exc.context or {}))
    return Message("invalid_value")


def from_pydantic(error: Mapping[str, Any]) -> Message:
    """The message of one of pydantic's error dicts (`ValidationError.errors()`)."""
    kind = str(error.get("type", ""))
    context = dict(error.get("ctx") or {})
    if kind in MESSAGES:  # raised by `invalid(...)` in a validator
        return Message(kind, {k: v for k, v in context.items() if k != "error"})
    code = PYDANTIC_CODES.get(kind, "invalid_value")
    if code == "too_long":
        return Message(code, {"max_length": context.get("max_length", "")})
    return Message(code)
