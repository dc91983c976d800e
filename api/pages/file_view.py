"""What the file page shows: the application, its plan, its explanation in words, its history.

Built from the API's JSON of the application (as `GET /api/v1/applications/{id}`), so the page
shows what the API says; the words come from the models' labels and engine.rulebook.explain.
"""

from __future__ import annotations

from typing import Any

from api.pages import reads
from api.pages.agreement_view import agreement_rows
from api.pages.forms import labeller
from api.pages.french import ACTIONS, FLAGS
from api.pages.payment_view import payment_rows
from api.pages.plan_view import plan_status
from api.pages.report_view import report_section
from api.pages.settlement_view import settlement_view
from api.pages.web import transition_label
from engine.access import Actor
from engine.db import Database
from engine.rulebook import default_registry
from engine.rulebook.communes import commune_name
from engine.rulebook.explain import (
    computed_wording,
    explain,
    field_kind,
    french_value,
    rule_title,
)
from engine.rulebook.labels import nested_model
from engine.rulebook.module import SchemeModule
from engine.services import applications as service
from engine.services import calls
from engine.services.funders import list_funders
from engine.services.shares import PROPOSABLE
from workflows import ALL as WORKFLOWS
from workflows.application import APPLICATION
from workflows.share import SHARE


def scheme_label(code: str) -> str:
    scheme = default_registry().schemes.get(code)
    return scheme.label if scheme else code


def funder_names(db: Database) -> dict[str, str]:
    return {f.code: f.name for f in list_funders(db)}


def my_funder_code(db: Database, actor: Actor) -> str | None:
    if actor.role != "funder":
        return None
    return next((f.code for f in list_funders(db) if f.id == actor.funder_id), None)


def call_view(db: Database, call_id: int) -> dict[str, Any]:
    with db.reading() as session:
        return reads.call(session, calls.get_call(session, call_id))


def _timeline(
    events: list[dict[str, Any]],
    shares: list[dict[str, Any]],
    names: dict[str, str],
    documents: dict[str, str],
) -> list[dict[str, Any]]:
    """The events as a person reads them: what happened, to what, from which state to which
    (`documents`: the French label of each document kind of the scheme)."""
    share_funder = {s["id"]: s["funder"] for s in shares}
    entries = []
    for event in events:
        entity = event["entity"]
        action = event["action"]
        data = event["data"] or {}
        if entity == "share":
            funder = names.get(share_funder.get(event["entity_id"], ""), "un financeur")
            # Not every step of a share is a transition (a member's opinion).
            step = ACTIONS.get(action) or transition_label("share", action)
            label = f"{step} — {funder}"
            workflow = "share"
        elif entity in WORKFLOWS and entity != "application":
            # The steps of the file's other workflows (its final report…), named with them.
            workflow = entity
            flow = WORKFLOWS[entity]
            # Not every step is a transition (a payment or a report opened, a report saved).
            known = action in flow.triggers()
            step = ACTIONS.get(action) or (transition_label(entity, action) if known else "")
            label = f"{flow.label} : {step}" if step else flow.label
        else:
            label = ACTIONS.get(action) or transition_label("application", action)
            workflow = "application"
        detail = []
        if data.get("amount"):
            detail.append(("Montant", data["amount"]))
        if data.get("by") == "rules":
            detail.append(("Par", "les règles du financeur"))
        elif event.get("actor"):
            detail.append(("Par", event["actor"]))
        if data.get("kind") in documents:
            detail.append(("Pièce", documents[data["kind"]]))
        entries.append(
            {
                "when": event["created_at"],
                "label": label,
                "workflow": workflow,
                "from": event["from_state"],
                "to": event["to_state"],
                "reason": event["reason"],
                "amount": data.get("amount"),
                "details": [d for d in detail if d[0] != "Montant"],
            }
        )
    entries.reverse()  # newest first
    return entries


