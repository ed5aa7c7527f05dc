"""The permission matrix's vocabulary, shared by every app's rows.

Each app that serves pages about a participant lists its URLs in its own
`tests/matrix.py`: `ENDPOINTS`, plus `setup(world)` (records the URLs point at) and
`snapshot(world)` (everything a write of that app could change). The matrix test in
`doorway/tests/test_permission_matrix.py` visits every row as every role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from doorway.people.capabilities import ROLES, Action
from doorway.people.roles import Role

OK, FORBIDDEN, NOT_FOUND = "ok", 403, 404

# The staff of the shared world (doorway/conftest.py) by what they are to Rosa.
CASE_TEAM = ("alice", "amira")  # her case manager and a teammate
TEAMMATE = "amira"
MANAGER = ("morgan",)  # manages her program
PEER_MENTOR = ("pat",)  # mentors her
OUT_OF_REACH = ("bianca", "olive", "oscar", "eve", "ada")  # ada without a grant
EVERYONE = (*CASE_TEAM, *MANAGER, *PEER_MENTOR, *OUT_OF_REACH)
# Their roles (olive and oscar work at the other agency).
ROLE_OF = {
    "alice": Role.CASE_MANAGER,
    "amira": Role.CASE_MANAGER,
    "bianca": Role.CASE_MANAGER,
    "oscar": Role.CASE_MANAGER,
    "pat": Role.PEER_MENTOR,
    "morgan": Role.PROGRAM_MANAGER,
    "olive": Role.PROGRAM_MANAGER,
    "eve": Role.EVALUATOR,
    "ada": Role.ADMINISTRATOR,
}

Url = Callable[[Any, dict[str, Any]], str]
Payload = Callable[[Any, dict[str, Any]], dict[str, Any]]


@dataclass
class Endpoint:
    name: str
    method: str
    url: Url
    payload: Payload | None = None
    # About Rosa's record: the record rule applies, and whoever is out of reach gets
    # 404. Otherwise `roles` says what each role gets (a list, a form, a session).
    about_her: bool = True
    case_team: object = OK
    # Her case manager's teammate, when the rule tells them apart (undoing a move is
    # for her own case manager); None: as `case_team`.
    teammate: object | None = None
    manager: object = OK
    peer_mentor: object = FORBIDDEN
    # An administrator who broke the glass reads (GET) and never writes (POST: 403).
    # Forms that start a write are refused to her even as a GET.
    glass_reads: bool = True
    roles: dict[str, object] | None = None

    def expected(self, who: str) -> object:
        if not self.about_her:
            assert self.roles is not None, f"{self.name} needs its roles"
            return self.roles[who]
        if who == TEAMMATE and self.teammate is not None:
            return self.teammate
        if who in CASE_TEAM:
            return self.case_team
        if who in MANAGER:
            return self.manager
        if who in PEER_MENTOR:
            return self.peer_mentor
        return NOT_FOUND

    def expected_with_glass(self) -> object:
        if self.method == "POST" or not self.glass_reads:
            return FORBIDDEN
        return OK


def today() -> str:
    return timezone.localdate().isoformat()


def by_capability(
    action: Action, *, may_not: object = FORBIDDEN, **others: object
) -> dict[str, object]:
    """A role table read from the capability rule: OK for everyone whose role may do
    `action` (`capabilities.ROLES`), `may_not` for the others; `others` name those
    whose program or agency is out of reach (404)."""
    table: dict[str, object] = {
        who: OK if role in ROLES[action] else may_not for who, role in ROLE_OF.items()
    }
    table.update(others)
    return table


def same_for(roles: tuple[str, ...], outcome: object, **others: object) -> dict[str, object]:
    """A role table: these roles get `outcome`, the named others what they are given."""
    table: dict[str, object] = dict.fromkeys(roles, outcome)
    table.update(others)
    return table
