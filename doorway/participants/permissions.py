"""Who may list and search participants: whoever the access rule lets reach records at
all (case managers, program managers, peer mentors, and administrators, who find only
the women they have broken the glass for). The participant list, its search and the
search box in the navigation ask this, and nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING

from doorway.enrolments.reach import reaches_records

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone


def searches_participants(user: Someone) -> bool:
    return reaches_records(user)
