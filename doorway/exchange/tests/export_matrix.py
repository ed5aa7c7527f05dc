"""Permission-matrix rows for the exports (gathered by doorway/tests/test_permission_matrix.py).

Her contacts, exported from her record, follow the record rule: whoever does not reach
her gets 404, audited; an administrator who broke the glass reads her record but never
takes a file of it (403). The other exports are role pages: a case manager and a
program manager (of any agency: each gets her own) export; a peer mentor exports her
peer contacts and the registers she sees, not a caseload; an evaluator and an
administrator have no exports here (404), and a session of another agency answers 404.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from doorway.dropins.actions import start_session
from doorway.people.capabilities import Action
from doorway.testing.matrix import NOT_FOUND, OK, Endpoint, by_capability

EXPORTERS = by_capability(Action.EXPORT_CONTACTS, may_not=NOT_FOUND)
CASELOADS = by_capability(Action.EXPORT_CASELOAD, eve=NOT_FOUND, ada=NOT_FOUND)
# A register of Harbour House: the other agency's staff do not reach it; the
# administrator reads it on its page but takes no file of it.
REGISTER = by_capability(Action.EXPORT_ATTENDANCE, eve=NOT_FOUND, olive=NOT_FOUND, oscar=NOT_FOUND)

ENDPOINTS = [
    Endpoint("exports", "GET", lambda w, x: reverse("exports"), about_her=False, roles=EXPORTERS),
    Endpoint(
        "export_caseload",
        "GET",
        lambda w, x: reverse("export_caseload") + "?as=xlsx",
        about_her=False,
        roles=CASELOADS,
    ),
    Endpoint(
        "export_contacts",
        "GET",
        lambda w, x: reverse("export_contacts") + "?as=csv",
        about_her=False,
        roles=EXPORTERS,
    ),
    Endpoint(
        "export_contacts",
        "GET",
        lambda w, x: f"{reverse('export_contacts')}?as=csv&enrolment={w.rosa_enrolment.pk}",
        peer_mentor=OK,
        glass_reads=False,
    ),
    Endpoint(
        "export_attendance",
        "GET",
        lambda w, x: reverse("export_attendance") + "?as=csv",
        about_her=False,
        roles=EXPORTERS,
    ),
    Endpoint(
        "export_attendance",
        "GET",
        lambda w, x: f"{reverse('export_attendance')}?as=xlsx&session={x['export_session'].pk}",
        about_her=False,
        roles=REGISTER,
    ),
]


def setup(world: Any) -> dict[str, Any]:
    session = start_session(
        world.program, by=world.alice, kind="drop_in", held_on=timezone.localdate()
    )
    return {"export_session": session}


def snapshot(world: Any) -> tuple[object, ...]:
    # Exports write nothing but their audit entry.
    return ()
