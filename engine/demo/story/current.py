"""The demo's current season: a Reaap call and a Clas call open for submissions."""

from __future__ import annotations

from datetime import timedelta

from engine import clock
from engine.demo.people import HOLDERS
from engine.demo.story.bodies import application
from engine.demo.story.dates import _weekday, civil_period, school_period
from engine.demo.story.facts import BASIC_DOCUMENTS, CLAS_FACTS, LOCATION, REAAP_FACTS
from engine.demo.story.steps import Steps
from engine.services.applications import withdraw_application
from engine.services.sessions import create_session, set_agenda


class CurrentSeason(Steps):
    """This season's chapters of the story."""

    def current_reaap(self) -> None:
        """This season's Reaap call, open: files in every state, a session planned."""
        closes_at = self.moment(40, 23, 59)
        period = civil_period(self.day(54))
        call_id = self.call(
            "reaap",
            f"Reaap {period[0].year} — appel à projets",
            -21,
            closes_at,
            {"caf": "290000", "departement": "60000", "msa": "15000", "grenoble": "25000"},
        )
        cafe = self.file(
            "chemin",
            call_id,
            f"Café des parents de l'Abbaye — saison {period[0].year}",
            application(
                HOLDERS["chemin"],
                period,
                REAAP_FACTS,
                "6800",
                "2000",
                {"caf": "3200", "departement": "1000", "grenoble": "600"},
                renewal=True,
                report=True,
            ),
            created=-18,
            submitted=-16,
            expect="eligible",
        )
        parole = self.file(
            "village_sud",
            call_id,
            "Groupe de parole « Parents d'ados »",
            application(
                HOLDERS["village_sud"],
                period,
                REAAP_FACTS,
                "4200",
                "700",
                {"caf": "2500", "departement": "700", "msa": "300"},
            ),
            created=-15,
            submitted=-14,
            expect="eligible",
        )
        self.file(
            "voiron",
            call_id,
            "Sorties familles et ateliers cuisine parents-enfants",
            application(
                HOLDERS["voiron"],
                period,
                {**REAAP_FACTS, "modality": "parent_child_activity", "fee_per_session": "3.00"},
                "7400",
                "1400",
                {"caf": "4500", "departement": "1500"},
            ),
            created=-9,
            submitted=-6,
            expect="eligible",
        )
        self.file(
            "vienne",
            call_id,
            "Conférences-débats « Être parent à l'ère des écrans »",
            application(
                HOLDERS["vienne"],
                period,
                {**REAAP_FACTS, "modality": "conference_debate"},
                "3000",
                "600",
                {"caf": "1800", "departement": "600"},
            ),
            created=-8,
            documents=BASIC_DOCUMENTS,
            submitted=-7,
            expect="incomplete",
        )
        self.file(
            "village_sud",
            call_id,
            "Ateliers de relaxation parents-bébés",
            application(
                HOLDERS["village_sud"],
                period,
                {**REAAP_FACTS, "modality": "parent_child_activity", "fee_per_session": "12.00"},
                "5200",
                "2200",
                {"caf": "3000"},
            ),
            created=-6,
            submitted=-5,
            expect="ineligible",
        )
        ludotheque = self.file(
            "chemin",
            call_id,
            "Ludothèque itinérante dans les parcs",
            application(
                HOLDERS["chemin"],
                period,
                {**REAAP_FACTS, "modality": "parent_child_activity"},
                "5000",
                "1000",
                {"caf": "3000", "grenoble": "1000"},
            ),
            created=-12,
            submitted=-11,
            expect="eligible",
        )
        with clock.at(self.moment(-3, 9, 30)):
            withdraw_application(
                self.db,
                self.holder_actor("chemin"),
                ludotheque,
                "Action reportée : l'animatrice quitte l'association au printemps.",
            )
        self.propose("grenoble", cafe, "grenoble", "600", "Reconduction à l'identique.", -4)
        self.propose("msa", parole, "msa", "300", "Familles des communes rurales du sud.", -3)
        held = _weekday(closes_at.date() + timedelta(days=20))
        chair = self.actors["chair"]
        with clock.at(self.moment(-2, 10)):
            meeting = create_session(
                self.db,
                chair,
                call_id,
                f"Comité des financeurs Reaap — séance du {held:%d/%m/%Y}",
                self.moment((held - self.day(0)).days, 14),
                LOCATION,
            )
            assert meeting.id is not None
            set_agenda(self.db, chair, meeting.id, [cafe, parole])

    def current_clas(self) -> None:
        """The Clas call of the school year, open: one file submitted, one still a draft."""
        closes_at = self.moment(40, 23, 59)
        period = school_period(self.day(54))
        call_id = self.call(
            "clas",
            f"Clas {period[1].year - 1}-{period[1].year} — accompagnement à la scolarité",
            -14,
            closes_at,
            {"caf": "330000", "etat": "45000", "grenoble": "20000"},
        )
        self.file(
            "village_sud",
            call_id,
            "Accompagnement à la scolarité — écoles et collège du Village Sud",
            application(
                HOLDERS["village_sud"],
                period,
                {
                    **CLAS_FACTS,
                    "qpv": True,
                    "groups": [
                        {
                            "children": 10,
                            "intervenants": 2,
                            "cost": "8200.00",
                            "levels": ["CM1", "CM2"],
                        },
                        {
                            "children": 12,
                            "intervenants": 3,
                            "cost": "7800.00",
                            "levels": ["6e", "5e"],
                        },
                    ],
                },
                "16000",
                "8902",
                {"caf": "5098", "etat": "2000"},
            ),
            created=-10,
            submitted=-8,
            expect="eligible",
        )
        self.file(
            "chemin",
            call_id,
            "Coup de pouce collège — quartier de l'Abbaye",
            application(
                HOLDERS["chemin"],
                period,
                {
                    **CLAS_FACTS,
                    "groups": [
                        {
                            "children": 8,
                            "intervenants": 2,
                            "cost": "6500.00",
                            "levels": ["6e", "5e", "4e", "3e"],
                        },
                    ],
                },
                "6500",
                "3387.50",
                {"caf": "2112.50", "grenoble": "1000"},
            ),
            created=-2,
            documents=BASIC_DOCUMENTS,
        )
