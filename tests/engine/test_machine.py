"""The workflow runner: it moves rows exactly as the workflow data says, and leaves no trace."""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.machine import (
    ReasonRequired,
    RoleRefused,
    Step,
    TransitionRefused,
    can_fire,
    fire,
    may_ever_fire,
    runner,
)
from workflows import ALL
from workflows.spec import ROLES


class Row:
    """Stands for a SQLModel row: it has a `state` and rejects any other attribute."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def constant(value: bool) -> Callable[[], bool]:
    return lambda: value


def outcome(**results: bool) -> dict[str, Callable[[], bool]]:
    return {name: constant(value) for name, value in results.items()}


def rules(status: str) -> dict[str, Callable[[], bool]]:
    """The guards a submission gets from the scheme's common rules."""
    return outcome(
        rules_eligible=status == "eligible",
        rules_incomplete=status == "incomplete",
        rules_ineligible=status == "ineligible",
    )


def test_fire_moves_a_plain_object_and_reports_the_step() -> None:
    row = Row("requested")
    step = fire("share", row, "grant", role="funder")
    assert row.state == "granted"
    assert step == Step(workflow="share", trigger="grant", source="requested", dest="granted")


def test_fire_never_adds_attributes_to_the_row() -> None:
    row = Row("draft")  # __slots__: any attribute `transitions` tried to add would raise
    fire("application", row, "submit", role="applicant", guards=rules("eligible"))
    assert row.state == "eligible"


@pytest.mark.parametrize("status", ["eligible", "incomplete", "ineligible"])
def test_submit_goes_where_the_common_rules_say(status: str) -> None:
    row = Row("draft")
    fire("application", row, "submit", role="applicant", guards=rules(status))
    assert row.state == status


def test_submit_goes_to_incomplete_when_only_documents_are_missing() -> None:
    row = Row("draft")
    step = fire("application", row, "submit", role="applicant", guards=rules("incomplete"))
    assert step.dest == "incomplete"


def test_an_incomplete_application_can_be_submitted_again_once_completed() -> None:
    row = Row("incomplete")
    fire("application", row, "submit", role="applicant", guards=rules("eligible"))
    assert row.state == "eligible"


def test_submit_is_refused_and_nothing_moves_when_no_guard_passes() -> None:
    row = Row("draft")
    with pytest.raises(TransitionRefused, match="no guard passed"):
        fire("application", row, "submit", role="applicant", guards=rules("unknown"))
    assert row.state == "draft"


def test_unschedule_puts_the_file_back_where_it_stood() -> None:
    row = Row("scheduled")
    guards = outcome(was_eligible=False, was_ineligible=True)
    fire("application", row, "unschedule", role="system", guards=guards)
    assert row.state == "ineligible"


def test_an_illegal_trigger_is_refused_and_the_state_is_unchanged() -> None:
    row = Row("draft")
    with pytest.raises(TransitionRefused) as refused:
        fire("application", row, "schedule", role="chair")
    assert row.state == "draft"
    assert (refused.value.workflow, refused.value.trigger, refused.value.state) == (
        "application",
        "schedule",
        "draft",
    )
    assert "'schedule' is not allowed from state 'draft'" in str(refused.value)


def test_a_decided_share_is_final() -> None:
    row = Row("granted")
    with pytest.raises(TransitionRefused):
        fire("share", row, "refuse", role="funder")
    assert row.state == "granted"


def test_a_role_not_listed_is_refused_and_the_state_is_unchanged() -> None:
    row = Row("eligible")
    with pytest.raises(RoleRefused) as refused:
        fire("application", row, "schedule", role="applicant")
    assert row.state == "eligible"
    assert (refused.value.workflow, refused.value.trigger, refused.value.role) == (
        "application",
        "schedule",
        "applicant",
    )


def test_the_system_cannot_decide_a_share_in_a_funders_place() -> None:
    row = Row("proposed")
    with pytest.raises(RoleRefused):
        fire("share", row, "grant", role="system")
    assert row.state == "proposed"


@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_asking_for_documents_without_a_reason_is_refused(reason: str | None) -> None:
    row = Row("eligible")
    with pytest.raises(ReasonRequired):
        fire("application", row, "request_documents", role="chair", reason=reason)
    assert row.state == "eligible"


def test_asking_for_documents_with_a_reason_moves_the_file_to_incomplete() -> None:
    row = Row("eligible")
    fire("application", row, "request_documents", role="chair", reason="Manque le RIB")
    assert row.state == "incomplete"


