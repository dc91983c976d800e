"""Evaluation of one application: common rules, each funder's share, plan flags, and the trace."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, cast

from engine.rulebook.application import parse_application
from engine.rulebook.communes import communes
from engine.rulebook.context import Context, Reads, ShareContext
from engine.rulebook.errors import FieldError, InvalidInput, UnknownFunder, UnknownScheme
from engine.rulebook.module import Check, FunderConfig, Rule, SchemeModule
from engine.rulebook.money import ZERO, money_str, round_cents
from engine.rulebook.plan import PlanLine, plan_flags
from engine.rulebook.registry import Registry
from engine.rulebook.results import Evaluation, RuleResult, ShareResult, Status

__all__ = [
    "PLAN_FORMULA",
    "Evaluation",
    "RuleResult",
    "ShareResult",
    "Status",
    "evaluate",
    "resolve_funders",
]

PLAN_FORMULA = "total_cost − other_resources − Σ shares (amount, or request when decided by hand)"


_CONVERTED = (Decimal, date)


def _read_facts(reads: Reads) -> dict[str, Any]:
    """The facts a rule read, as JSON values (amounts and dates as text). The read log is the
    rule's own (each rule gets a new one), so it becomes the trace's without a copy."""
    facts = reads.facts
    for path, value in facts.items():
        if isinstance(value, _CONVERTED):
            facts[path] = str(value) if isinstance(value, Decimal) else value.isoformat()
    return facts


def _read_parameters(reads: Reads) -> list[dict[str, str]]:
    return [{"name": name, **shown} for name, shown in reads.parameters.items()]


def _trace_entry(subject: str, reads: Reads, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"subject": subject, **extra}
    entry["facts"] = _read_facts(reads)
    entry["parameters"] = _read_parameters(reads)
    return entry


def _run_rules(scheme: SchemeModule, ctx: Context) -> tuple[list[RuleResult], list[dict[str, Any]]]:
    per_item, distinct = scheme.rule_layout
    if not per_item and distinct:
        # Each rule once, in order, its outcome in its place: no reordering to do.
        results: list[RuleResult] = []
        trace: list[dict[str, Any]] = []
        for rule in scheme.rules:
            ctx.reads = reads = Reads()  # ctx.start(), without a call
            check: Check = rule.function(ctx)  # type: ignore[call-arg]
            rid = rule.id
            passed, message = check
            results.append(RuleResult(rid, passed, message, rule.description))
            trace.append(
                {
                    "subject": "eligibility",
                    "rule": rid,
                    "passed": passed,
                    "message": message,
                    "facts": _read_facts(reads),
                    "parameters": _read_parameters(reads),
                    "reference": rule.reference,
                }
            )
        return results, trace
    return _run_rules_in_two_passes(scheme, ctx, per_item)


def _run_rules_in_two_passes(
    scheme: SchemeModule, ctx: Context, per_item: tuple[Rule, ...]
) -> tuple[list[RuleResult], list[dict[str, Any]]]:
    outcomes: dict[str, tuple[RuleResult, dict[str, Any]]] = {}
    # Item rules first: plain rules (like "at least one group passes") read their outcome.
    item_ids: dict[str, list[str]] = {}
    if per_item:
        item_failures: dict[str, set[int]] = {}
        for rule in per_item:
            per = cast(str, rule.per)
            items = ctx.items(f"facts.{per}")
            ids = item_ids.setdefault(rule.id, [])
            for index in range(len(items)):
                reads = ctx.start()
                result: Check = rule.function(ctx, index)  # type: ignore[call-arg]
                rid = f"{rule.id}@{index + 1}"
                if rid not in outcomes:
                    ids.append(rid)
                outcomes[rid] = _outcome(rid, rule, result, reads)
                if not result.passed:
                    item_failures.setdefault(per, set()).add(index)
        for per in {cast(str, r.per) for r in per_item}:
            count = len(ctx.items(f"facts.{per}"))
            failures = item_failures.get(per, set())
            ctx.passing_items[per] = [i for i in range(count) if i not in failures]
    for rule in scheme.rules:
        if rule.per:
            continue
        reads = ctx.start()
        plain: Check = rule.function(ctx)  # type: ignore[call-arg]
        outcomes[rule.id] = _outcome(rule.id, rule, plain, reads)
    results: list[RuleResult] = []
    trace: list[dict[str, Any]] = []
    for rule in scheme.rules:
        for rid in item_ids.get(rule.id, ()) if rule.per else (rule.id,):
            rule_result, entry = outcomes[rid]
            results.append(rule_result)
            trace.append(entry)
    return results, trace


def _outcome(rid: str, rule: Rule, check: Check, reads: Reads) -> tuple[RuleResult, dict[str, Any]]:
    passed, message = check.passed, check.message
    result = RuleResult(rid, passed, message, rule.description)
    # The keys in the order of the stored traces (_trace_entry's, then the reference).
    entry = {
        "subject": "eligibility",
        "rule": rid,
        "passed": passed,
        "message": message,
        "facts": _read_facts(reads),
        "parameters": _read_parameters(reads),
        "reference": rule.reference,
    }
    return result, entry


def _status(scheme: SchemeModule, failed: list[str]) -> Status:
    """Eligible when no rule failed; incomplete when every failing rule only asks the holder to
    complete the file (`Rule.on_failure`, e.g. missing documents); ineligible otherwise."""
    if not failed:
        return "eligible"
    on_failure = {rule.id: rule.on_failure for rule in scheme.rules}
    if all(on_failure.get(rule) == "incomplete" for rule in failed):
        return "incomplete"
    return "ineligible"


def resolve_funders(
    registry: Registry,
    requests: Mapping[str, Decimal],
    funders: Mapping[str, FunderConfig] | None,
) -> dict[str, FunderConfig]:
    """Each funder asked, as configured; a funder not configured is of the kind of its code."""
    configs: dict[str, FunderConfig] = {}
    for code in requests:
        config = (funders or {}).get(code) or FunderConfig(code=code, kind=code)
        if config.kind not in registry.funders:
            field_name = (
                f"funders.{code}.kind"
                if funders and code in funders
                else f"application.requests.{code}"
            )
            raise UnknownFunder(config.kind, field_name)
        module = registry.funders[config.kind]
        if module.needs_insee and not config.insee:
            raise InvalidInput(
                [FieldError(f"funders.{code}.insee", "insee_required", kind=config.kind)]
            )
        if module.needs_insee and config.insee not in communes():
            raise InvalidInput(
                [FieldError(f"funders.{code}.insee", "unknown_insee", insee=config.insee)]
            )
        configs[code] = config
    return configs


def evaluate(
    registry: Registry,
    scheme_code: str,
    application: object,
    submission_date: date,
    department: str,
    funders: Mapping[str, FunderConfig] | None = None,
    override: bool = False,
) -> Evaluation:
    """Run every rule for one application. Pure: no clock, no database, no file."""
    scheme = registry.schemes.get(scheme_code)
    if scheme is None:
        raise UnknownScheme(scheme_code)
    app, facts = parse_application(
        application, scheme.facts, document_kinds=scheme.document_labels()
    )
    configs = resolve_funders(registry, app.requests, funders)
    data = app.model_dump()
    data["facts"] = facts.model_dump()
    try:
        reference = scheme.reference_date(app.period.start)
        period_end = scheme.funding_period_end(reference)
    except (ValueError, OverflowError):
        # A start in year 1 or 9999 has no representable funding period around it.
        raise InvalidInput([FieldError("application.period.start", "no_funding_period")]) from None
    ctx = Context(
        data,
        submission_date,
        reference,
        department,
        registry.parameters,
        period_end,
        documents=scheme.documents,
    )
    results, trace = _run_rules(scheme, ctx)
    failed = [r.rule for r in results if not r.passed]
    # A failing group only excludes that group; C0 says whether any group is left.
    status = _status(scheme, [rule for rule in failed if "@" not in rule])
    common_ok = status == "eligible" or override

    shares: dict[str, ShareResult] = {}
    for code, requested in app.requests.items():
        share, entry = _share(registry, ctx, scheme.code, configs[code], requested, common_ok)
        shares[code] = share
        trace.append(entry)

    reads = ctx.start()
    threshold = ctx.param("convention.threshold")
    lines = [PlanLine(s.funder, s.requested, s.amount) for s in shares.values()]
    budget = app.budget
    flags = plan_flags(budget.total_cost, budget.other_resources, lines, threshold)
    entry = _trace_entry("plan", reads, formula=PLAN_FORMULA, value=flags)
    entry["facts"]["budget.total_cost"] = str(budget.total_cost)
    entry["facts"]["budget.other_resources"] = str(budget.other_resources)
    trace.append(entry)
    return Evaluation(
        scheme=scheme.code,
        submission_date=submission_date,
        reference_date=reference,
        status=status,
        failed=failed,
        results=results,
        shares=shares,
        flags=flags,
        trace=trace,
        override=override,
    )


def _share(
    registry: Registry,
    ctx: Context,
    scheme: str,
    config: FunderConfig,
    requested: Decimal,
    common_ok: bool,
) -> tuple[ShareResult, dict[str, Any]]:
    rule = registry.funders[config.kind].rule_for(scheme)
    formula = ""
    failed: list[str] = []
    # No rule runs, nothing is read: a new, empty log says so.
    reads = Reads()
    if not common_ok:
        eligible, amount = False, ZERO
        message = "Les critères communs du dispositif ne sont pas remplis : pas de part proposée."
    elif rule is None:
        eligible, amount = True, None
        message = "Pas de barème pour ce dispositif : le montant est décidé en séance."
    else:
        sctx = ShareContext(ctx, config, scheme, requested)
        outcome = rule.function(sctx)
        reads = sctx.reads
        eligible, message, formula = outcome.eligible, outcome.message, outcome.formula
        if not eligible:
            amount, failed = ZERO, [rule.id]
        else:
            amount = None if outcome.amount is None else round_cents(min(outcome.amount, requested))
    rule_id = rule.id if rule is not None and common_ok else None
    share = ShareResult(
        funder=config.code,
        kind=config.kind,
        requested=requested,
        eligible=eligible,
        amount=amount,
        failed=failed,
        message=message,
        rule=rule_id,
    )
    # The keys in the order of the stored traces.
    entry = {
        "subject": "share",
        "funder": config.code,
        "rule": rule_id,
        "formula": formula,
        "message": message,
        "requested": money_str(requested),
        "value": money_str(amount),
        "facts": _read_facts(reads),
        "parameters": _read_parameters(reads),
    }
    return share, entry
