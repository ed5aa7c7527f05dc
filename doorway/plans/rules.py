"""Who may do what with her plan, for someone who already reaches the enrolment
(`access_enrolment` decides that). A plan holds her words and private notes: a peer
mentor never reads it; an administrator reads it only through break-the-glass and never
writes."""

from __future__ import annotations

from typing import Any

from doorway.people.roles import Role

WRITERS = {Role.CASE_MANAGER, Role.PROGRAM_MANAGER}


def reads_plans(user: Any) -> bool:
    # An administrator reaches an enrolment only while her glass is broken.
    return user.role in {*WRITERS, Role.ADMINISTRATOR}


def writes_plans(user: Any) -> bool:
    return user.role in WRITERS