def test_overriding_eligibility_needs_a_reason() -> None:
    row = Row("ineligible")
    with pytest.raises(ReasonRequired):
        fire("application", row, "override_eligibility", role="chair", reason=" ")
    fire("application", row, "override_eligibility", role="chair", reason="Avis du comité")
    assert row.state == "eligible"


def test_a_guard_the_caller_forgot_to_supply_is_a_programming_error() -> None:
    row = Row("draft")
    with pytest.raises(TypeError, match="rules_ineligible"):
        fire(
            "application",
            row,
            "submit",
            role="applicant",
            guards=outcome(rules_eligible=True, rules_incomplete=False),
        )
    assert row.state == "draft"


def test_an_unknown_workflow_or_state_is_an_error_not_a_refusal() -> None:
    with pytest.raises(ValueError, match="unknown workflow"):
        fire("budget", Row("draft"), "submit", role="applicant")
    with pytest.raises(ValueError, match="unknown state 'lost'"):
        fire("application", Row("lost"), "submit", role="applicant")


def test_no_model_stays_bound_after_fire() -> None:
    fire("share", Row("requested"), "propose", role="system")
    assert runner("share").models == []


def test_no_model_stays_bound_even_when_a_guard_raises() -> None:
    def broken() -> bool:
        raise RuntimeError("rule engine down")

    row = Row("draft")
    guards = {**rules("eligible"), "rules_eligible": broken}
    with pytest.raises(RuntimeError, match="rule engine down"):
        fire("application", row, "submit", role="applicant", guards=guards)
    assert row.state == "draft"
    assert runner("application").models == []


def test_no_model_stays_bound_after_a_refusal() -> None:
    with pytest.raises(TransitionRefused):
        fire("application", Row("draft"), "submit", role="applicant", guards=rules("none"))
    assert runner("application").models == []


@pytest.mark.parametrize("name", sorted(ALL))
def test_there_are_no_to_state_back_doors(name: str) -> None:
    machine = runner(name)
    assert not [trigger for trigger in machine.events if trigger.startswith("to_")]
    assert set(machine.events) == set(ALL[name].triggers())


def test_to_granted_cannot_be_fired() -> None:
    row = Row("requested")
    # No role may ever fire a trigger the data does not declare: refused as a role, stateless.
    with pytest.raises(RoleRefused):
        fire("share", row, "to_granted", role="funder")
    assert row.state == "requested"


def test_concurrent_requests_share_the_machine_without_crossing_rows() -> None:
    rows = [Row("requested") for _ in range(400)]
    decisions = ["grant", "refuse", "defer", "propose"]

    def decide(index: int) -> str:
        return fire("share", rows[index], decisions[index % 4], role="funder").dest

    with ThreadPoolExecutor(max_workers=8) as pool:
        dests = list(pool.map(decide, range(len(rows))))
    assert dests == [row.state for row in rows]
    assert dests[:4] == ["granted", "refused", "deferred", "proposed"] == dests[-4:]
    assert runner("share").models == []


def test_the_machine_is_built_once_per_workflow() -> None:
    assert runner("session") is runner("session")


def test_firing_logs_nothing_below_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fire("call", Row("draft"), "open", role="admin")
    assert not [r for r in caplog.records if r.name.startswith("transitions")]


def test_a_holder_opening_a_closed_session_is_refused_as_a_role_not_told_the_state() -> None:
    row = Row("closed")
    with pytest.raises(RoleRefused) as refused:
        fire("session", row, "open", role="applicant")
    assert "closed" not in str(refused.value)
    assert row.state == "closed"
    # The chair, who may open a session, is the one told that this one is closed.
    with pytest.raises(TransitionRefused, match="from state 'closed'"):
        fire("session", row, "open", role="chair")


