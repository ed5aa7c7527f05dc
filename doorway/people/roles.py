"""Staff roles. What each may see is `visible_to(user)` (`doorway.enrolments.access`); what
each may do is `doorway.people.capabilities`, to which the functions below delegate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from doorway.people.models import User


class Role(models.TextChoices):
    # Carries a caseload: intake, assessments, plans, contacts, phase moves.
    CASE_MANAGER = "case_manager", _("Case manager")
    # Drop-ins, groups and peer contacts for the participants assigned to her.
    PEER_MENTOR = "peer_mentor", _("Peer mentor")
    # Supervises the program: all its participants, staff caseloads, configuration.
    PROGRAM_MANAGER = "program_manager", _("Program manager")
    # De-identified, consented data only.
    EVALUATOR = "evaluator", _("Evaluator")
    # Accounts and configuration; case content only by breaking the glass.
    ADMINISTRATOR = "administrator", _("Administrator")


# The decisions live in `doorway.people.capabilities`; these names read well in views.
# (Imported here, below `Role`, which capabilities imports.)
from doorway.people import capabilities  # noqa: E402


def sees_identity(user: User) -> bool:
    """Legal name, date of birth, phone, email, aliases, safe-contact instructions."""
    return capabilities.may(user, capabilities.Action.SEE_IDENTITY)


def sees_case_content(user: User) -> bool:
    """Consents, eligibility reasons, phase-move reasons, and later assessments and notes."""
    return capabilities.may(user, capabilities.Action.SEE_CASE_CONTENT)


def changes_records(user: User) -> bool:
    """Case and program managers change her record; a peer mentor and an administrator
    who broke the glass only read it."""
    return moves_phases(user)


def records_consents(user: User) -> bool:
    """Consent is case content that changes her record: the participant page, the
    enrolment page and the referral form ask this one question."""
    return changes_records(user) and sees_case_content(user)


def registers_participants(user: User) -> bool:
    return capabilities.may(user, capabilities.Action.REGISTER_PARTICIPANTS)


def moves_phases(user: User) -> bool:
    return capabilities.may(user, capabilities.Action.MOVE_PHASES)


def assigns_staff(user: User) -> bool:
    return capabilities.may(user, capabilities.Action.ASSIGN_STAFF)


def configures_programs(user: User) -> bool:
    return capabilities.may(user, capabilities.Action.CONFIGURE_PROGRAMS)


def reads_audit_log(user: User) -> bool:
    return capabilities.may(user, capabilities.Action.READ_AUDIT_LOG)
