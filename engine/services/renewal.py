"""Rule G4 from the record (DESIGN §10): a renewal needs the previous grant's final report.

When the organisation has an earlier application of the same scheme, notified with a granted
share and an action that ended before the new one starts, the facts `renewal` and
`previous_report_filed` come from the database (filed: that report was submitted at least
once, approved or not), and `previous_reference` names that application so that a failure can
say which report is missing. The declared facts count only when the record has no such
application.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from engine.access import Actor
from engine.clock import now, paris_date
from engine.db import Database
from engine.models import Application, Call, FinalReport, Share
from workflows.application import APPLICATION

NOTIFIED = APPLICATION.tagged("notified")  # notified, settled, closed


@dataclass(frozen=True)
class Previous:
    application: Application
    filed: bool

    def facts(self) -> dict[str, Any]:
        return {
            "renewal": True,
            "previous_report_filed": self.filed,
            "previous_reference": self.application.reference,
        }


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def previous_application(
    session: Session, organisation_id: int, scheme: str, starts: date, exclude: int | None = None
) -> Previous | None:
    """The organisation's latest application of `scheme` notified with a granted share whose
    action ended before `starts`, and whether its final report was filed."""
    query = (
        select(Application)
        .join(Call, col(Call.id) == col(Application.call_id))
        .where(
            Application.organisation_id == organisation_id,
            Call.scheme == scheme,
            col(Application.state).in_(NOTIFIED),
            Application.id != exclude,
        )
    )
    candidates = []
    for earlier in session.exec(query):
        ends = _day((earlier.data.get("period") or {}).get("end"))
        if ends is not None and ends < starts:
            candidates.append((ends, earlier.id or 0, earlier))
    for _, _, earlier in sorted(candidates, key=lambda c: c[:2], reverse=True):
        granted = session.exec(
            select(Share).where(
                Share.application_id == earlier.id,
                Share.state == "granted",
                col(Share.granted) > 0,
            )
        ).first()
        if granted is None:
            continue
        report = session.exec(
            select(FinalReport).where(FinalReport.application_id == earlier.id)
        ).first()
        return Previous(earlier, report is not None and report.submitted_at is not None)
    return None


def record_facts(session: Session, application: Application, scheme: str) -> dict[str, Any]:
    """The G4 facts the record sets for `application` (none when it has no such earlier one:
    the declared facts then count)."""
    starts = _day((application.data.get("period") or {}).get("start"))
    if starts is None:
        return {}
    previous = previous_application(
        session, application.organisation_id, scheme, starts, exclude=application.id
    )
    return previous.facts() if previous is not None else {}


def missing_report(
    db: Database, actor: Actor, scheme: str, starts: date | None
) -> dict[str, str] | None:
    """For the holder's form: the earlier application whose final report this new one waits
    for (reference and title), if its report was not filed; `starts` defaults to today."""
    if actor.organisation_id is None:
        return None
    with db.reading() as session:
        previous = previous_application(
            session, actor.organisation_id, scheme, starts or paris_date(now())
        )
        if previous is None or previous.filed:
            return None
        earlier = previous.application
        return {"reference": earlier.reference or "", "title": earlier.title, "id": str(earlier.id)}