def item_tables(scheme: SchemeModule | None, facts: dict[str, Any]) -> list[dict[str, Any]]:
    """The scheme's repeated rows (Clas groups, mediators…) as tables: French column labels
    from the facts model's field titles, values written the French way."""
    if scheme is None:
        return []
    tables = []
    for name, info in scheme.facts.model_fields.items():
        inner = nested_model(info)
        rows = facts.get(name)
        if inner is None or not isinstance(rows, list):
            continue
        columns = [(key, child.title or key) for key, child in inner.model_fields.items()]
        kinds = {key: field_kind(scheme.facts, f"{name}.{key}") for key, _ in columns}
        tables.append(
            {
                "title": info.title or name,
                "columns": [label for _, label in columns],
                "rows": [
                    [french_value(row.get(key), *kinds[key]) for key, _ in columns]
                    for row in rows
                    if isinstance(row, dict)
                ],
            }
        )
    return tables


def share_rows(application: dict[str, Any]) -> list[dict[str, Any]]:
    """Each share with the amount its rules computed (from the trace) beside the proposal."""
    computed = {
        entry.get("funder"): entry.get("value")
        for entry in application.get("trace") or []
        if entry.get("subject") == "share"
    }
    withdrawn = application["state"] == "withdrawn"
    return [
        {
            **share,
            "computed": computed.get(share["funder"]),
            "explanation": computed_wording(share.get("explanation") or ""),
            "withdrawn": withdrawn,
        }
        for share in application["shares"]
    ]


def file_context(db: Database, actor: Actor, application_id: int) -> dict[str, Any]:
    application = reads.application(db, actor, application_id)
    events = reads.events(db, actor, application_id)
    letters = reads.letters(db, actor, application_id)
    documents = reads.documents(db, actor, application_id)
    names = funder_names(db)
    state = application["state"]
    mine = my_funder_code(db, actor)
    my_share = next((s for s in application["shares"] if s["funder"] == mine), None)
    role = actor.role
    call = call_view(db, application["call_id"])
    scheme = default_registry().schemes.get(call["scheme"])
    kinds = scheme.document_labels() if scheme else {}
    territory = application["application"].get("territory") or []
    joined = {d["kind"] if isinstance(d, dict) else d.kind for d in documents}
    holder_kind = str((application["application"].get("holder") or {}).get("kind", ""))
    missing = [
        (kind.code, kind.label)
        for kind in (scheme.documents if scheme else ())
        if kind.required_from(holder_kind) and kind.code not in joined
    ]
    registry = default_registry()
    return {
        "project": application["application"].get("project"),
        "item_tables": item_tables(scheme, application["application"].get("facts") or {}),
        "explanation": explain(application.get("trace"), registry, call["scheme"], names),
        "share_rows": share_rows(application),
        "rule_titles": {
            r["rule"]: rule_title(scheme, r["rule"])
            for r in (application.get("eligibility") or {}).get("results", [])
        },
        "plan": plan_status(application, names),
        "settlement": settlement_view(db, actor, application_id, names),
        "missing_documents": missing,
        "upload_kinds": [code for code, _ in missing] or list(kinds)[:1],
        "app": application,
        "call": call,
        "scheme_label": scheme_label(call["scheme"]),
        "communes": [(code, commune_name(code) or code) for code in territory],
        "timeline": _timeline(events, application["shares"], names, kinds),
        "letters": letters,
        "documents": documents,
        "document_kinds": kinds,
        "funder_names": names,
        "flag_labels": FLAGS,
        "field_label": labeller(scheme),
        "my_share": my_share,
        "is_holder": role == "applicant",
        "can_edit": role == "applicant" and state in service.EDITABLE,
        "can_submit": APPLICATION.allowed("submit", state, role),
        "can_withdraw": APPLICATION.allowed("withdraw", state, role),
        "can_request_documents": APPLICATION.allowed("request_documents", state, role),
        "can_override": APPLICATION.allowed("override_eligibility", state, role),
        "can_propose": my_share is not None
        and state in PROPOSABLE
        and SHARE.allowed("propose", my_share["state"], role),
        "form_errors": {},
        "form_values": {},
        "final_report": report_section(db, actor, application_id),
        "agreements": agreement_rows(db, actor, application_id, names),
        "payments": payment_rows(db, actor, application_id, names),
    }
