"""Sign-in, failed sign-in, sign-out and lock-out are written to the audit log, with
the client's address and never a password."""

from __future__ import annotations

import json

from django.conf import settings
from django.test import Client
from django.urls import reverse

from doorway.audit.log import verify
from doorway.audit.models import Action, AuditEntry
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, totp_code

LOGIN = reverse("account_login")
ADDRESS = "10.1.2.3"


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_a_successful_sign_in_is_recorded_with_her_and_her_address(world) -> None:
    client = Client(REMOTE_ADDR=ADDRESS)
    secret = give_totp(world.alice)
    client.post(LOGIN, {"login": "alice", "password": DEFAULT_PASSWORD})
    assert _entries(Action.SIGN_IN) == []  # not until the second factor is given
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    [entry] = _entries(Action.SIGN_IN)
    assert entry.actor_id == str(world.alice.pk)
    assert entry.actor_username == "alice"
    assert entry.ip_address == ADDRESS
    assert entry.detail == {"second_factor": True}
    assert verify() is None


def test_a_wrong_password_is_recorded_with_the_username_but_not_the_password(world) -> None:
    client = Client(REMOTE_ADDR=ADDRESS)
    client.post(LOGIN, {"login": "Alice", "password": "hunter2-secret"})
    [entry] = _entries(Action.SIGN_IN_FAILED)
    assert entry.ip_address == ADDRESS
    assert entry.actor_id == ""
    assert entry.object_id == str(world.alice.pk)
    assert entry.detail == {"step": "password", "username": "alice"}
    assert "hunter2-secret" not in json.dumps(entry.detail) + entry.reason + entry.path


def test_an_unknown_username_is_not_kept(world) -> None:
    # People type their password into the username box.
    Client(REMOTE_ADDR=ADDRESS).post(LOGIN, {"login": "MyPassw0rd!", "password": "x"})
    [entry] = _entries(Action.SIGN_IN_FAILED)
    assert "MyPassw0rd" not in json.dumps(entry.detail)
    assert entry.detail == {"step": "password", "account": "unknown"}
    assert entry.object_id == ""


def test_a_wrong_second_factor_code_is_recorded(world) -> None:
    client = Client(REMOTE_ADDR=ADDRESS)
    give_totp(world.alice)
    client.post(LOGIN, {"login": "alice", "password": DEFAULT_PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": "000000"})
    [entry] = _entries(Action.SIGN_IN_FAILED)
    assert entry.detail == {"step": "second_factor", "username": "alice"}
    assert entry.ip_address == ADDRESS
    assert "000000" not in json.dumps(entry.detail)


def test_signing_out_is_recorded(world) -> None:
    client = Client(REMOTE_ADDR=ADDRESS)
    give_totp(world.alice)
    client.force_login(world.alice)
    client.post(reverse("account_logout"))
    [entry] = _entries(Action.SIGN_OUT)
    assert entry.actor_id == str(world.alice.pk)
    assert entry.ip_address == ADDRESS


def test_a_lock_out_is_recorded(world) -> None:
    client = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"login": "alice", "password": "wrong password"})
    [entry] = _entries(Action.LOCKED_OUT)
    assert entry.ip_address == ADDRESS
    assert entry.object_id == str(world.alice.pk)
    assert entry.detail == {"username": "alice", "failures": settings.AXES_FAILURE_LIMIT}
    # Trying again while locked is refused and recorded again.
    client.post(LOGIN, {"login": "alice", "password": DEFAULT_PASSWORD})
    assert len(_entries(Action.LOCKED_OUT)) == 2
    assert verify() is None


def test_setting_up_a_second_factor_is_recorded(world, django_capture_on_commit_callbacks) -> None:
    client = Client(REMOTE_ADDR=ADDRESS)
    client.post(LOGIN, {"login": "bianca", "password": DEFAULT_PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_activate_totp"), {"code": totp_code(page.context["form"].secret)})
    changes = [e.detail for e in _entries(Action.CHANGE) if e.actor_id == str(world.bianca.pk)]
    assert {"second_factor": "totp added"} in changes


def test_no_password_is_kept_by_the_lockout_records(world) -> None:
    from axes.models import AccessAttempt

    Client(REMOTE_ADDR=ADDRESS).post(LOGIN, {"login": "alice", "password": "hunter2-secret"})
    [attempt] = AccessAttempt.objects.all()
    assert "hunter2-secret" not in attempt.post_data
