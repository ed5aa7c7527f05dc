"""A case manager types names into the likely-duplicate check to learn whether a woman
is in another team's caseload. The answer for a real woman she cannot reach is the same,
byte for byte, as for a name nobody has; what she typed is audited as digests, never as
names; her program manager is told; and the lookups are limited."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.audit.models import Action, AuditEntry
from doorway.caseload.models import DuplicateNotice
from doorway.conftest import World
from doorway.encryption import blind_index
from doorway.enrolments.models import ReferralSource
from doorway.people.models import Participant
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

DUPLICATES = reverse("participant_duplicates")
REGISTER = reverse("participant_register")
# Uma Example is Bianca's (team South), out of Alice's reach (team North).
HIDDEN = "Uma Example"
INVENTED = "Zora Nobodyhere"


Run = Callable[[Callable[[], Any]], Any]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Run:
    """`committed(call)`: run `call()` as a request that commits, so that what it queues
    for after its commit (the program managers' notice) runs too."""

    def run(call: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def _check(client: Client, legal_name: str, committed: Run | None = None, **extra: str) -> bytes:
    def call() -> Any:
        return client.post(
            DUPLICATES,
            {"preferred_name": legal_name.split()[0], "legal_name": legal_name, **extra},
            headers={"HX-Request": "true"},
        )

    response = committed(call) if committed is not None else call()
    assert response.status_code == 200
    return bytes(response.content)


def test_while_typing_a_hidden_real_name_answers_as_an_invented_one(
    client: Client, world: World, committed: Run
) -> None:
    signed_in(client, world.alice)
    hidden, invented = _check(client, HIDDEN, committed), _check(client, INVENTED, committed)
    assert hidden == invented
    assert b"your program manager will be told" in hidden


def test_a_first_name_and_her_birth_date_answer_as_an_invented_birth_date(
    client: Client, world: World, committed: Run
) -> None:
    signed_in(client, world.alice)
    assert world.uma.date_of_birth is not None
    real = world.uma.date_of_birth.isoformat()
    other = (world.uma.date_of_birth + datetime.timedelta(days=1)).isoformat()
    with_hers = _check(client, "Uma Someone", committed, date_of_birth=real)
    with_other = _check(client, "Uma Someone", committed, date_of_birth=other)
    assert with_hers == with_other
    # ...and the match did reach her program manager.
    assert DuplicateNotice.objects.filter(match=world.uma).exists()


def form_data(world: World, legal_name: str) -> dict[str, object]:
    return {
        "preferred_name": legal_name.split()[0],
        "legal_name": legal_name,
        "aliases": "",
        "date_of_birth": "",
        "phone": "",
        "email": "",
        "safe_contact": "",
        "cycle": str(world.rosa_enrolment.cycle_id),
        "referral_source": ReferralSource.STREET_OUTREACH,
        "referred_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "case_manager": str(world.alice.pk),
        "peer_mentor": "",
    }


def test_registering_a_hidden_real_name_goes_as_registering_an_invented_one(
    client: Client, world: World, committed: Run
) -> None:
    signed_in(client, world.alice)
    answers = []
    for name in (HIDDEN, INVENTED):
        response = committed(lambda: client.post(REGISTER, form_data(world, name)))  # noqa: B023
        assert response.status_code == 302, response.content.decode()
        answers.append(response)
    assert Participant.objects.with_name(HIDDEN).count() == 2
    # The program manager is told which record the new one may duplicate.
    new = Participant.objects.with_name(HIDDEN).exclude(pk=world.uma.pk).get()
    notice = DuplicateNotice.objects.get(recipient=world.morgan, match=world.uma)
    assert notice.worker == world.alice
    assert notice.registered == new


def test_the_api_answers_a_hidden_real_name_as_an_invented_one(world: World) -> None:
    from doorway.api.tokens import issue_token
    from doorway.testing.signin import give_totp

    give_totp(world.alice)
    _, secret = issue_token(world.alice, name="Script", scope="write", days=1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    bodies = []
    for name in (HIDDEN, INVENTED):
        response = api.post(
            "/api/v1/participants/",
            {
                "preferred_name": name.split()[0],
                "identity": {"legal_name": name},
                "cycle": str(world.rosa_enrolment.cycle_id),
                "referral_source": "outreach",
                "referred_on": timezone.localdate().isoformat(),
                "case_manager": str(world.alice.pk),
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        bodies.append(response.json())
    assert sorted(bodies[0]) == sorted(bodies[1])
    assert "hidden_count" not in str(bodies)


def test_the_import_dry_run_says_the_same_of_a_hidden_real_name_as_of_an_invented_one(
    world: World, committed: Run
) -> None:
    from doorway.exchange.tests.importing_helpers import (
        PARTICIPANT_HEADER,
        csv_file,
        dry_run,
        messages,
        participant_row,
    )

    said = []
    for name in (HIDDEN, INVENTED):
        row = participant_row("P1", name.split()[0], dob="")
        row[2] = name
        data = csv_file(PARTICIPANT_HEADER, [row])
        job = committed(lambda: dry_run(world.alice, "participants", data))  # noqa: B023
        said.append(messages(job))
    assert said[0] == said[1] == []
    assert DuplicateNotice.objects.filter(recipient=world.morgan, match=world.uma).exists()


def test_every_lookup_is_audited_with_the_digest_never_the_name(
    client: Client, world: World
) -> None:
    signed_in(client, world.alice)
    _check(client, INVENTED)
    entry = AuditEntry.objects.get(action=Action.SEARCH)
    assert entry.detail["purpose"] == "duplicate_check"
    assert blind_index(INVENTED) in entry.detail["digests"]
    assert blind_index("Zora") in entry.detail["digests"]
    stored = entry.canonical().decode().lower()
    assert "zora" not in stored
    assert "nobodyhere" not in stored


def test_the_program_manager_who_reaches_both_is_told_and_nobody_else(
    client: Client, world: World, committed: Run
) -> None:
    signed_in(client, world.alice)
    _check(client, HIDDEN, committed)
    _check(client, HIDDEN, committed)
    notice = DuplicateNotice.objects.get()
    assert (notice.recipient, notice.worker, notice.match) == (world.morgan, world.alice, world.uma)
    assert notice.lookups == 2
    assert notice.registered is None
    # An invented name tells nobody anything.
    _check(client, INVENTED, committed)
    assert DuplicateNotice.objects.count() == 1


def test_past_the_hourly_limit_the_check_refuses_and_does_nothing(
    client: Client, world: World, settings: Any, committed: Run
) -> None:
    settings.DUPLICATE_CHECKS_PER_HOUR = 3
    signed_in(client, world.alice)
    # The clock stands still at the start of an hour: the limit is counted per hour.
    hour = timezone.now().replace(minute=0, second=5, microsecond=0)
    with time_machine.travel(hour, tick=False) as clock:
        for _ in range(3):
            _check(client, INVENTED)
        searches = AuditEntry.objects.filter(action=Action.SEARCH).count()
        refused = _check(client, HIDDEN, committed).decode()
        assert "checked many names in a short time" in refused
        assert "your program manager will be told" not in refused
        assert AuditEntry.objects.filter(action=Action.SEARCH).count() == searches
        assert not DuplicateNotice.objects.exists()
        # Registering is refused too, and nothing is saved.
        before = Participant.objects.count()
        response = committed(lambda: client.post(REGISTER, form_data(world, HIDDEN)))
        assert response.status_code == 429
        assert "checked many names in a short time" in response.content.decode()
        assert Participant.objects.count() == before
        assert not DuplicateNotice.objects.exists()
        # Another worker is not held back by Alice's lookups.
        other = Client()
        signed_in(other, world.amira)
        assert b"your program manager will be told" in _check(other, INVENTED)
        # The next hour, she checks again.
        clock.shift(datetime.timedelta(hours=1))
        signed_in(client, world.alice)
        assert b"your program manager will be told" in _check(client, INVENTED)
