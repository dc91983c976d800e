"""French words of the pages: field labels, document kinds, and the services' messages in French.

The services answer in English (the API's language); a person reads French. Messages are matched
by their known forms and rewritten; anything unknown is shown as it is, so nothing is hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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

DOCUMENT_KINDS = {
    "cerfa_12156": "Formulaire CERFA n° 12156 signé",
    "rib": "Relevé d'identité bancaire (RIB)",
    "budget": "Budget prévisionnel de l'action",
    "statuts": "Statuts de l'association",
    "officers_list": "Liste des dirigeants",
    "approved_accounts": "Derniers comptes approuvés",
    "activity_report": "Dernier rapport d'activité",
}

HOLDER_KINDS = {
    "association": "Association",
    "collectivite": "Collectivité territoriale",
    "caf": "Caf",
    "etablissement": "Établissement public",
    "other": "Autre",
}

FUNDER_KINDS = {
    "caf": "Caf",
    "etat": "État",
    "departement": "Département",
    "msa": "MSA",
    "commune": "Commune",
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
}

OUTBOX_STATES = {"pending": "En attente", "sent": "Envoyé", "failed": "En échec"}

OUTBOX_KINDS = {
    "convocation": "Convocation",
    "decision": "Décision au porteur",
    "funder_decision": "Décision au financeur",
    "documents_requested": "Pièces demandées",
    "submission_receipt": "Accusé de dépôt",
}

# Labels of the common fields of the application (CERFA 12156) and of each scheme's facts.
FIELDS = {
    "call_id": "Appel à projets",
    "title": "Intitulé de l'action",
    "application": "Demande",
    "application.holder.kind": "Statut juridique",
    "application.holder.name": "Nom de la structure",
    "application.holder.siret": "Numéro SIRET",
    "application.holder.rna": "Numéro RNA",
    "application.holder.cer_signed": "Contrat d'engagement républicain souscrit",
    "application.renewal": "Renouvellement d'une action financée l'an dernier",
    "application.previous_report_filed": (
        "Compte rendu financier de l'an dernier déposé (CERFA 15059)"
    ),
    "application.territory": "Communes où se déroule l'action",
    "application.period.start": "Début de l'action",
    "application.period.end": "Fin de l'action",
    "application.budget.total_cost": "Total des charges de l'action",
    "application.budget.investment_costs": "Dont investissement",
    "application.budget.other_resources": (
        "Autres produits (fonds propres, participations, mécénat)"
    ),
    "application.requests": "Montants demandés",
}

FACTS = {
    # reaap
    "children_max_age": "Âge maximal des enfants concernés (ans)",
    "open_to_all": "Action ouverte à toutes les familles",
    "modality": "Modalité de l'action",
    "therapeutic": "Visée thérapeutique",
    "parents_involved": "Parents associés à la conception ou à l'animation",
    "fee_per_session": "Participation demandée aux familles par séance (€)",
    "commercial": "But commercial",
    "reaap_charter_signed": "Charte des Reaap signée",
    "laicite_charter_accepted": "Charte de la laïcité de la branche Famille acceptée",
    "staff_cost_share": "Part des frais de personnel dans le coût (entre 0 et 1)",
    # clas
    "outside_school_time": "Action hors du temps scolaire",
    "axes": "Axes d'intervention",
    "homework_help_only": "Aide aux devoirs seulement",
    "orientation_agreed": "Orientation des enfants concertée avec l'école",
    "qpv": "Action en quartier prioritaire de la politique de la ville",
    "groups": "Groupes d'enfants",
    "children": "Nombre d'enfants",
    "intervenants": "Nombre d'intervenants",
    "cost": "Coût du groupe (€)",
    "levels": "Niveaux scolaires",
    # mediation_familiale
    "manager_kind": "Gestionnaire du service",
    "caf_active_before_2006": "Service Caf en activité avant 2006",
    "main_field": "Champ principal d'intervention",
    "mediators": "Médiateurs",
    "etp": "Équivalent temps plein",
    "demf": "Titulaire du DEMF",
    "practice_analysis": "Analyse de la pratique organisée",
    "national_scale_applied": "Barème national des participations appliqué",
    "extrajudicial_share": "Part des médiations conventionnelles (entre 0 et 1)",
    "family_participations": "Participations des familles (€)",
    # espace_rencontre
    "approval_valid_until": "Agrément préfectoral valable jusqu'au",
    "max_fee_per_visit": "Participation maximale par visite (€)",
    "free_access_guaranteed": "Gratuité garantie aux familles qui ne peuvent payer",
    "confidentiality": "Confidentialité garantie",
    # laep
    "free_access": "Accès libre",
    "anonymous": "Accueil anonyme",
    "hosts_per_session": "Accueillants par séance",
    "listed_on_monenfant": "Référencé sur monenfant.fr",
}

CHOICES = {
    "parent_exchange": "Groupe d'échange entre parents",
    "parent_child_activity": "Activité parents-enfants",
    "conference_debate": "Conférence-débat",
    "individual": "Accompagnement individuel",
    "children": "Enfants",
    "parents": "Parents",
    "school": "École",
    "local_partners": "Partenaires locaux",
    "association": "Association",
    "association_group": "Regroupement d'associations",
    "collectivite": "Collectivité territoriale",
    "caf": "Caf",
    "other": "Autre",
    "family": "Famille",
    "social": "Social",
    "health": "Santé",
    "legal": "Juridique",
}


def field_label(path: str) -> str:
    if path in FIELDS:
        return FIELDS[path]
    last = [part for part in path.split(".") if not part.isdigit()][-1:]
    return FACTS.get(last[0], last[0]) if last else path


_Rewrite = Callable[[re.Match[str]], str]
# "Le fichier n'est pas … lisible", for each type an upload is parsed as.
_READABLE = {"PDF": "un PDF", "PNG image": "une image PNG", "JPEG image": "une image JPEG"}

_PATTERNS: list[tuple[re.Pattern[str], str | _Rewrite]] = [
    (re.compile(r"^Field required$"), "Ce champ est obligatoire."),
    (re.compile(r"^Extra inputs are not permitted$"), "Ce champ n'est pas attendu ici."),
    (re.compile(r"^expected a whole number$"), "Saisissez un nombre entier."),
    (re.compile(r"^cannot be negative$"), "La valeur ne peut pas être négative."),
    (re.compile(r"^an amount cannot be negative$"), "Un montant ne peut pas être négatif."),
    (re.compile(r"^amount too large$"), "Ce montant est trop élevé."),
    (re.compile(r"^expected true or false$"), "Répondez par oui ou non."),
    (
        re.compile(r"^must lie between 0 and 1$"),
        "Saisissez une valeur entre 0 et 1 (0,5 pour 50 %).",
    ),
    (re.compile(r"^expected a number.*$"), "Saisissez un nombre."),
    (re.compile(r"^not a number: .*$"), "Saisissez un nombre (par exemple 1 500,00)."),
    (re.compile(r"^expected a finite number$"), "Saisissez un nombre."),
    (
        re.compile(r"^at most (\d+) decimal places$"),
        lambda m: f"Au plus {m[1]} chiffres après la virgule.",
    ),
    (re.compile(r"^not a YYYY-MM-DD date.*$"), "Saisissez une date valide (jj/mm/aaaa)."),
    (
        re.compile(r"^must not be before the start of the period \((\d{4})-(\d{2})-(\d{2})\)$"),
        lambda m: f"La fin de l'action ne peut pas précéder son début ({m[3]}/{m[2]}/{m[1]}).",
    ),
    # Text (engine/rulebook/text.py).
    (
        re.compile(r"^not valid text: (U\+[0-9A-F]{4}) is a lone surrogate.*$"),
        lambda m: (
            f"Le texte contient un caractère invalide ({m[1]}) : saisissez-le de nouveau, "
            "sans copier-coller depuis un document abîmé."
        ),
    ),
    (
        re.compile(r"^not valid text: UTF-8 cannot encode it$"),
        "Le texte contient un caractère invalide : saisissez-le de nouveau.",
    ),
    (
        re.compile(r"^must not contain NUL characters$"),
        "Le texte ne doit pas contenir de caractère nul (U+0000).",
    ),
    (
        re.compile(r"^must fit on one line: no line break or tab.*$"),
        "Ce champ tient sur une seule ligne : ni retour à la ligne, ni tabulation.",
    ),
    (
        re.compile(r"^must not contain control characters \((U\+[0-9A-F]{4})\)$"),
        lambda m: f"Le texte ne doit pas contenir de caractère de contrôle ({m[1]}).",
    ),
    (re.compile(r"^expected a date as YYYY-MM-DD$"), "Saisissez une date valide (jj/mm/aaaa)."),
    (
        re.compile(r"^Input should be .*"),
        "Choisissez une des valeurs proposées.",
    ),
    (re.compile(r"^Input should be a valid list$"), "Choisissez au moins une valeur."),
    (
        re.compile(r"^unknown INSEE commune code '([^']*)'$"),
        lambda m: f"Code commune INSEE inconnu : {m[1]}.",
    ),
    (
        re.compile(r"^the request to (\S+) must be greater than 0$"),
        "Le montant demandé doit être supérieur à 0 (laissez vide pour ne rien demander).",
    ),
    (
        re.compile(r"^this funder takes no part in the call$"),
        "Ce financeur ne participe pas à cet appel à projets.",
    ),
    (re.compile(r"^no call (\d+)$"), "Cet appel à projets n'existe pas."),
    (
        re.compile(r"^above the amount requested \((.*)\)$"),
        lambda m: f"Le montant dépasse le montant demandé ({_euros(m[1])}).",
    ),
    (
        re.compile(r"^a granted share needs an amount above 0$"),
        "Une part accordée doit avoir un montant supérieur à 0.",
    ),
    (re.compile(r"^granted, refused or deferred$"), "Choisissez accorder, refuser ou ajourner."),
    (re.compile(r"^one of .*"), "Choisissez une des valeurs proposées."),
    (re.compile(r"^larger than (\d+) MB$"), lambda m: f"Le fichier dépasse {m[1]} Mo."),
    (re.compile(r"^the file is empty$"), "Le fichier est vide."),
    (
        re.compile(r"^only PDF, PNG or JPEG files are accepted$"),
        "Seuls les fichiers PDF, PNG ou JPEG sont acceptés.",
    ),
    (
        re.compile(r"^the file is not a readable (PDF|PNG image|JPEG image)$"),
        lambda m: (
            f"Le fichier n'est pas {_READABLE[m[1]]} lisible : il est endommagé ou d'un autre "
            "type. Enregistrez-le de nouveau puis déposez-le."
        ),
    ),
    (
        re.compile(r"^password-protected PDF files are not accepted$"),
        "Les PDF protégés par un mot de passe ne sont pas acceptés : enlevez la protection.",
    ),
    (
        re.compile(r"^the image is too large: more than (\d+) million pixels$"),
        lambda m: f"L'image est trop grande (plus de {m[1]} millions de pixels) : réduisez-la.",
    ),
    (
        re.compile(r"^this application is not yours to see$"),
        "Ce dossier ne vous est pas accessible.",
    ),
    (
        re.compile(r"^only the holder of this application may do this$"),
        "Seul le porteur de ce dossier peut faire cette action.",
    ),
    (
        re.compile(r"^only members of this funder may act on its share$"),
        "Seuls les membres de ce financeur peuvent agir sur sa part.",
    ),
    (re.compile(r"^reserved to: (.*)$"), "Cette page est réservée à un autre profil."),
    (
        re.compile(r"^reserved to the chair and the funders$"),
        "Cette page est réservée à la présidence du comité et aux financeurs.",
    ),
    (
        re.compile(r"^your funder takes no part in this session's call$"),
        "Votre organisme ne participe pas à l'appel à projets de cette séance.",
    ),
    (re.compile(r"^no application (\d+)$"), "Ce dossier n'existe pas."),
    (re.compile(r"^no session (\d+)$"), "Cette séance n'existe pas."),
    (re.compile(r"^no letter (\d+)$"), "Ce courrier n'existe pas."),
    (re.compile(r"^this letter is not addressed to you$"), "Ce courrier ne vous est pas adressé."),
    (
        re.compile(r"^the call is not open for submissions.*$"),
        "L'appel à projets n'est pas ouvert : la date limite de dépôt est passée (règle G8).",
    ),
    (
        re.compile(r"^an application that is (\w+) cannot be (\w+)$"),
        "Le dossier n'est plus modifiable dans son état actuel.",
    ),
    (
        re.compile(r"^documents can be added only while the application is editable$"),
        "Des pièces ne peuvent être ajoutées que tant que le dossier est modifiable.",
    ),
    (
        re.compile(r"^the application is no longer editable$"),
        "Le dossier n'est plus modifiable.",
    ),
    (
        re.compile(r"^decisions are recorded only while the session is open$"),
        "Les décisions ne s'enregistrent que pendant la séance ouverte.",
    ),
    (
        re.compile(r"^the shares of an ineligible file are refused at close$"),
        "Les parts d'un dossier non recevable sont refusées à la clôture.",
    ),
    (
        re.compile(r"^this application is not on the session's agenda$"),
        "Ce dossier n'est pas à l'ordre du jour de la séance.",
    ),
    (
        re.compile(r"^undecided shares: (.*)$"),
        lambda m: f"Des parts ne sont pas encore décidées : {m[1]}.",
    ),
    (
        re.compile(r"^the minutes are written when the session closes$"),
        "Le procès-verbal est écrit à la clôture de la séance.",
    ),
    (
        re.compile(r"^the agenda of a (\w+) session is fixed$"),
        "L'ordre du jour ne peut plus changer.",
    ),
    (
        re.compile(
            r"^application (\d+) is (\w+): only eligible or ineligible files can be scheduled$"
        ),
        lambda m: (
            f"Le dossier {m[1]} ne peut pas être inscrit : seuls les dossiers recevables "
            "ou non recevables peuvent l'être."
        ),
    ),
    (
        re.compile(r"^application (\d+) is not a file of this session's call$"),
        lambda m: f"Le dossier {m[1]} ne relève pas de l'appel à projets de cette séance.",
    ),
    (re.compile(r"^an application is listed twice$"), "Un dossier figure deux fois."),
    (re.compile(r"^must be after opens_at$"), "La clôture doit suivre l'ouverture."),
    (re.compile(r"^a funder is listed twice$"), "Un financeur figure deux fois."),
    (re.compile(r"^unknown funder '?([^']*)'?$"), "Financeur inconnu."),
    (re.compile(r"^unknown funder kind .*$"), "Type de financeur inconnu."),
    (re.compile(r"^unknown scheme .*$"), "Dispositif inconnu."),
    (
        re.compile(r"^a (\w+) funder needs its INSEE code$"),
        "Une commune financeuse a besoin de son code INSEE.",
    ),
    (re.compile(r"^unknown INSEE commune code .*$"), "Code commune INSEE inconnu."),
    (
        re.compile(r"^a funder with code .* exists already$"),
        "Un financeur porte déjà ce code.",
    ),
    (re.compile(r"^user .* exists already$"), "Cet identifiant est déjà pris."),
    (
        re.compile(r"^between (\d+) and (\d+) characters$"),
        lambda m: f"Entre {m[1]} et {m[2]} caractères.",
    ),
    (re.compile(r"^1 to 150 characters$"), "Entre 1 et 150 caractères."),
    (
        re.compile(r"^a funder user needs --funder CODE$"),
        "Un compte financeur doit être rattaché à un financeur.",
    ),
    (
        re.compile(r"^an applicant needs --organisation NAME$"),
        "Un porteur de projet doit indiquer sa structure.",
    ),
    (
        re.compile(r"^(stale version.*|stale)$"),
        "Quelqu'un d'autre a modifié ces données entre-temps : rechargez la page et recommencez.",
    ),
    (
        re.compile(r"^no proposal on an application that is (\w+)$"),
        "Une proposition n'est plus possible dans l'état actuel du dossier.",
    ),
    (
        re.compile(r"^this application asks nothing of this funder$"),
        "Ce dossier ne demande rien à ce financeur.",
    ),
    (re.compile(r"^String should have at least 1 character$"), "Ce champ est obligatoire."),
    (
        re.compile(r"^String should have at most (\d+) characters?$"),
        lambda m: f"Au plus {m[1]} caractères.",
    ),
    (re.compile(r"^not yours$"), "Ce courrier ne vous est pas accessible."),
    (
        re.compile(r"^no applications for this role$"),
        "Cette liste est réservée à un autre profil.",
    ),
    (
        re.compile(r"^\w+: '\w+' is not allowed from state .*$"),
        "Cette action n'est pas possible dans l'état actuel.",
    ),
    (
        re.compile(r"^\w+: role '\w+' may not fire .*$"),
        "Votre profil ne permet pas cette action.",
    ),
    (re.compile(r"^a reason is required$"), "Indiquez un motif."),
    (
        re.compile(r"^too many failed sign-ins: try again in (\d+) minutes$"),
        lambda m: f"Trop de tentatives de connexion : réessayez dans {m[1]} minutes.",
    ),
    (
        re.compile(r"^only a failed message can be retried.*$"),
        "Seul un envoi en échec peut être relancé.",
    ),
    (re.compile(r"^no outbox message (\d+)$"), "Cet envoi n'existe pas."),
]


def _euros(text: str) -> str:
    from decimal import Decimal, InvalidOperation

    from engine.formatting import format_money

    try:
        return format_money(Decimal(text))
    except InvalidOperation:
        return text


def translate(message: str) -> str:
    """A service's message in French; an unknown message is kept as it is."""
    for pattern, french in _PATTERNS:
        match = pattern.match(message)
        if match:
            return french if isinstance(french, str) else french(match)
    return message
