"""The confirmations shown after a redirect (`?ok=<key>`), in French."""

# Confirmations shown after a redirect (`?ok=<key>`): fixed French sentences, never user text.
MESSAGES = {
    "created": "La demande est enregistrée en brouillon.",
    "saved": "Les modifications sont enregistrées.",
    "uploaded": "La pièce est jointe au dossier.",
    "uploaded_many": "Les pièces sont jointes au dossier.",
    "copied": "La demande est copiée en brouillon : vérifiez chaque rubrique puis enregistrez.",
    "profile_saved": "Le profil de votre organisation est enregistré.",
    "profile_document": "La pièce est conservée dans le profil : elle sera jointe à vos demandes.",
    "profile_documents": (
        "Les pièces sont conservées dans le profil : elles seront jointes à vos demandes."
    ),
    "profile_document_removed": "La pièce est retirée du profil.",
    "submitted": "La demande est déposée : les vérifications ont été faites.",
    "withdrawn": "La demande est retirée.",
    "proposed": "Votre proposition est enregistrée.",
    "opinion_given": "Votre avis est enregistré : il figure au dossier de séance.",
    "convention_signed": (
        "La convention signée est transmise : elle entre en vigueur à la contresignature du "
        "financeur."
    ),
    "convention_countersigned": "La convention est contresignée : elle est en vigueur.",
    "report_saved": "Le compte rendu financier est enregistré.",
    "report_document": "La pièce justificative est jointe au compte rendu.",
    "report_submitted": "Le compte rendu financier est transmis aux financeurs.",
    "report_reviewed": "Votre avis sur le compte rendu financier est enregistré.",
    "decided": "La décision est enregistrée.",
    "payment_ordered": "Le versement est ordonnancé.",
    "payment_paid": "Le versement est marqué payé.",
    "corrected": "La décision est corrigée : elle remplace la précédente.",
    "deferred_absent": "La part du financeur absent est reportée.",
    "conflict_declared": "Votre conflit d'intérêts est enregistré : vous ne prenez pas part à "
    "la décision sur ce dossier.",
    "conflict_recorded": "Le conflit d'intérêts est enregistré : ce membre ne prend pas part "
    "à la décision sur ce dossier.",
    "session_moved": "La séance est modifiée ; une fois convoquée, une convocation modifiée "
    "part aux membres.",
    "documents_requested": "Les pièces complémentaires sont demandées au porteur.",
    "overridden": "Le dossier est déclaré recevable.",
    "call_created": "L'appel à projets est créé.",
    "call_moved": "L'état de l'appel à projets a changé.",
    "session_created": "La séance est créée.",
    "agenda": "L'ordre du jour est enregistré.",
    "convened": "La séance est convoquée : les convocations sont produites et envoyées.",
    "opened": "La séance est ouverte.",
    "attendance": "Les présences sont enregistrées.",
    "closed": "La séance est close et ses décisions arrêtées : les lettres et le procès-verbal "
    "sont produits dans la foulée.",
    "cancelled": "La séance est annulée.",
    "funder_created": "Le financeur est créé.",
    "user_created": "Le compte est créé.",
    "user_saved": "Le compte est modifié.",
    "user_deactivated": "Le compte est désactivé : ses sessions sont fermées.",
    "user_reactivated": "Le compte est réactivé.",
    "reset_sent": "Un courriel avec un lien pour choisir un nouveau mot de passe est envoyé.",
    "funder_saved": "Le financeur est modifié.",
    "funder_deactivated": "Le financeur est désactivé : il n'est plus proposé aux nouveaux appels.",
    "funder_reactivated": "Le financeur est réactivé.",
    "call_saved": "L'appel à projets est modifié.",
    "password_changed": "Votre mot de passe est changé : connectez-vous avec le nouveau.",
    "retried": "L'envoi est relancé : il repart avec le prochain passage de la file.",
    "logged_out": "Vous êtes déconnecté.",
}
