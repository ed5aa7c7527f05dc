"""The admin pages of installed libraries are scoped to the administrator's agency (she
is a superuser in the demo, and a superuser sees every registered model): axes' access
attempts show and delete only her own agency's staff's; the access and failure logs,
allauth's sessions and email addresses and the task results are not in the admin."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from axes.models import AccessAttempt, AccessLog

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

ATTEMPTS = "/admin/axes/accessattempt/"


def _attempt(username: str) -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=username,
        ip_address="198.51.100.7",
        user_agent="agent-of-" + username,
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )


@pytest.fixture
def attempts(world: World) -> tuple[AccessAttempt, AccessAttempt]:
    return _attempt("alice"), _attempt("oscar")


def test_she_lists_her_own_agencys_attempts_and_not_anothers(
    client, world: World, attempts
) -> None:
    signed_in(client, world.ada)
    page = client.get(ATTEMPTS).content.decode()
    assert "agent-of-alice" in page
    assert "agent-of-oscar" not in page
    assert client.get(f"{ATTEMPTS}{attempts[1].pk}/change/").status_code in (302, 404)


def test_she_cannot_delete_another_agencys_attempt(client, world: World, attempts) -> None:
    signed_in(client, world.ada)
    oscars = attempts[1]
    client.post(f"{ATTEMPTS}{oscars.pk}/delete/", {"post": "yes"})
    client.post(
        ATTEMPTS,
        {"action": "delete_selected", "_selected_action": [str(oscars.pk)], "post": "yes"},
    )
    assert AccessAttempt.objects.filter(pk=oscars.pk).exists()


def test_she_lifts_her_own_staffs_lockout_and_it_is_audited(client, world: World, attempts) -> None:
    signed_in(client, world.ada)
    alices = attempts[0]
    client.post(
        ATTEMPTS,
        {
            "action": "delete_selected",
            "_selected_action": [str(alices.pk), str(attempts[1].pk)],
            "post": "yes",
        },
    )
    assert not AccessAttempt.objects.filter(pk=alices.pk).exists()
    assert AccessAttempt.objects.filter(pk=attempts[1].pk).exists()
    entry = AuditEntry.objects.filter(action=Action.CHANGE, detail__lockout="lifted").get()
    assert entry.object_id == str(world.alice.pk)
    assert entry.actor_id == str(world.ada.pk)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/axes/accesslog/",
        "/admin/axes/accessfailurelog/",
        "/admin/usersessions/usersession/",
        "/admin/account/emailaddress/",
        "/admin/django_tasks_database/dbtaskresult/",
    ],
)
def test_the_other_library_pages_are_not_in_the_admin(client, world: World, url: str) -> None:
    signed_in(client, world.ada)
    assert client.get(url).status_code == 404


def test_another_agencys_sessions_email_addresses_and_logs_cannot_be_deleted(
    client, world: World
) -> None:
    signed_in(client, world.oscar)
    signed_in(client, world.ada)
    email = EmailAddress.objects.create(user=world.oscar, email="oscar@example.org")
    log = AccessLog.objects.create(
        username="oscar",
        ip_address="198.51.100.7",
        user_agent="x",
        http_accept="*/*",
        path_info="/accounts/login/",
    )
    sessions = UserSession.objects.filter(user=world.oscar).count()
    assert sessions
    for url, pk in [
        ("/admin/account/emailaddress/", email.pk),
        ("/admin/axes/accesslog/", log.pk),
        (
            "/admin/usersessions/usersession/",
            UserSession.objects.filter(user=world.oscar).first().pk,
        ),
    ]:
        client.post(f"{url}{pk}/delete/", {"post": "yes"})
        client.post(
            url, {"action": "delete_selected", "_selected_action": [str(pk)], "post": "yes"}
        )
    assert EmailAddress.objects.filter(pk=email.pk).exists()
    assert AccessLog.objects.filter(pk=log.pk).exists()
    assert UserSession.objects.filter(user=world.oscar).count() == sessions
