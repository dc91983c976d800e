"""The demo's past session as a public act (DESIGN §12): the members' opinions before it, the
attendance the chair records at the opening (present, excused, represented by a proxy) and a
conflict of interest declared, so that its minutes show all three."""

from __future__ import annotations

from engine import clock
from engine.demo.story.steps import Steps
from engine.services.attendance import AttendeeInput, record_attendance
from engine.services.conflicts import declare_conflict
from engine.services.opinions import give_opinion

# (member, file key, funder, opinion, comment), given between the convocation and the session.
OPINIONS = (
    (
        "departement",
        "cafe",
        "departement",
        "favourable",
        "Action ancrée dans le quartier, budget raisonnable.",
    ),
    ("grenoble", "cafe", "grenoble", "favourable", None),
    (
        "caf",
        "ateliers",
        "caf",
        "reserved",
        "Le tarif de 2 € par séance doit rester accessible aux familles modestes.",
    ),
    ("msa", "ateliers", "msa", "unfavourable", "Action hors des territoires ruraux."),
)
# Marc Lefèvre is excused; Camille Fournier (Ville de Grenoble) is represented by Isabelle Roux
# (Département), who decides the Ville's share as her proxy.
ATTENDANCE = (
    AttendeeInput("caf", "present"),
    AttendeeInput("caf-direction", "excused"),
    AttendeeInput("departement", "present"),
    AttendeeInput("msa", "present"),
    AttendeeInput("grenoble", "represented", "departement"),
)
# A member sitting on the holder's board takes no part in that file (the MSA is not asked by
# it: the recusal changes no decision of the story).
RECUSAL = (
    "msa",
    "cafe",
    "Membre du conseil d'administration de l'association Parents en Chemin.",
)


class PastGovernance(Steps):
    """Opinions, attendance and a recusal for the past session."""

    def past_opinions(self, files: dict[str, int], days: int) -> None:
        """The members' opinions, `days` from today (after the convocations went out)."""
        for hour, (user, key, funder, opinion, comment) in enumerate(OPINIONS, start=9):
            with clock.at(self.moment(days, hour)):
                give_opinion(self.db, self.actors[user], files[key], funder, opinion, comment)

    def past_attendance(self, session_id: int, files: dict[str, int], days: int) -> None:
        """At the opening: the recusal declared by the member, the attendance recorded."""
        user, key, reason = RECUSAL
        with clock.at(self.moment(days, 13, 50)):
            declare_conflict(self.db, self.actors[user], session_id, files[key], user, reason)
        with clock.at(self.moment(days, 13, 55)):
            record_attendance(self.db, self.actors["chair"], session_id, list(ATTENDANCE))
