"""The whole scale data set, in order: people, calls, sessions, applications."""

from __future__ import annotations

from datetime import date, timedelta

from engine import clock
from engine.demo.scale.files import FileRows
from engine.demo.scale.plan import ScaleSummary
from engine.demo.scale.pool import Pool
from engine.demo.scale.records import _chunks, _paris, _Session, _weighted
from engine.demo.scale.templates import CURRENT_STATES, PAST_CAMPAIGNS, PAST_STATES, SCHEME_WEIGHTS


class Generator(FileRows):
    """Writes the data set described by its plan through a `Writer`."""

    def run(self, password_hash: str) -> ScaleSummary:
        people = self.people(password_hash)
        calls, current = self.calls(people.funders)
        codes = {config.kind: code for code, config in self.configs.items()}
        days = self.submission_days(current)
        pool = Pool(days, self.configs, codes, self.department, self.w.shared)
        plan = self.plan
        past = round(plan.applications * 0.8)
        schemes = _weighted(self.rng, SCHEME_WEIGHTS, plan.applications)
        states = _weighted(self.rng, PAST_STATES, past)
        states += _weighted(self.rng, CURRENT_STATES, plan.applications - past)
        campaigns = [
            current - 1 - (index % PAST_CAMPAIGNS) if index < past else current
            for index in range(plan.applications)
        ]
        # Files examined in a session, grouped by call: sessions of `agenda_size` files.
        in_session: dict[tuple[str, int], list[int]] = {}
        for index in range(plan.applications):
            if states[index] in ("notified", "refused", "scheduled"):
                in_session.setdefault((schemes[index], campaigns[index]), []).append(index)
        meetings: dict[int, tuple[_Session, int]] = {}
        for (scheme, campaign), indexes in sorted(in_session.items()):
            call = calls[(scheme, campaign)]
            for number, chunk in enumerate(_chunks(indexes, plan.agenda_size), start=1):
                if call.open:
                    starts = _paris(clock.paris_date(self.today) + timedelta(days=30 + number), 14)
                    meeting = self.session(call, "planned", starts, number, people)
                    self.summary.planned_sessions.append(meeting.id)
                else:
                    day = date(campaign + 1, 1, 10) + timedelta(days=7 * number)
                    meeting = self.session(call, "closed", _paris(day, 14), number, people)
                    self.summary.closed_sessions.append(meeting.id)
                for position, index in enumerate(chunk):
                    meetings[index] = (meeting, position)
        for index in range(plan.applications):
            scheme, campaign, state = schemes[index], campaigns[index], states[index]
            status = {
                "refused": "ineligible",
                "incomplete": "incomplete",
                "ineligible": "ineligible",
            }.get(state, "eligible")
            variant = pool.pick(self.rng, scheme, campaign, status)
            holder = people.holders[index % len(people.holders)]
            slot = meetings.get(index)
            self.application(
                calls[(scheme, campaign)],
                variant,
                state,
                holder,
                people,
                slot[0] if slot else None,
                slot[1] if slot else 0,
            )
            self.w.maybe_flush()
        for index in range(plan.drafts):
            scheme = _weighted(self.rng, SCHEME_WEIGHTS, 1)[0]
            variant = pool.pick(self.rng, scheme, current, "eligible")
            holder = people.draft_holders[index % len(people.draft_holders)]
            aid = self.application(calls[(scheme, current)], variant, "draft", holder, people)
            self.summary.drafts.append(aid)
            self.w.maybe_flush()
        call = calls[("reaap", current)]
        for number in range(plan.ready_sessions):
            starts = _paris(clock.paris_date(self.today), 9)
            meeting = self.session(call, "open", starts, 100 + number, people)
            self.summary.ready_sessions.append(meeting.id)
            for position in range(plan.ready_size):
                status = "ineligible" if self.rng.random() < 0.05 else "eligible"
                variant = pool.pick(self.rng, "reaap", current, status)
                holder = people.holders[self.rng.randrange(len(people.holders))]
                self.application(call, variant, "scheduled", holder, people, meeting, position)
                self.w.maybe_flush()
        self.envelopes(calls, people.funders)
        self.w.finish()
        self.summary.rows = dict(self.w.counts)
        return self.summary
