"""The generator's applications: shares, documents, agenda items, decisions, envelopes."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from engine.demo.scale.pool import Variant
from engine.demo.scale.records import _Call, _paris, _People, _requests, _Session
from engine.demo.scale.setting import SettingRows
from engine.demo.scale.templates import TITLES
from engine.demo.scale.writer import _CHANGED, _EMPTY_LIST


class FileRows(SettingRows):
    """The generator's applications, with everything that belongs to them."""

    def application(
        self,
        call: _Call,
        variant: Variant,
        state: str,
        holder: tuple[int, int],
        people: _People,
        meeting: _Session | None = None,
        position: int = 0,
    ) -> int:
        """One application in `state` with its shares, documents, agenda item and events."""
        w = self.w
        aid = w.new_id("applications")
        organisation, author = holder
        submitted_day = variant.submitted_on
        submitted_at = _paris(submitted_day, 9 + self.rng.randrange(9), self.rng.randrange(60))
        created = submitted_at - timedelta(days=3 + self.rng.randrange(20))
        result = variant.result
        events: list[tuple[Any, ...]] = []  # (entity, entity_id, actor, action, from, to, at, data)
        submitted = state != "draft"
        status = result.status if submitted else None
        scheme = variant.scheme
        reference = f"{scheme.upper()}-{submitted_at.year}-{aid:05d}" if submitted else None
        title = f"{self.rng.choice(TITLES[scheme])} — {call.campaign + 1} (n° {aid})"

        events.append(("application", aid, author, "create", None, "draft", created, None))
        for kind in variant.documents:
            did = w.new_id("documents")
            size = 20_000 + self.rng.randrange(2_000_000)
            w.add(
                "documents",
                {
                    "id": did,
                    "application_id": aid,
                    "kind": kind,
                    "filename": f"{kind}.pdf",
                    "content_type": "application/pdf",
                    "size": size,
                    "sha256": f"{self.rng.getrandbits(256):064x}",
                    "uploaded_by": author,
                    "created_at": created + timedelta(hours=1),
                },
            )
            data = {"document": did, "kind": kind, "size": size}
            at = created + timedelta(hours=1)
            events.append(("application", aid, author, "add_document", None, None, at, data))
        app_state = "draft"
        version = 1
        if submitted:
            data = {"status": status, "failed": result.failed}
            events.append(
                ("application", aid, author, "submit", "draft", status, submitted_at, data)
            )
            app_state = str(status)
            version += 1
        # shares, in the order of the requests
        decided_at = meeting.starts_at + timedelta(hours=1) if meeting else None
        share_rows = []
        for code, requested in _requests(variant.data["requests"]):
            outcome = result.shares[code]
            sid = w.new_id("shares")
            row: dict[str, Any] = {
                "id": sid,
                "application_id": aid,
                "funder_id": people.funders[code],
                "state": "requested",
                "version": 1,
                "requested": requested,
                "proposed": None,
                "granted": None,
                "eligible": None,
                "failed": _EMPTY_LIST,
                "explanation": None,
                "comment": None,
                "conditions": None,
                "session_id": None,
                "decided_by": None,
                "decided_at": None,
            }
            if submitted:
                row["eligible"] = outcome.eligible
                row["failed"] = list(outcome.failed) or _EMPTY_LIST
                row["explanation"] = outcome.message
                if status == "eligible" and outcome.eligible and outcome.amount is not None:
                    row["state"], row["proposed"], row["version"] = "proposed", outcome.amount, 2
                    data = {"amount": str(outcome.amount), "by": "rules"}
                    events.append(
                        ("share", sid, None, "propose", "requested", "proposed", submitted_at, data)
                    )
            share_rows.append((code, row))
            key = (call.id, row["funder_id"])
            self.asked[key] = self.asked.get(key, Decimal(0)) + requested
        if state == "withdrawn":
            at = submitted_at + timedelta(days=5)
            events.append(
                ("application", aid, author, "withdraw", app_state, "withdrawn", at, None)
            )
            app_state = "withdrawn"
            version += 1
        if meeting is not None:
            w.add(
                "agenda_items",
                {
                    "id": w.new_id("agenda_items"),
                    "session_id": meeting.id,
                    "application_id": aid,
                    "position": position,
                },
            )
            data = {"session": meeting.id}
            at = meeting.created_at
            events.append(
                ("application", aid, people.chair, "schedule", app_state, "scheduled", at, data)
            )
            app_state = "scheduled"
            version += 1
            if meeting.state in ("open", "closed"):
                assert decided_at is not None
                self._decide(status, result.failed, share_rows, meeting, decided_at, people, events)
            if meeting.state == "closed":
                closed_at = meeting.starts_at + timedelta(hours=3)
                data = {"session": meeting.id}
                events.append(
                    ("application", aid, None, "decide", "scheduled", "decided", closed_at, data)
                )
                app_state = "decided"
                version += 1
                if state in ("notified", "refused"):
                    at = closed_at + timedelta(minutes=20)
                    events.append(
                        ("application", aid, None, "notify", "decided", "notified", at, None)
                    )
                    app_state = "notified"
                    version += 1
        for _, row in share_rows:
            w.add("shares", row)
        w.add(
            "applications",
            {
                "id": aid,
                "reference": reference,
                "call_id": call.id,
                "organisation_id": organisation,
                "created_by": author,
                "title": title,
                "state": app_state,
                "version": version,
                "data": variant.data,
                "eligibility": status,
                "result": variant.stored if submitted else None,
                "result_summary": variant.summary if submitted else None,
                "reference_date": result.reference_date if submitted else None,
                "override_reason": None,
                "created_at": created,
                "submitted_at": submitted_at if submitted else None,
            },
        )
        padding = self.plan.events_per_application - len(events)
        at = created + timedelta(minutes=30)
        for _ in range(max(0, padding)):
            events.insert(1, ("application", aid, author, "update", None, None, at, _CHANGED))
        for entity, entity_id, actor, action, source, dest, moment, data in events:
            self._event(entity, entity_id, aid, actor, action, source, dest, moment, data)
        return aid

    def _decide(
        self,
        status: str | None,
        failed: list[str],
        share_rows: list[tuple[str, dict[str, Any]]],
        meeting: _Session,
        decided_at: datetime,
        people: _People,
        events: list[tuple[Any, ...]],
    ) -> None:
        """Each funder decides its share in session (ineligible files: refused at close)."""
        for code, row in share_rows:
            source = row["state"]
            if status != "eligible":
                if meeting.state == "closed":
                    closed_at = meeting.starts_at + timedelta(hours=3)
                    row.update(state="refused", session_id=meeting.id)
                    row["version"] += 1
                    data = {"session": meeting.id, "failed": failed}
                    events.append(
                        (
                            "share",
                            row["id"],
                            None,
                            "refuse_ineligible",
                            source,
                            "refused",
                            closed_at,
                            data,
                        )
                    )
                continue
            member = people.members[code][0]
            refuse = row["eligible"] is False or self.rng.random() < 0.08
            amount = None if refuse else (row["proposed"] or row["requested"])
            row.update(
                state="refused" if refuse else "granted",
                granted=amount,
                session_id=meeting.id,
                decided_by=member,
                decided_at=decided_at,
            )
            row["version"] += 1
            data = {
                "session": meeting.id,
                "amount": None if amount is None else str(amount),
                "conditions": None,
            }
            action = "refuse" if refuse else "grant"
            events.append(
                ("share", row["id"], member, action, source, row["state"], decided_at, data)
            )

    def envelopes(self, calls: dict[tuple[str, int], _Call], funders: dict[str, int]) -> None:
        """Each funder's envelope: about 85 % of what the call's files ask of it."""
        for call in calls.values():
            for fid in funders.values():
                asked = self.asked.get((call.id, fid), Decimal(0))
                envelope = max(Decimal(1000), (asked * Decimal("0.85") / 1000).quantize(1) * 1000)
                self.w.add(
                    "call_envelopes",
                    {
                        "id": self.w.new_id("call_envelopes"),
                        "call_id": call.id,
                        "funder_id": fid,
                        "envelope": envelope.quantize(Decimal("0.01")),
                    },
                )
