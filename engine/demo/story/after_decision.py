"""The life after the decision (DESIGN §10): an earlier Reaap call whose files, decided in
session five months ago, show every stage — conventions awaiting signature (a Caf grant cumulated
over two files of one organisation above the threshold), one signed by the holder awaiting
countersignature, advances ordered and paid, a final report submitted and one handed back, a
settlement with balances, one with recoveries, and a closed file.

Played last in the story (after this season's submissions) so that nothing here changes the
rule results stored for the other files; dated months ago all the same.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from engine import clock
from engine.access import SYSTEM
from engine.demo.people import HOLDERS
from engine.demo.story.bodies import application
from engine.demo.story.dates import _weekday, civil_period
from engine.demo.story.facts import LOCATION, REAAP_FACTS
from engine.demo.story.steps import DemoStateError, Steps
from engine.models import Funder, Payment
from engine.services.agreement_signing import convention_file, sign_agreement
from engine.services.agreements import agreements_of
from engine.services.attendance import AttendeeInput, record_attendance
from engine.services.calls import close_call
from engine.services.final_reports import review_report, save_report, submit_report
from engine.services.payments import order_payment, pay_payment, payments_of
from engine.services.production import run_production
from engine.services.report_figures import Figures, Line
from engine.services.report_reviews import Review
from engine.services.sessions import (
    close_session,
    convene_session,
    create_session,
    open_session,
    record_decision,
    set_agenda,
)

# key: (holder, title, total cost, other resources, grants per funder). The Centre social
# Village Sud's two Caf grants (14 000 + 10 000 €) are each below 23 000 € but not together.
FILES = {
    "programme": (
        "village_sud",
        "Programme annuel de soutien à la parentalité",
        "22000",
        "6000",
        {"caf": "14000", "departement": "2000"},
    ),
    "laep": (
        "village_sud",
        "Lieu d'accueil enfants-parents « La Passerelle »",
        "14000",
        "4000",
        {"caf": "10000"},
    ),
    "submitted": (
        "vienne",
        "Café des familles d'Estressin",
        "4000",
        "1200",
        {"caf": "2000", "departement": "800"},
    ),
    "revision": (
        "vienne",
        "Ateliers « Parents et numérique »",
        "3000",
        "1000",
        {"caf": "1500", "departement": "500"},
    ),
    "balance": (
        "voiron",
        "Week-ends familles à la montagne",
        "7000",
        "2000",
        {"caf": "4000", "departement": "1000"},
    ),
    "recovery": (
        "chemin",
        "Soirées jeux en famille",
        "5000",
        "2000",
        {"caf": "2000", "departement": "1000"},
    ),
}
# key: (actual total cost, actual other resources); the settlement reads both (DESIGN §10).
ACTUALS = {
    "submitted": ("3900.00", "1200.00"),
    "revision": ("2600.00", "1000.00"),
    "balance": ("6650.00", "2000.00"),  # excess 350 €: balances of 920 € and 230 €
    "recovery": ("3000.00", "2000.00"),  # excess 2 000 €: more was advanced than is due
}
# The call's funders are the Caf and the Département: all their members sit.
ATTENDANCE = (
    AttendeeInput("caf", "present"),
    AttendeeInput("caf-direction", "present"),
    AttendeeInput("departement", "present"),
)
REVISION_REASON = (
    "Les charges de personnel ne sont pas détaillées : merci de joindre le décompte des heures "
    "d'animation."
)


class AfterDecision(Steps):
    """Agreements, payments, final reports and settlements of a call decided months ago."""

    def after_decision(self) -> None:
        files = self._decided_files()
        self._agreements(files)
        self._advances(files)
        self._reports(files)
        self._settlements(files)

    # -- the call and its session ------------------------------------------------------------

    def _decided_files(self) -> dict[str, int]:
        held = _weekday(self.day(-150))
        held_in = (held - self.day(0)).days
        period = civil_period(held)
        call_id = self.call(
            "reaap",
            f"Reaap {period[0].year} — premier appel à projets",
            -190,
            self.moment(-165, 23, 59),
            {"caf": "100000", "departement": "20000"},
        )
        files: dict[str, int] = {}
        for offset, (key, (holder, title, total, other, grants)) in enumerate(FILES.items()):
            files[key] = self.file(
                holder,
                call_id,
                title,
                application(HOLDERS[holder], period, REAAP_FACTS, total, other, grants),
                created=-188 + offset,
                submitted=-180 + offset,
                expect="eligible",
            )
        with clock.at(self.moment(-165, 23, 59) + timedelta(minutes=1)):
            close_call(self.db, SYSTEM, call_id)
        chair = self.actors["chair"]
        with clock.at(self.moment(-164, 10)):
            meeting = create_session(
                self.db,
                chair,
                call_id,
                f"Comité des financeurs Reaap — séance du {held:%d/%m/%Y}",
                self.moment(held_in, 14),
                LOCATION,
            )
            assert meeting.id is not None
            session_id = meeting.id
            set_agenda(self.db, chair, session_id, list(files.values()))
            convene_session(self.db, chair, session_id, self.settings, produce=False)
            run_production(self.db, self.settings)
        self.dispatch(self.moment(-164, 11))
        with clock.at(self.moment(held_in, 13, 55)):
            record_attendance(self.db, chair, session_id, list(ATTENDANCE))
        with clock.at(self.moment(held_in, 14)):
            open_session(self.db, chair, session_id)
        minute = 0
        for key, (_, _, _, _, grants) in FILES.items():
            for funder, amount in grants.items():
                minute += 3
                with clock.at(self.moment(held_in, 14) + timedelta(minutes=minute)):
                    record_decision(
                        self.db,
                        self.actors[funder],
                        session_id,
                        files[key],
                        funder,
                        "granted",
                        Decimal(amount),
                        None,
                    )
        with clock.at(self.moment(held_in, 16, 30)):
            close_session(self.db, chair, session_id, self.settings, produce=False)
            run_production(self.db, self.settings)  # the letters notify the files
        self.dispatch(self.moment(held_in, 17))
        return files

    # -- agreements and payments -------------------------------------------------------------

    def _agreements(self, files: dict[str, int]) -> None:
        """The Centre social returns one convention signed; the other still awaits it."""
        with self.db.reading() as session:
            conventions = [
                a for a in agreements_of(session, files["laep"]) if a.kind == "convention"
            ]
        if not conventions or conventions[0].id is None:
            raise DemoStateError("the demo's cumulated Caf grants opened no convention")
        holder = self.holder_actor("village_sud")
        # The copy returned stands for the convention printed, signed and scanned.
        drawn_up = convention_file(self.db, holder, conventions[0].id, signed=False)
        with clock.at(self.moment(-120, 15)):
            sign_agreement(
                self.db,
                holder,
                conventions[0].id,
                "convention-signee.pdf",
                BytesIO(drawn_up),
                self.settings,
            )

    def _advances(self, files: dict[str, int]) -> None:
        """Each funder orders its advances with an accounting reference, then pays them; the
        Département's advance on the programme is ordered, not paid yet."""
        for key in ("submitted", "revision", "balance", "recovery"):
            for payment in self._payments(files[key], "advance"):
                self._order_and_pay(payment, -130, -125)
        for payment in self._payments(files["programme"], "advance"):
            self._order_and_pay(payment, -10, None)

    def _payments(self, app_id: int, kind: str) -> list[Payment]:
        with self.db.reading() as session:
            return [p for p in payments_of(session, app_id) if p.kind == kind]

    def _order_and_pay(self, payment: Payment, ordered: int, paid: int | None) -> None:
        """Order (a payment order, or for a recovery a "titre de recette"), then mark paid."""
        assert payment.id is not None
        with self.db.reading() as session:
            funder = session.get(Funder, payment.funder_id)
        assert funder is not None
        # The demo's funders' members are named after their funder (engine/demo/people.py).
        member = self.actors[funder.code]
        year = self.day(ordered).year
        with clock.at(self.moment(ordered, 11)):
            prefix = "TR" if payment.kind == "recovery" else "MAND"
            order_payment(self.db, member, payment.id, f"{prefix}-{year}-{payment.id:05d}")
        if paid is None:
            return
        with clock.at(self.moment(paid, 11)):
            pay_payment(self.db, member, payment.id, self.day(paid))

    # -- final reports and settlements -------------------------------------------------------

    def _reports(self, files: dict[str, int]) -> None:
        for offset, (key, (total, other)) in enumerate(ACTUALS.items()):
            holder, _, forecast_total, _, _ = FILES[key]
            actor = self.holder_actor(holder)
            figures = Figures(
                actual_total_cost=Decimal(total),
                actual_other_resources=Decimal(other),
                lines=[
                    Line("Dépenses de l'action", "charge", Decimal(forecast_total), Decimal(total))
                ],
                activity={"parents": 24 + offset, "children": 18, "sessions": 12},
                narrative="Action menée comme prévu ; le bilan qualitatif est joint.",
            )
            with clock.at(self.moment(-40 + offset, 10)):
                save_report(self.db, actor, files[key], figures)
                submit_report(self.db, actor, files[key])
        with clock.at(self.moment(-30, 15)):
            review_report(
                self.db,
                self.actors["caf"],
                files["revision"],
                Review("caf", "revision", REVISION_REASON),
            )

    def _settlements(self, files: dict[str, int]) -> None:
        """Both funders approve: the last approval settles the file (balances or recoveries);
        the recoveries received, nothing is left to pay and the file closes."""
        for key in ("balance", "recovery"):
            for hour, funder in enumerate(("departement", "caf"), start=10):
                with clock.at(self.moment(-25, hour)):
                    review_report(
                        self.db, self.actors[funder], files[key], Review(funder, "approved")
                    )
        for payment in self._payments(files["recovery"], "recovery"):
            self._order_and_pay(payment, -20, -10)
