"""Reminders are sweeps over due dates on Paris clocks: sent once when due, the nearest step only
after an outage, never twice even when two sweeps race, right across daylight-saving changes."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from engine.clock import at
from engine.db import Database
from engine.models import Application, OutboxMessage
from engine.rulebook import default_registry
from engine.services import applications
from engine.services.reminders import (
    add_months,
    days_before,
    remind_convocations,
    remind_draft_deadlines,
    remind_final_reports,
    remind_undecided_shares,
)
from engine.services.report_figures import due_date
from engine.settings import Settings
from tests.engine.notify.world import World

PARIS = ZoneInfo("Europe/Paris")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def sweep_at(moment: datetime, sweep, db: Database, settings: Settings) -> int:  # type: ignore[no-untyped-def]
    with at(moment):
        return int(sweep(db, settings))


def test_drafts_are_reminded_7_days_then_1_day_before_the_deadline_across_the_spring_dst_change(
    world: World, settings: Settings, db: Database
) -> None:
    # Tuesday 31 March 2026 at noon in Paris (summer time since Sunday 29 March) = 10:00 UTC.
    deadline = datetime(2026, 3, 31, 12, 0, tzinfo=PARIS)
    call_id = world.call(deadline)
    draft = world.draft(call_id, "Café des parents")
    submitted = world.draft(call_id, "Ludothèque")
    with at(utc(2026, 3, 2, 9)):
        world.submit(submitted)

    # 7 days before on Paris clocks: 24 March at noon, winter time = 11:00 UTC (167 h before:
    # 168 h would be 10:00 UTC, an hour early).
    assert days_before(deadline, 7) == utc(2026, 3, 24, 11)
    assert sweep_at(utc(2026, 3, 24, 10, 59), remind_draft_deadlines, db, settings) == 0
    assert sweep_at(utc(2026, 3, 24, 11, 0), remind_draft_deadlines, db, settings) == 1
    assert sweep_at(utc(2026, 3, 24, 11, 1), remind_draft_deadlines, db, settings) == 0
    (first,) = world.outbox("draft_reminder")
    assert first.application_id == draft and first.recipient == "asso@example.org"
    assert "31 mars 2026 à 12 h 00" in first.body_text and "dans 7 jours" in first.body_text

    # 1 day before: 30 March at noon, summer time = 10:00 UTC.
    assert sweep_at(utc(2026, 3, 30, 9, 59), remind_draft_deadlines, db, settings) == 0
    assert sweep_at(utc(2026, 3, 30, 10, 0), remind_draft_deadlines, db, settings) == 1
    assert sweep_at(utc(2026, 3, 31, 9, 59), remind_draft_deadlines, db, settings) == 0
    assert sweep_at(utc(2026, 3, 31, 10, 0), remind_draft_deadlines, db, settings) == 0  # closed
    reminders = world.outbox("draft_reminder")
    assert [r.application_id for r in reminders] == [draft, draft]
    assert "dans un jour" in reminders[1].body_text


def test_the_1_day_reminder_keeps_the_paris_hour_across_the_autumn_dst_change(
    world: World, settings: Settings, db: Database
) -> None:
    settings.reminder_draft_days = [1]
    # Monday 26 October 2026 at 00:30 in Paris, winter time since Sunday 25 October = 23:30 UTC.
    deadline = datetime(2026, 10, 26, 0, 30, tzinfo=PARIS)
    world.draft(world.call(deadline))
    # The day before at 00:30 was still summer time: 24 October 22:30 UTC (25 h before).
    assert sweep_at(utc(2026, 10, 24, 22, 29), remind_draft_deadlines, db, settings) == 0
    assert sweep_at(utc(2026, 10, 24, 22, 30), remind_draft_deadlines, db, settings) == 1
    (reminder,) = world.outbox("draft_reminder")
    assert "26 octobre 2026 à 0 h 30" in reminder.body_text


def test_after_an_outage_only_the_nearest_reminder_goes_out_once(
    world: World, settings: Settings, db: Database
) -> None:
    deadline = datetime(2026, 6, 15, 18, 0, tzinfo=PARIS)
    world.draft(world.call(deadline))
    # Down from before the 7-day mark until after the 1-day mark: one reminder, "one day left".
    for hour in (0, 1, 2):
        sweep_at(utc(2026, 6, 14, 20, hour), remind_draft_deadlines, db, settings)
    (reminder,) = world.outbox("draft_reminder")
    assert "dans un jour" in reminder.body_text


def test_two_sweeps_racing_send_a_reminder_once(
    world: World, settings: Settings, db: Database
) -> None:
    deadline = datetime(2026, 6, 15, 18, 0, tzinfo=PARIS)
    call_id = world.call(deadline)
    for index in range(3):
        world.draft(call_id, f"Dossier {index}")
    barrier = threading.Barrier(4)
    results: list[int] = []

    def sweep() -> None:
        barrier.wait()
        results.append(sweep_at(utc(2026, 6, 9, 12), remind_draft_deadlines, db, settings))

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(results) == 3
    assert len(world.outbox("draft_reminder")) == 3


def test_a_convened_session_is_recalled_with_the_pdf_and_a_planned_one_is_flagged_to_the_chair(
    world: World, settings: Settings, db: Database
) -> None:
    moment = datetime.now(UTC)
    call_id = world.call(moment + timedelta(days=10), opens_at=moment - timedelta(days=10))
    starts = moment + timedelta(days=30)
    early = world.session(call_id, starts, [world.eligible(call_id, "A")])
    world.convene(early)  # 30 days ahead: the reminder goes out 8 days before
    original = {r.recipient: r.attachments for r in world.outbox("convocation")}
    planned = world.session(call_id, starts + timedelta(hours=2), [world.eligible(call_id, "B")])
    late = world.session(call_id, starts + timedelta(hours=4), [world.eligible(call_id, "C")])
    with at(days_before(starts, 7) - timedelta(hours=1)):
        world.convene(late)  # convened within the 8 days: its convocations have just gone out
    convocations = len(world.outbox("convocation"))

    before = days_before(starts, 8) - timedelta(minutes=1)
    assert sweep_at(before, remind_convocations, db, settings) == 0
    after = starts - timedelta(days=7)
    assert sweep_at(after, remind_convocations, db, settings) == 2
    assert sweep_at(after + timedelta(hours=1), remind_convocations, db, settings) == 0

    recalls = world.outbox("convocation_reminder")
    assert {r.recipient for r in recalls} >= {"chair@example.org", "caf1@example.org"}
    assert all(r.attachments and r.attachments == original[r.recipient] for r in recalls)
    assert all("Pour rappel" in r.body_text for r in recalls)
    (flag,) = world.outbox("session_not_convened")
    assert flag.recipient == "chair@example.org" and "pas encore convoquée" in flag.body_text
    assert "8 jours avant la séance" in flag.body_text
    assert len(world.outbox("convocation")) == convocations  # nobody convened in the chair's place
    del planned


def test_funders_with_undecided_shares_are_reminded_3_days_before_the_session(
    world: World, settings: Settings, db: Database
) -> None:
    moment = datetime.now(UTC)
    call_id = world.call(moment + timedelta(days=10), opens_at=moment - timedelta(days=10))
    application_id = world.eligible(call_id)
    starts = moment + timedelta(days=20)
    world.session(call_id, starts, [application_id])

    early = starts - timedelta(days=3, minutes=1)
    assert sweep_at(early, remind_undecided_shares, db, settings) == 0
    assert sweep_at(starts - timedelta(days=3), remind_undecided_shares, db, settings) == 3
    assert sweep_at(starts - timedelta(days=1), remind_undecided_shares, db, settings) == 0
    rows = world.outbox("undecided_shares")
    assert {r.recipient for r in rows} == {
        f"{who}@example.org" for who in ("caf1", "caf", "dep1", "departement", "msa1", "msa")
    }
    caf = next(r for r in rows if r.recipient == "caf1@example.org")
    assert "REAAP-" in caf.body_text and "demandé 3 000,00 €" in plain(caf.body_text)
    assert isinstance(caf, OutboxMessage)


def test_holders_are_reminded_of_the_final_report_due_months_after_the_end_of_the_action(
    world: World, settings: Settings, db: Database
) -> None:
    application_id, _ = world.decided()  # action ends 15 December 2027, caf and departement grant
    # Due 6 months later (parameter report.delay_months): 15 June 2028; reminded 30 and 7 days
    # before at 08:00 in Paris (summer time: 06:00 UTC).
    assert sweep_at(utc(2028, 5, 16, 5, 59), remind_final_reports, db, settings) == 0
    assert sweep_at(utc(2028, 5, 16, 6, 0), remind_final_reports, db, settings) == 1
    assert sweep_at(utc(2028, 5, 20), remind_final_reports, db, settings) == 0
    assert sweep_at(utc(2028, 6, 8, 6, 0), remind_final_reports, db, settings) == 1
    assert sweep_at(utc(2028, 6, 16), remind_final_reports, db, settings) == 0
    first, second = world.outbox("final_report_due")
    assert "15 juin 2028" in second.body_text
    assert first.application_id == application_id and first.recipient == "asso@example.org"
    text = plain(first.body_text)
    assert "15 juin 2028" in text and "dans les 6 mois" in text and "CERFA n° 15059" in text
    assert "Caf de l'Isère : 3 000,00 €" in text and "MSA" not in text  # refused: no report


def test_the_final_report_delay_is_the_dated_parameter_the_report_itself_uses(
    world: World, settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id, _ = world.decided()  # action ends 15 December 2027
    # A deployment shortens the delay to 3 months for actions ending from 1 December 2027.
    parameters = default_registry().parameters
    delay = parameters["report.delay_months"]
    shorter = replace(
        delay,
        starts=(*delay.starts, date(2027, 12, 1)),
        values=(*delay.values, Decimal(3)),
        sources=(),
    )
    monkeypatch.setitem(parameters, "report.delay_months", shorter)
    settings.final_report_reminder_days = [7]
    assert sweep_at(utc(2028, 3, 8, 7, 0), remind_final_reports, db, settings) == 1  # CET: 08:00
    (reminder,) = world.outbox("final_report_due")
    assert "15 mars 2028" in reminder.body_text and "dans les 3 mois" in reminder.body_text
    # The report, once opened, is due the day its reminders announced.
    with db.reading() as session:
        application = session.get(Application, application_id)
        assert application is not None
        assert due_date(application) == date(2028, 3, 15)


def test_months_are_added_on_the_calendar() -> None:
    from datetime import date

    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2027, 12, 15), 6) == date(2028, 6, 15)
    assert add_months(date(2027, 7, 31), 6) == date(2028, 1, 31)


def test_nothing_is_reminded_for_a_withdrawn_draft(
    world: World, settings: Settings, db: Database
) -> None:
    deadline = datetime(2026, 6, 15, 18, 0, tzinfo=PARIS)
    draft = world.draft(world.call(deadline))
    applications.withdraw_application(db, world.actor("asso"), draft)
    assert sweep_at(utc(2026, 6, 14, 20), remind_draft_deadlines, db, settings) == 0
