"""The demo's past season: a Reaap call examined in session and notified."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from engine import clock
from engine.access import SYSTEM
from engine.demo.people import HOLDERS
from engine.demo.story.bodies import application
from engine.demo.story.dates import SEASONS, _weekday, civil_period
from engine.demo.story.facts import LOCATION, REAAP_FACTS
from engine.demo.story.governance import PastGovernance
from engine.services.calls import close_call
from engine.services.final_reports import save_report, submit_report
from engine.services.production import run_production
from engine.services.report_figures import Figures, Line
from engine.services.sessions import (
    close_session,
    convene_session,
    create_session,
    open_session,
    record_decision,
    set_agenda,
)


class PastSeason(PastGovernance):
    """Last season's chapter of the story."""

    def past_reaap(self) -> None:
        """Last season's call: submitted, examined in session two months ago, notified."""
        held = _weekday(self.day(-60))
        held_in = (held - self.day(0)).days
        start = held.replace(day=1)
        period = civil_period(start) if start.month == 12 else (start, date(start.year, 12, 15))
        call_id = self.call(
            "reaap",
            f"Reaap {period[0].year} — appel à projets {SEASONS[held.month]}",
            -120,
            self.moment(-75, 23, 59),
            {"caf": "95000", "departement": "30000", "msa": "8000", "grenoble": "12000"},
        )
        cafe = self.file(
            "chemin",
            call_id,
            "Café des parents du quartier de l'Abbaye",
            application(
                HOLDERS["chemin"],
                period,
                REAAP_FACTS,
                "6000",
                "1500",
                {"caf": "3000", "departement": "1000", "grenoble": "500"},
            ),
            created=-104,
            submitted=-100,
            expect="eligible",
        )
        ateliers = self.file(
            "voiron",
            call_id,
            "Ateliers parents-enfants « Grandir ensemble »",
            application(
                HOLDERS["voiron"],
                period,
                {**REAAP_FACTS, "modality": "parent_child_activity", "fee_per_session": "2.00"},
                "10000",
                "2000",
                {"caf": "6000", "departement": "1500", "msa": "500"},
            ),
            created=-95,
            submitted=-90,
            expect="eligible",
        )
        consultations = self.file(
            "vienne",
            call_id,
            "Consultations individuelles de soutien psychologique aux parents",
            application(
                HOLDERS["vienne"],
                period,
                {**REAAP_FACTS, "modality": "individual", "therapeutic": True},
                "8000",
                "2000",
                {"caf": "4000", "departement": "2000"},
            ),
            created=-88,
            submitted=-85,
            expect="ineligible",
        )
        self.propose("grenoble", cafe, "grenoble", "500", "Action au cœur du quartier.", -80)
        with clock.at(self.moment(-75, 23, 59) + timedelta(minutes=1)):
            close_call(self.db, SYSTEM, call_id)
        chair = self.actors["chair"]
        with clock.at(self.moment(-74, 10)):
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
            set_agenda(self.db, chair, session_id, [cafe, ateliers, consultations])
            convene_session(self.db, chair, session_id, self.settings, produce=False)
            run_production(self.db, self.settings)  # the convocations, dated as convened
        self.dispatch(self.moment(-74, 11))
        files = {"cafe": cafe, "ateliers": ateliers}
        self.past_opinions(files, -70)
        self.past_attendance(session_id, files, held_in)
        with clock.at(self.moment(held_in, 14)):
            open_session(self.db, chair, session_id)
        # The Ville de Grenoble, represented, decides through its proxy (the Département's
        # member); Marc Lefèvre being excused, the Caf's member present decides both files.
        decisions = (
            ("caf", cafe, "caf", "granted", "3000", None),
            ("departement", cafe, "departement", "granted", "1000", None),
            ("departement", cafe, "grenoble", "granted", "500", "Mention du soutien de la Ville."),
            (
                "caf",
                ateliers,
                "caf",
                "granted",
                "5000",
                "Bilan qualitatif à transmettre avant le 31 janvier.",
            ),
            ("departement", ateliers, "departement", "granted", "1500", None),
            ("msa", ateliers, "msa", "refused", None, "Action hors des territoires ruraux."),
        )
        for minute, (username, app_id, funder, outcome, amount, conditions) in enumerate(decisions):
            with clock.at(self.moment(held_in, 14, 10 + 5 * minute)):
                record_decision(
                    self.db,
                    self.actors[username],
                    session_id,
                    app_id,
                    funder,
                    outcome,
                    None if amount is None else Decimal(amount),
                    conditions,
                )
        with clock.at(self.moment(held_in, 16, 30)):
            close_session(self.db, chair, session_id, self.settings, produce=False)
            run_production(self.db, self.settings)  # letters and minutes, dated as closed
        self.dispatch(self.moment(held_in, 17))
        self.past_reports(cafe, ateliers)

    def past_reports(self, cafe: int, ateliers: int) -> None:
        """Both holders file their final report early: this season's renewals are checked
        against them (rule G4 from the record, engine/services/renewal.py)."""
        cost = (
            ("Animation des rencontres", "4500.00", "4400.00"),
            ("Locaux et goûters", "1500.00", "1600.00"),
        )
        self.past_report("chemin", cafe, "6000.00", "1500.00", cost, (42, 30, 18))
        cost = (
            ("Intervenants des ateliers", "7000.00", "6800.00"),
            ("Matériel et sorties", "3000.00", "2700.00"),
        )
        self.past_report("voiron", ateliers, "9500.00", "2000.00", cost, (35, 40, 22))

    def past_report(
        self,
        holder: str,
        app_id: int,
        total: str,
        other: str,
        charges: tuple[tuple[str, str, str], ...],
        activity: tuple[int, int, int],
    ) -> None:
        figures = Figures(
            actual_total_cost=Decimal(total),
            actual_other_resources=Decimal(other),
            lines=[Line(label, "charge", Decimal(f), Decimal(a)) for label, f, a in charges],
            activity=dict(zip(("parents", "children", "sessions"), activity, strict=True)),
            narrative="Action menée comme prévu ; le bilan qualitatif est joint.",
        )
        actor = self.holder_actor(holder)
        with clock.at(self.moment(-20, 10)):
            save_report(self.db, actor, app_id, figures)
            submit_report(self.db, actor, app_id)
