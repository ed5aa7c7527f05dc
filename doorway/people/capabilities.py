"""The one rule for what a person may DO, and in which programs.

Who may *see* a record is `visible_to(user)` (`doorway.enrolments.access`); this module
answers the other two questions, once, for pages, the API, imports, exports and the
admin alike (NetBox's `RestrictedQuerySet.restrict(user, action)` is the model):

- `may(user, action, target=None)`: may this person do this (to this record, program
  or staff account)?
- `programs_for(user, action)`: in which programs may she do it?

Administrators are scoped to their own agency everywhere: an administrator of no
agency reaches no program and no account. Nobody changes her own access.

The per-app `rules` modules and `doorway.people.roles` delegate here in one line each;
the permission matrix reads its "may do" expectations from `ROLES`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeGuard

from django.db import models
from django.db.models import Q, QuerySet

from doorway.people.roles import Role
from doorway.programs.models import Program

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from doorway.people.models import User

    # Whoever is asking: a member of staff, or someone not signed in (who may do nothing).
    type Someone = User | AnonymousUser | None

CM, PM, PEER, EV, ADMIN = (
    Role.CASE_MANAGER,
    Role.PROGRAM_MANAGER,
    Role.PEER_MENTOR,
    Role.EVALUATOR,
    Role.ADMINISTRATOR,
)


class Action(models.TextChoices):
    # Legal name, date of birth, phone, email, aliases, safe-contact instructions.
    SEE_IDENTITY = "see_identity", "See who she is"
    # Consents, eligibility and move reasons, assessments, plans, notes (record reached).
    SEE_CASE_CONTENT = "see_case_content", "See case content"
    # Register a new participant and enrol her.
    REGISTER_PARTICIPANTS = "register_participants", "Register participants"
    # Move an enrolment through its phases, exit and reopen it.
    MOVE_PHASES = "move_phases", "Move phases"
    # Undo a mistaken phase move or exit within a day (a case manager: only as her
    # case manager; `doorway.enrolments.permissions.undoes_moves`).
    UNDO_PHASE_MOVES = "undo_phase_moves", "Undo phase moves"
    # Assign the case manager and peer mentor of an enrolment.
    ASSIGN_STAFF = "assign_staff", "Assign staff"
    # Phases, focus areas, cycles, costs and partner agencies of a program.
    CONFIGURE_PROGRAMS = "configure_programs", "Configure programs"
    # Set up her agency's programs in the admin, and read their configuration there.
    SET_UP_PROGRAMS = "set_up_programs", "Set up programs"
    # Read a program's configuration (phases, focus areas, cycles, partners).
    READ_CONFIGURATION = "read_configuration", "Read program configuration"
    # Write instruments and their versions.
    CONFIGURE_INSTRUMENTS = "configure_instruments", "Configure instruments"
    # Read instrument definitions.
    READ_INSTRUMENTS = "read_instruments", "Read instruments"
    # Read the audit log.
    READ_AUDIT_LOG = "read_audit_log", "Read the audit log"
    # Read clinical case notes and goals linked to contacts (record reached).
    READ_CASE_NOTES = "read_case_notes", "Read case notes"
    # Record a contact (a peer mentor: peer contacts only).
    RECORD_CONTACTS = "record_contacts", "Record contacts"
    # Edit a recorded contact.
    EDIT_CONTACTS = "edit_contacts", "Edit contacts"
    # Read assessments (record reached).
    READ_ASSESSMENTS = "read_assessments", "Read assessments"
    # Record an assessment.
    RECORD_ASSESSMENTS = "record_assessments", "Record assessments"
    # Decide eligibility from an intake assessment.
    DECIDE_ELIGIBILITY = "decide_eligibility", "Decide eligibility"
    # Read her service plan (record reached).
    READ_PLANS = "read_plans", "Read plans"
    # Write her service plan, goals and reviews.
    WRITE_PLANS = "write_plans", "Write plans"
    # Read her referrals and the transfer of care (record reached).
    READ_REFERRALS = "read_referrals", "Read referrals"
    # Make and update referrals and the transfer of care.
    MAKE_REFERRALS = "make_referrals", "Make referrals"
    # See a program's drop-in and group sessions.
    SEE_SESSIONS = "see_sessions", "See sessions"
    # Start sessions and take attendance.
    TAKE_ATTENDANCE = "take_attendance", "Take attendance"
    # Work the outreach log (before anyone is a participant).
    WORK_OUTREACH = "work_outreach", "Work outreach"
    # Read everyone's outreach nicknames and link outreach to participants.
    LINK_OUTREACH = "link_outreach", "Link outreach"
    # Her caseload page (a program manager: her programs' caseloads).
    SEE_CASELOADS = "see_caseloads", "See caseloads"
    # The caseload overview: balance across workers and programs.
    BALANCE_CASELOADS = "balance_caseloads", "Balance caseloads"
    # Check likely duplicate records sent to her (she reaches both records' programs).
    CHECK_DUPLICATES = "check_duplicates", "Check likely duplicates"
    # Team supervision sessions and their caseload reviews.
    TAKE_PART_IN_SUPERVISION = "take_part_in_supervision", "Take part in supervision"
    # Import records (participants, contacts, assessments, attendance) into what she reaches.
    IMPORT_RECORDS = "import_records", "Import records"
    # Export the caseload she reaches as a spreadsheet.
    EXPORT_CASELOAD = "export_caseload", "Export caseload"
    # Export the contacts she reaches (a peer mentor: her own peer contacts).
    EXPORT_CONTACTS = "export_contacts", "Export contacts"
    # Export attendance of the sessions she sees.
    EXPORT_ATTENDANCE = "export_attendance", "Export attendance"
    # See a program's evaluation, funder report, costs and theory of change.
    SEE_EVALUATION = "see_evaluation", "See evaluation"
    # See her programs' evaluation figures exact, without disclosure control (she reaches
    # every record of them anyway).
    SEE_EXACT_FIGURES = "see_exact_figures", "See exact figures"
    # Take the research export (the one way data leave for research).
    TAKE_RESEARCH_EXPORT = "take_research_export", "Take research export"
    # See who falls short of a fidelity item, by code.
    NAME_FIDELITY_SHORTFALLS = "name_fidelity_shortfalls", "Name fidelity shortfalls"
    # See her ratings chart on the enrolment page (her case team).
    SEE_RATINGS_CHART = "see_ratings_chart", "See ratings chart"
    # Use the Django admin site (with the staff flag): accounts' names, programs' set-up.
    USE_ADMIN_SITE = "use_admin_site", "Use the admin site"
    # Propose, approve and decline changes to staff accounts' access.
    MANAGE_STAFF = "manage_staff", "Manage staff access"
    # Open one participant's record for a short time, with a reason.
    BREAK_GLASS = "break_glass", "Break the glass"
    # Propose erasing a participant's record she reaches (her request, or the program's
    # retention period past); nothing is erased until a second person approves.
    PROPOSE_ERASURE = "propose_erasure", "Propose erasure"
    # Approve or decline another person's erasure proposal (`doorway.erasure`).
    APPROVE_ERASURE = "approve_erasure", "Approve erasure"
    # Make her own copy of everything Doorway holds about her, and record her request
    # for it (record reached; `doorway.subject_access`).
    GIVE_HER_COPY = "give_her_copy", "Give her her own copy"


# The roles that may do each action at all; `programs_for` and `may` narrow it.
ROLES: dict[Action, frozenset[str]] = {
    Action.SEE_IDENTITY: frozenset({CM, PM, ADMIN}),
    Action.SEE_CASE_CONTENT: frozenset({CM, PM, ADMIN}),
    Action.REGISTER_PARTICIPANTS: frozenset({CM, PM}),
    Action.MOVE_PHASES: frozenset({CM, PM}),
    Action.UNDO_PHASE_MOVES: frozenset({CM, PM}),
    Action.ASSIGN_STAFF: frozenset({PM}),
    Action.CONFIGURE_PROGRAMS: frozenset({PM}),
    Action.SET_UP_PROGRAMS: frozenset({ADMIN}),
    Action.READ_CONFIGURATION: frozenset({CM, PM, PEER, EV, ADMIN}),
    Action.CONFIGURE_INSTRUMENTS: frozenset({PM, ADMIN}),
    Action.READ_INSTRUMENTS: frozenset({CM, PM, ADMIN}),
    Action.READ_AUDIT_LOG: frozenset({ADMIN}),
    Action.READ_CASE_NOTES: frozenset({CM, PM, ADMIN}),
    Action.RECORD_CONTACTS: frozenset({CM, PM, PEER}),
    Action.EDIT_CONTACTS: frozenset({CM, PM}),
    Action.READ_ASSESSMENTS: frozenset({CM, PM, ADMIN}),
    Action.RECORD_ASSESSMENTS: frozenset({CM, PM}),
    Action.DECIDE_ELIGIBILITY: frozenset({CM, PM}),
    Action.READ_PLANS: frozenset({CM, PM, ADMIN}),
    Action.WRITE_PLANS: frozenset({CM, PM}),
    Action.READ_REFERRALS: frozenset({CM, PM, ADMIN}),
    Action.MAKE_REFERRALS: frozenset({CM, PM}),
    Action.SEE_SESSIONS: frozenset({CM, PM, PEER, ADMIN}),
    Action.TAKE_ATTENDANCE: frozenset({CM, PM, PEER}),
    Action.WORK_OUTREACH: frozenset({CM, PM, PEER}),
    Action.LINK_OUTREACH: frozenset({CM, PM}),
    Action.SEE_CASELOADS: frozenset({CM, PM}),
    Action.BALANCE_CASELOADS: frozenset({PM}),
    Action.CHECK_DUPLICATES: frozenset({PM}),
    Action.TAKE_PART_IN_SUPERVISION: frozenset({CM, PM}),
    Action.IMPORT_RECORDS: frozenset({CM, PM}),
    Action.EXPORT_CASELOAD: frozenset({CM, PM}),
    Action.EXPORT_CONTACTS: frozenset({CM, PM, PEER}),
    Action.EXPORT_ATTENDANCE: frozenset({CM, PM, PEER}),
    Action.SEE_EVALUATION: frozenset({PM, EV}),
    Action.SEE_EXACT_FIGURES: frozenset({PM}),
    Action.TAKE_RESEARCH_EXPORT: frozenset({EV}),
    Action.NAME_FIDELITY_SHORTFALLS: frozenset({PM}),
    Action.SEE_RATINGS_CHART: frozenset({CM}),
    Action.USE_ADMIN_SITE: frozenset({ADMIN}),
    Action.MANAGE_STAFF: frozenset({ADMIN}),
    Action.BREAK_GLASS: frozenset({ADMIN}),
    Action.PROPOSE_ERASURE: frozenset({CM, PM}),
    Action.APPROVE_ERASURE: frozenset({PM}),
    Action.GIVE_HER_COPY: frozenset({CM, PM}),
}

# Roles that reach participants' records through the access rule (a role change to
# one of these, or more programs, teams or another agency for one, gives record
# access and so needs a second administrator's approval).
RECORD_ROLES = frozenset({CM, PM, PEER})


def roles_that_may(action: Action) -> frozenset[str]:
    return ROLES[action]


def _active(user: Someone) -> TypeGuard[User]:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def may(user: Someone, action: Action, target: Any = None) -> bool:
    """May `user` do `action` (to `target`: a Program, a staff account, or for an
    administrator a participant of her agency)? With no target: may her role do it at
    all. No query without a target."""
    if not _active(user) or getattr(user, "role", None) not in ROLES[action]:
        return False
    if target is None:
        return True
    from doorway.people.models import Participant, User

    if isinstance(target, Program):
        return programs_for(user, action).filter(pk=target.pk).exists()
    if isinstance(target, User):
        # Staff accounts: an administrator of the same agency, never her own.
        return (
            user.agency_id is not None
            and target.agency_id == user.agency_id
            and target.pk != user.pk
        )
    if isinstance(target, Participant) and user.role == ADMIN:
        # Breaking the glass: a participant of her own agency.
        return user.agency_id is not None and target.agency_id == user.agency_id
    # Whether she reaches a participant or an enrolment is the access rule's question
    # (`doorway.enrolments.access`), asked before this one, never answered here.
    raise TypeError(f"No capability rule for a {type(target).__name__}")


def programs_for(user: Someone, action: Action) -> QuerySet[Program]:
    """The programs in which `user` may do `action`.

    - administrator: her agency's programs (none without an agency);
    - evaluator, for the evaluation and configuration: the programs she is on, and
      every program of her agency;
    - everyone else: the programs she is on."""
    if not (may(user, action) and _active(user)):
        return Program.objects.none()
    if user.role == ADMIN:
        if user.agency_id is None:
            return Program.objects.none()
        return Program.objects.filter(agency=user.agency_id)
    if user.role == EV and user.agency_id is not None:
        return Program.objects.filter(
            pk__in=Program.objects.filter(Q(staff=user) | Q(agency_id=user.agency_id)).values("pk")
        )
    return Program.objects.filter(staff=user)


def staff_for(user: Someone) -> QuerySet[User]:
    """The staff accounts whose access `user` manages: her agency's, herself included
    (she sees her own account, and may not change it)."""
    from doorway.people.models import User

    if not (may(user, Action.MANAGE_STAFF) and _active(user)) or user.agency_id is None:
        return User.objects.none()
    return User.objects.filter(agency=user.agency_id)