def test_a_role_never_allowed_to_fire_a_trigger_is_refused_whatever_the_state() -> None:
    """Every workflow × state × trigger (declared or made up) × role (and a stranger) the data
    never lets fire that trigger from any state: RoleRefused, the same refusal in every state
    (it tells nothing of the state), whatever the guards and the reason, and nothing moves."""
    tried = 0
    for name, flow in sorted(ALL.items()):
        guard_names = sorted({g for t in flow.transitions for g in t.guards})
        triggers = [*flow.triggers(), *(f"to_{s}" for s in flow.state_ids()), "trigger"]
        for trigger in triggers:
            for role in [*sorted(ROLES), "stranger"]:
                ever = any(trigger == t.trigger and role in t.roles for t in flow.transitions)
                assert may_ever_fire(name, trigger, role) == ever
                if ever:
                    continue
                messages = set()
                for state in flow.state_ids():
                    for passing in (True, False):
                        for reason in (None, "Pièces manquantes"):
                            row = Row(state)
                            guards = outcome(**dict.fromkeys(guard_names, passing))
                            with pytest.raises(RoleRefused) as refused:
                                fire(name, row, trigger, role=role, guards=guards, reason=reason)
                            assert row.state == state
                            assert (refused.value.trigger, refused.value.role) == (trigger, role)
                            messages.add(str(refused.value))
                            tried += 1
                assert len(messages) == 1, messages
                assert "state" not in next(iter(messages))
                assert runner(name).models == []
    assert tried > 500


def test_only_a_role_allowed_somewhere_is_told_that_the_state_is_wrong() -> None:
    """For every trigger a role may fire from some state, the states it may not fire it from
    answer TransitionRefused (409): the state is news only to those who may act on it."""
    for name, flow in sorted(ALL.items()):
        guards = outcome(**dict.fromkeys({g for t in flow.transitions for g in t.guards}, True))
        for trigger in flow.triggers():
            for role in sorted(ROLES):
                if not flow.allowed_anywhere(trigger, role):
                    continue
                for state in flow.state_ids():
                    if flow.candidates(trigger, state):
                        continue
                    with pytest.raises(TransitionRefused):
                        fire(name, Row(state), trigger, role=role, guards=guards, reason="r")


def test_can_fire_answers_from_the_data() -> None:
    assert can_fire("session", "planned", "convene", "chair")
    assert not can_fire("session", "planned", "convene", "funder")
    assert not can_fire("session", "closed", "cancel", "chair")
    assert not can_fire("session", "planned", "to_open", "chair")


# The property: over every workflow, state, trigger (real or made up), role, guard outcome and
# reason, fire succeeds exactly when the workflow data allows it, and goes where the data says.

REASONS = [None, "", "  ", "Pièces manquantes"]


@st.composite
def attempts(draw: st.DrawFn) -> tuple[str, str, str, str, dict[str, bool], str | None]:
    name = draw(st.sampled_from(sorted(ALL)))
    flow = ALL[name]
    state = draw(st.sampled_from(flow.state_ids()))
    trigger = draw(
        st.sampled_from([*flow.triggers(), *(f"to_{s}" for s in flow.state_ids()), "trigger"])
    )
    role = draw(st.sampled_from([*sorted(ROLES), "stranger"]))
    names = sorted({g for t in flow.transitions for g in t.guards})
    guards = {g: draw(st.booleans()) for g in names}
    reason = draw(st.sampled_from(REASONS))
    return name, state, trigger, role, guards, reason


@settings(max_examples=400, deadline=None)
@given(attempts())
def test_fire_succeeds_exactly_when_the_workflow_data_allows_it(
    attempt: tuple[str, str, str, str, dict[str, bool], str | None],
) -> None:
    name, state, trigger, role, guard_values, reason = attempt
    flow = ALL[name]
    arrows = flow.candidates(trigger, state)
    role_ok = any(role in t.roles for t in arrows)
    reason_ok = not any(t.requires_reason for t in arrows) or bool(reason and reason.strip())
    passing = [t for t in arrows if all(guard_values[g] for g in t.guards)]
    allowed = role_ok and reason_ok and bool(passing)

    row = Row(state)
    try:
        step = fire(name, row, trigger, role=role, guards=outcome(**guard_values), reason=reason)
    except (TransitionRefused, RoleRefused, ReasonRequired) as refused:
        assert not allowed, refused
        assert row.state == state
        if not flow.allowed_anywhere(trigger, role):
            # Access before state: a role that may never fire it is not told the state.
            assert isinstance(refused, RoleRefused)
        elif not arrows:
            assert isinstance(refused, TransitionRefused)
        elif not role_ok:
            assert isinstance(refused, RoleRefused)
    else:
        assert allowed
        assert step == Step(name, trigger, state, passing[0].dest)
        assert row.state == passing[0].dest
    assert can_fire(name, state, trigger, role) == role_ok
    assert runner(name).models == []
