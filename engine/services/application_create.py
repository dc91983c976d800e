"""Filing a new application: created from a body, or copied from a previous one."""

from __future__ import annotations

import copy
import re
from datetime import date
from typing import Any

from sqlmodel import select

from engine.access import Actor, require_holder, require_role
from engine.audit import record
from engine.clock import now
from engine.db import Database
from engine.errors import Conflict
from engine.models import Application, Call, Funder
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.text import require_text
from engine.services.application_access import load
from engine.services.application_body import join_kept_documents, prefilled, sync_shares, validate
from engine.services.calls import envelopes_of, get_call

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def create_application(
    db: Database, actor: Actor, call_id: int, title: str, raw: Any
) -> Application:
    require_role(actor, "applicant")
    require_text({"title": title})
    with db.transaction() as session:
        call = session.get(Call, call_id)
        if call is None:
            raise InvalidInput([FieldError("call_id", "unknown_call", id=call_id)])

        assert actor.organisation_id is not None
        application = Application(
            call_id=call_id,
            organisation_id=actor.organisation_id,
            created_by=actor.id or 0,
            title=title,
            data=validate(call, prefilled(session, actor, raw), session),
        )
        session.add(application)
        session.flush()
        sync_shares(session, application)
        assert application.id is not None
        record(
            session,
            "application",
            application.id,
            "create",
            actor,
            to_state="draft",
            application_id=application.id,
        )
        join_kept_documents(session, application, actor)
        return application


def _shift_dates(value: Any, years: int) -> Any:
    """Every ISO date in `value` moved by `years` (29 February becomes the 28th)."""
    if isinstance(value, dict):
        return {k: _shift_dates(v, years) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift_dates(v, years) for v in value]
    if isinstance(value, str) and years and _ISO_DATE.fullmatch(value):
        day = date.fromisoformat(value)
        try:
            return day.replace(year=day.year + years).isoformat()
        except ValueError:
            return day.replace(year=day.year + years, day=28).isoformat()
    return value


def copy_application(db: Database, actor: Actor, application_id: int) -> Application:
    """A new draft from a previous application of the same organisation, in the open call of
    the same scheme (the latest opened): the same holder, project, territory, budget and facts,
    its dates moved to the new call's year, asking only the funders of the new call; the
    profile's reusable documents joined. The holder then edits it."""
    with db.transaction() as session:
        source = load(session, application_id, actor)  # as its GET: 404 to who cannot see it
        require_role(actor, "applicant")
        require_holder(actor, source)
        source_call = get_call(session, source.call_id)
        moment = now()
        targets = [
            c
            for c in session.exec(select(Call).where(Call.scheme == source_call.scheme))
            if c.state == "open" and c.opens_at <= moment < c.closes_at
        ]
        if not targets:
            raise Conflict("no_open_call", scheme=source_call.scheme)
        # Another call than the source's when there is one (last year's → this year's).
        targets.sort(key=lambda c: (c.id != source_call.id, c.opens_at))
        call = targets[-1]
        years = max(call.opens_at.year - source_call.opens_at.year, 0)
        data = _shift_dates(copy.deepcopy(source.data), years)
        funders = {f.id: f.code for f in session.exec(select(Funder))}
        taking_part = {funders[fid] for fid in envelopes_of(session, call.id or 0)}
        data["requests"] = {k: v for k, v in data.get("requests", {}).items() if k in taking_part}
        if years:
            data["renewal"] = True  # last year's action, again
            data["previous_report_filed"] = False  # to confirm for this new year
        title = source.title
        if years:
            title = re.sub(r"\b(20\d\d)\b", lambda m: str(int(m[1]) + years), title)
        application = Application(
            call_id=call.id or 0,
            organisation_id=source.organisation_id,
            created_by=actor.id or 0,
            title=title,
            data=validate(call, data, session),
        )
        session.add(application)
        session.flush()
        sync_shares(session, application)
        assert application.id is not None
        record(
            session,
            "application",
            application.id,
            "create",
            actor,
            to_state="draft",
            application_id=application.id,
            data={"copied_from": source.id},
        )
        join_kept_documents(session, application, actor)
        return application
