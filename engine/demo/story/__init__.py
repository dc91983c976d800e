"""The demo's history, played through the services at the dates it happened (engine.clock.at).

Relative to today: a Reaap call of last season whose session was held two months ago (decisions,
letters, minutes, emails sent), and today a Reaap call and a Clas call open for submissions, with
files in every state and a session planned after the Reaap deadline.
Last, an earlier call of the year, decided five months ago and followed to the last euro:
conventions, payments, final reports, settlements, a closed file (after_decision.py).
"""

from __future__ import annotations

from engine import clock
from engine.demo.people import ADMIN
from engine.demo.story.after_decision import AfterDecision
from engine.demo.story.bodies import application, budget, money
from engine.demo.story.current import CurrentSeason
from engine.demo.story.dates import civil_period, school_period
from engine.demo.story.past import PastSeason
from engine.demo.story.steps import DemoStateError

__all__ = [
    "DemoStateError",
    "Story",
    "application",
    "budget",
    "civil_period",
    "money",
    "school_period",
]


class Story(PastSeason, CurrentSeason, AfterDecision):
    """The whole demo history: people, last season, this season, the emails sent."""

    # -- the story -------------------------------------------------------------------------

    def play(self) -> None:
        self.people()
        self.past_reaap()
        self.current_reaap()
        self.current_clas()
        self.after_decision()
        self.dispatch(self.moment(-1, 18))
        # Last: the administrator's account marks the demo as completely loaded.
        with clock.at(self.moment(-1, 18)):
            self._user(ADMIN)
