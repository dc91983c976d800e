"""The workflows as data: they hold together, carry the tags the committee relies on, and draw."""

from pathlib import Path

import pytest

from engine.diagram import all_diagrams, mermaid
from workflows import ALL, APPLICATION, CALL, SESSION, SHARE
from workflows.spec import State, Transition, Workflow, WorkflowError


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_workflow_validates(name: str) -> None:
    ALL[name].validate()


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_workflow_is_registered_under_its_own_name(name: str) -> None:
    assert ALL[name].name == name


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_state_and_transition_has_a_label(name: str) -> None:
    flow = ALL[name]
    assert all(s.label.strip() for s in flow.states)
    assert all(t.label.strip() for t in flow.transitions)


def test_application_states_carry_their_french_labels() -> None:
    assert {s.id: s.label for s in APPLICATION.states} == {
        "draft": "Brouillon",
        "eligible": "Recevable",
        "ineligible": "Non recevable",
        "incomplete": "Incomplet",
        "scheduled": "Inscrit à l'ordre du jour",
        "decided": "Décidé",
        "notified": "Notifié",
        "settled": "Soldé",
        "closed": "Clos",
        "withdrawn": "Retiré",
    }


EXPECTED_TAGS = {
    "application": {
        "editable": {"draft", "incomplete"},
        "submitted": {
            "eligible",
            "ineligible",
            "incomplete",
            "scheduled",
            "decided",
            "notified",
            "settled",
            "closed",
        },
        "schedulable": {"eligible", "ineligible"},
        "in_session": {"scheduled"},
        "decided": {"decided", "notified", "settled", "closed"},
        "notified": {"notified", "settled", "closed"},
        "final": {"closed", "withdrawn"},
        "holder_can_withdraw": {"draft", "incomplete", "eligible"},
    },
    "share": {
        "undecided": {"requested", "proposed", "deferred"},
        "decided": {"granted", "refused"},
        "final": {"granted", "refused"},
        "counts_amount": {"proposed", "granted"},
    },
    "call": {"accepts_submissions": {"open"}, "final": {"closed"}},
    "session": {
        "agenda_editable": {"planned", "convened"},
        "live": {"open"},
        "final": {"closed", "cancelled"},
    },
}


@pytest.mark.parametrize("name", sorted(EXPECTED_TAGS))
def test_tags_are_exactly_what_the_committee_expects(name: str) -> None:
    flow = ALL[name]
    assert flow.tags() == set(EXPECTED_TAGS[name])
    for tag, states in EXPECTED_TAGS[name].items():
        assert flow.tagged(tag) == states, tag


def test_a_tag_nobody_uses_tags_no_state() -> None:
    assert APPLICATION.tagged("nonexistent") == frozenset()


# A decision may be corrected by its own funder while the session is open (DESIGN §7): the one
# way out of a final state, which the close then seals.
CORRECTIONS = frozenset({"correct"})


@pytest.mark.parametrize("name", sorted(ALL))
def test_no_transition_leaves_a_final_state_but_the_funders_own_correction(name: str) -> None:
    flow = ALL[name]
    leaving = [t for t in flow.transitions if set(t.source) & flow.tagged("final")]
    assert all(t.trigger in CORRECTIONS and t.roles == ("funder",) for t in leaving), leaving


def test_submit_is_one_trigger_with_three_guarded_destinations() -> None:
    arrows = APPLICATION.candidates("submit", "draft")
    assert [(t.dest, t.guards) for t in arrows] == [
        ("eligible", ("rules_eligible",)),
        ("incomplete", ("rules_incomplete",)),
        ("ineligible", ("rules_ineligible",)),
    ]
    assert APPLICATION.candidates("submit", "incomplete") == arrows


def test_the_chair_must_give_a_reason_to_ask_for_documents_or_override_eligibility() -> None:
    assert APPLICATION.requires_reason("request_documents", "eligible")
    assert APPLICATION.requires_reason("override_eligibility", "ineligible")
    assert not APPLICATION.requires_reason("schedule", "eligible")


def test_only_the_system_decides_and_notifies_an_application() -> None:
    assert APPLICATION.allowed("decide", "scheduled", "system")
    assert not APPLICATION.allowed("decide", "scheduled", "chair")
    assert APPLICATION.allowed("notify", "decided", "system")
    assert not APPLICATION.allowed("notify", "decided", "admin")


def test_only_the_system_settles_and_closes_a_notified_application() -> None:
    assert APPLICATION.allowed("settle", "notified", "system")
    assert APPLICATION.allowed("close", "settled", "system")
    for role in ("chair", "admin", "funder", "applicant"):
        assert not APPLICATION.allowed_anywhere("settle", role)
        assert not APPLICATION.allowed_anywhere("close", role)


def test_a_session_cancelled_unschedules_its_files_through_the_system_role() -> None:
    assert APPLICATION.allowed("unschedule", "scheduled", "system")
    assert APPLICATION.allowed("unschedule", "scheduled", "chair")


def test_only_a_funder_decides_its_share_and_the_system_only_refuses_ineligible_files() -> None:
    for trigger in ("grant", "refuse", "defer"):
        assert SHARE.allowed(trigger, "proposed", "funder")
        assert not SHARE.allowed(trigger, "proposed", "system")
        assert not SHARE.allowed(trigger, "proposed", "chair")
    assert SHARE.allowed("refuse_ineligible", "requested", "system")
    assert not SHARE.allowed("refuse_ineligible", "requested", "funder")


