"""Staff roles and what each may do. The per-record rule is `visible_to(user)` in
`doorway.people.access`; these are the per-role capabilities it and the pages use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from doorway.people.models import User


class Role(models.TextChoices):
    # Carries a caseload: intake, assessments, plans, contacts, phase moves.
    CASE_MANAGER = "case_manager", "Case manager"
    # Drop-ins, groups and peer contacts for the participants assigned to her.
    PEER_MENTOR = "peer_mentor", "Peer mentor"
    # Supervises the program: all its participants, staff caseloads, configuration.
    PROGRAM_MANAGER = "program_manager", "Program manager"
    # De-identified, consented data only.
    EVALUATOR = "evaluator", "Evaluator"
    # Accounts and configuration; case content only by breaking the glass.
    ADMINISTRATOR = "administrator", "Administrator"


def sees_identity(user: User) -> bool:
    """Legal name, date of birth, phone, email, aliases, safe-contact instructions."""
    return user.role in {Role.CASE_MANAGER, Role.PROGRAM_MANAGER, Role.ADMINISTRATOR}


def sees_case_content(user: User) -> bool:
    """Consents, eligibility reasons, phase-move reasons, and later assessments and notes."""
    return user.role in {Role.CASE_MANAGER, Role.PROGRAM_MANAGER, Role.ADMINISTRATOR}


def registers_participants(user: User) -> bool:
    return user.role in {Role.CASE_MANAGER, Role.PROGRAM_MANAGER}


def moves_phases(user: User) -> bool:
    return user.role in {Role.CASE_MANAGER, Role.PROGRAM_MANAGER}


def assigns_staff(user: User) -> bool:
    return user.role == Role.PROGRAM_MANAGER


def configures_programs(user: User) -> bool:
    return user.role == Role.PROGRAM_MANAGER


def reads_audit_log(user: User) -> bool:
    return user.role == Role.ADMINISTRATOR
