"""The capability table, written out by hand.

The permission matrix takes its "may do" expectations from `capabilities.ROLES`, so a
wrong entry there would move the rule and its test together. This table is the second
reading: a change to who may do what must change it too, in the same commit, where a
reviewer sees it. It follows DESIGN.md's table of the people who use Doorway: a peer
mentor never reads clinical content, an evaluator only the evaluation, an
administrator reads records only through break-the-glass and never writes them.
"""

from __future__ import annotations

from doorway.people.capabilities import ROLES
from doorway.people.roles import Role

CM, PEER, PM, EV, ADMIN = (
    Role.CASE_MANAGER,
    Role.PEER_MENTOR,
    Role.PROGRAM_MANAGER,
    Role.EVALUATOR,
    Role.ADMINISTRATOR,
)

EXPECTED: dict[str, set[str]] = {
    "see_identity": {CM, PM, ADMIN},
    "see_case_content": {CM, PM, ADMIN},
    "register_participants": {CM, PM},
    "move_phases": {CM, PM},
    "undo_phase_moves": {CM, PM},
    "assign_staff": {PM},
    "configure_programs": {PM},
    "set_up_programs": {ADMIN},
    "read_configuration": {CM, PEER, PM, EV, ADMIN},
    "configure_instruments": {PM, ADMIN},
    "read_instruments": {CM, PM, ADMIN},
    "read_audit_log": {ADMIN},
    "read_case_notes": {CM, PM, ADMIN},
    "record_contacts": {CM, PEER, PM},
    "edit_contacts": {CM, PM},
    "read_assessments": {CM, PM, ADMIN},
    "record_assessments": {CM, PM},
    "decide_eligibility": {CM, PM},
    "read_plans": {CM, PM, ADMIN},
    "write_plans": {CM, PM},
    "read_referrals": {CM, PM, ADMIN},
    "make_referrals": {CM, PM},
    "see_sessions": {CM, PEER, PM, ADMIN},
    "take_attendance": {CM, PEER, PM},
    "work_outreach": {CM, PEER, PM},
    "link_outreach": {CM, PM},
    "see_caseloads": {CM, PM},
    "balance_caseloads": {PM},
    "check_duplicates": {PM},
    "take_part_in_supervision": {CM, PM},
    "import_records": {CM, PM},
    "export_caseload": {CM, PM},
    "export_contacts": {CM, PEER, PM},
    "export_attendance": {CM, PEER, PM},
    "see_evaluation": {PM, EV},
    "see_exact_figures": {PM},
    "take_research_export": {EV},
    "name_fidelity_shortfalls": {PM},
    "see_ratings_chart": {CM},
    "use_admin_site": {ADMIN},
    "manage_staff": {ADMIN},
    "break_glass": {ADMIN},
    "propose_erasure": {CM, PM},
    "approve_erasure": {PM},
    "give_her_copy": {CM, PM},
}


def test_every_action_is_written_out_here() -> None:
    assert {action.value for action in ROLES} == set(EXPECTED)


def test_each_action_belongs_to_exactly_the_roles_written_here() -> None:
    for action, roles in ROLES.items():
        assert set(roles) == EXPECTED[action.value], action.value


def test_no_role_outside_the_case_team_writes_casework() -> None:
    writes = {
        "register_participants",
        "move_phases",
        "record_assessments",
        "decide_eligibility",
        "write_plans",
        "make_referrals",
        "edit_contacts",
    }
    for action in writes:
        assert EXPECTED[action] <= {CM, PM}, action


def test_an_evaluator_does_nothing_but_evaluate() -> None:
    theirs = {action for action, roles in EXPECTED.items() if EV in roles}
    assert theirs == {"read_configuration", "see_evaluation", "take_research_export"}