def test_a_proposal_can_be_revised_and_a_deferred_share_proposed_again() -> None:
    assert SHARE.allowed("propose", "proposed", "funder")
    assert SHARE.allowed("propose", "deferred", "system")


def test_the_scheduler_can_close_a_call_but_not_open_it() -> None:
    assert CALL.allowed("close", "open", "system")
    assert not CALL.allowed("open", "draft", "system")


def test_only_the_chair_drives_a_session() -> None:
    for flow_trigger, source in [("convene", "planned"), ("open", "convened"), ("close", "open")]:
        assert SESSION.allowed(flow_trigger, source, "chair")
        assert not SESSION.allowed(flow_trigger, source, "admin")
    assert SESSION.allowed("cancel", "convened", "chair")
    assert not SESSION.allowed("cancel", "open", "chair")


def test_triggers_are_listed_once_in_declaration_order() -> None:
    assert SHARE.triggers() == (
        "propose",
        "grant",
        "refuse",
        "defer",
        "correct",
        "defer_absent",
        "defer_at_close",
        "refuse_ineligible",
    )
    assert APPLICATION.triggers().count("submit") == 1


def test_state_finds_a_declared_state_and_refuses_an_unknown_one() -> None:
    assert APPLICATION.state("scheduled").label == "Inscrit à l'ordre du jour"
    with pytest.raises(KeyError):
        APPLICATION.state("lost")


def _tiny(*transitions: Transition, states: tuple[str, ...] = ("a", "b")) -> Workflow:
    return Workflow(
        name="tiny",
        label="Petit",
        initial="a",
        states=tuple(State(s, s.upper()) for s in states),
        transitions=transitions,
    )


def test_validate_rejects_an_arrow_to_an_undeclared_state() -> None:
    flow = _tiny(
        Transition("go", ("a",), "b", "Aller", roles=("chair",)),
        Transition("jump", ("b",), "nowhere", "Sauter", roles=("chair",)),
    )
    with pytest.raises(WorkflowError, match="unknown destination 'nowhere'"):
        flow.validate()


def test_validate_rejects_an_arrow_from_an_undeclared_state() -> None:
    flow = _tiny(Transition("go", ("a", "limbo"), "b", "Aller", roles=("chair",)))
    with pytest.raises(WorkflowError, match="unknown source 'limbo'"):
        flow.validate()


def test_validate_rejects_an_unreachable_state() -> None:
    flow = _tiny(Transition("go", ("a",), "b", "Aller", roles=("chair",)), states=("a", "b", "c"))
    with pytest.raises(WorkflowError, match="'c' is unreachable"):
        flow.validate()


def test_validate_rejects_an_unknown_role_and_an_arrow_nobody_may_fire() -> None:
    flow = _tiny(
        Transition("go", ("a",), "b", "Aller", roles=("mayor",)),
        Transition("back", ("b",), "a", "Revenir"),
    )
    with pytest.raises(WorkflowError, match=r"unknown role 'mayor'.*no role may fire it"):
        flow.validate()


def test_validate_rejects_a_shared_trigger_with_an_unguarded_arrow() -> None:
    flow = _tiny(
        Transition("go", ("a",), "b", "Aller", roles=("chair",)),
        Transition("go", ("a",), "a", "Rester", guards=("stay",), roles=("chair",)),
    )
    with pytest.raises(WorkflowError, match="one without a guard"):
        flow.validate()


def test_validate_rejects_a_shared_trigger_whose_arrows_disagree_on_roles() -> None:
    flow = _tiny(
        Transition("go", ("a",), "b", "Aller", guards=("g1",), roles=("chair",)),
        Transition("go", ("a",), "a", "Rester", guards=("g2",), roles=("admin",)),
    )
    with pytest.raises(WorkflowError, match="disagree on roles"):
        flow.validate()


def test_validate_rejects_a_guard_named_like_a_trigger() -> None:
    flow = _tiny(Transition("go", ("a",), "b", "Aller", guards=("go",), roles=("chair",)))
    with pytest.raises(WorkflowError, match="guard 'go' clashes"):
        flow.validate()


@pytest.mark.parametrize("name", sorted(ALL))
def test_mermaid_draws_every_state_and_every_transition(name: str) -> None:
    flow = ALL[name]
    text = mermaid(flow)
    assert text.startswith("stateDiagram-v2\n")
    for state in flow.states:
        assert f'state "{state.label}" as {state.id}' in text
    for t in flow.transitions:
        for source in t.source:
            edges = [
                line
                for line in text.splitlines()
                if line.strip().startswith(f"{source} --> {t.dest} :")
            ]
            assert any(t.trigger in e and all(g in e for g in t.guards) for e in edges), (t, source)
    assert f"[*] --> {flow.initial}" in text


def test_mermaid_shows_the_guard_that_picks_each_submit_destination() -> None:
    text = mermaid(APPLICATION)
    assert "draft --> incomplete : submit [rules_incomplete]" in text


def test_all_diagrams_holds_one_mermaid_block_per_workflow() -> None:
    text = all_diagrams()
    assert text.count("```mermaid") == len(ALL)
    for flow in ALL.values():
        assert flow.label in text


@pytest.mark.parametrize("name", sorted(ALL))
def test_the_readme_draws_each_workflow_as_the_running_machine_is(name: str) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{mermaid(ALL[name]).strip()}\n```" in readme, name
