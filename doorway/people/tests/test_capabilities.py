"""The one capability rule: every "may do" question in Doorway is answered by
`doorway.people.capabilities`, and administrators are scoped to their own agency for
every purpose."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from doorway.casework import permissions as contact_permissions
from doorway.casework.outreach import actions as outreach
from doorway.casework.supervision import actions as supervision
from doorway.casework.transfer import actions as transfer
from doorway.conftest import World
from doorway.dropins import permissions as dropin_permissions
from doorway.evaluation import deployment, survey
from doorway.evaluation import permissions as evaluation_permissions
from doorway.exchange.exports import queries as exports
from doorway.exchange.imports import engine
from doorway.instruments import permissions as instrument_permissions
from doorway.people import roles
from doorway.people.capabilities import ROLES, Action, may, programs_for
from doorway.plans import permissions as plan_permissions
from doorway.referrals import permissions as referral_permissions
from doorway.testing.factories import UserFactory
from doorway.web.configuration.api import programs_costed_for, programs_read_by
from doorway.web.configuration.views import programs_configured_by

pytestmark = pytest.mark.django_db

# Each app's way of asking, and the capability it asks about.
QUESTIONS: list[tuple[Callable[[Any], bool], Action]] = [
    (roles.sees_identity, Action.SEE_IDENTITY),
    (roles.sees_case_content, Action.SEE_CASE_CONTENT),
    (roles.registers_participants, Action.REGISTER_PARTICIPANTS),
    (roles.moves_phases, Action.MOVE_PHASES),
    (roles.assigns_staff, Action.ASSIGN_STAFF),
    (roles.configures_programs, Action.CONFIGURE_PROGRAMS),
    (roles.reads_audit_log, Action.READ_AUDIT_LOG),
    (contact_permissions.reads_case_notes, Action.READ_CASE_NOTES),
    (contact_permissions.records_contacts, Action.RECORD_CONTACTS),
    (contact_permissions.edits_contacts, Action.EDIT_CONTACTS),
    (instrument_permissions.reads_assessments, Action.READ_ASSESSMENTS),
    (instrument_permissions.records_assessments, Action.RECORD_ASSESSMENTS),
    (instrument_permissions.decides_eligibility, Action.DECIDE_ELIGIBILITY),
    (instrument_permissions.configures_instruments, Action.CONFIGURE_INSTRUMENTS),
    (plan_permissions.reads_plans, Action.READ_PLANS),
    (plan_permissions.writes_plans, Action.WRITE_PLANS),
    (referral_permissions.reads_referrals, Action.READ_REFERRALS),
    (referral_permissions.makes_referrals, Action.MAKE_REFERRALS),
    (transfer.reads_transfer, Action.READ_REFERRALS),
    (transfer.writes_transfer, Action.MAKE_REFERRALS),
    (dropin_permissions.takes_attendance, Action.TAKE_ATTENDANCE),
    (outreach.works_outreach, Action.WORK_OUTREACH),
    (outreach.links_outreach, Action.LINK_OUTREACH),
    (supervision.takes_part_in_supervision, Action.TAKE_PART_IN_SUPERVISION),
    (evaluation_permissions.sees_evaluations, Action.SEE_EVALUATION),
    (evaluation_permissions.takes_research_export, Action.TAKE_RESEARCH_EXPORT),
    (evaluation_permissions.names_fidelity_shortfalls, Action.NAME_FIDELITY_SHORTFALLS),
    (evaluation_permissions.sees_ratings_chart, Action.SEE_RATINGS_CHART),
    (evaluation_permissions.sees_exact_figures, Action.SEE_EXACT_FIGURES),
    (deployment.sees_small_cells, Action.SEE_EXACT_FIGURES),
    (survey.surveys_partners, Action.SEE_EVALUATION),
    (engine.imports_records, Action.IMPORT_RECORDS),
    (lambda user: exports.CASELOAD in exports.exports_for(user), Action.EXPORT_CASELOAD),
    (lambda user: exports.CONTACTS in exports.exports_for(user), Action.EXPORT_CONTACTS),
    (lambda user: exports.ATTENDANCE in exports.exports_for(user), Action.EXPORT_ATTENDANCE),
]

SCOPES: list[tuple[Callable[[Any], Any], Action]] = [
    (dropin_permissions.programs_for, Action.SEE_SESSIONS),
    (instrument_permissions.instrument_programs, Action.CONFIGURE_INSTRUMENTS),
    (evaluation_permissions.evaluated_programs, Action.SEE_EVALUATION),
    (outreach.outreach_programs, Action.WORK_OUTREACH),
    (programs_configured_by, Action.CONFIGURE_PROGRAMS),
    (programs_read_by, Action.READ_CONFIGURATION),
    (programs_costed_for, Action.SEE_EVALUATION),
]


def test_each_apps_question_is_the_capability_rules_answer(world: World) -> None:
    for user in world.staff().values():
        for question, action in QUESTIONS:
            assert question(user) == may(user, action), (question.__qualname__, user.username)


def test_each_apps_programs_are_the_capability_rules_programs(world: World) -> None:
    for user in world.staff().values():
        for scope, action in SCOPES:
            assert set(scope(user)) == set(programs_for(user, action)), (
                scope.__qualname__,
                user.username,
            )


def test_an_administrator_reaches_only_her_own_agencys_programs_for_every_action(
    world: World,
) -> None:
    for action in Action:
        reached = set(programs_for(world.ada, action))
        assert world.other_program not in reached, action
        if world.ada.role in ROLES[action]:
            assert world.program in reached, action


def test_an_administrator_of_no_agency_reaches_no_program(world: World) -> None:
    stray = UserFactory(username="stray", role="administrator", agency=None, is_staff=True)
    for action in Action:
        assert not programs_for(stray, action).exists(), action
    client = APIClient()
    client.force_authenticate(stray)
    response = client.get("/api/v1/programs/")
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_nobody_may_manage_her_own_account_or_another_agencys(world: World) -> None:
    assert not may(world.ada, Action.MANAGE_STAFF, world.ada)
    assert not may(world.ada, Action.MANAGE_STAFF, world.oscar)
    assert may(world.ada, Action.MANAGE_STAFF, world.alice)
    assert not may(world.morgan, Action.MANAGE_STAFF, world.alice)


def test_break_the_glass_is_only_for_her_own_agencys_women(world: World) -> None:
    assert may(world.ada, Action.BREAK_GLASS, world.rosa)
    assert not may(world.ada, Action.BREAK_GLASS, world.vera)
