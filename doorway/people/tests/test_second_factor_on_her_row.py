"""Whether she has a second factor is read from her own row (`User.has_second_factor`),
kept equal to her authenticators: no page asks for them, and a stale "yes" never lets
an account without one through."""

from __future__ import annotations

import importlib

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from doorway.api.second_factor import remove_authenticator
from doorway.people.models import User
from doorway.testing.signin import give_totp, signed_in

ACTIVATE = reverse("mfa_activate_totp")


def _has(user: User) -> bool:
    return User.objects.values_list("has_second_factor", flat=True).get(pk=user.pk)


def test_a_signed_in_page_asks_nothing_about_her_authenticators(client: Client, world) -> None:
    """An ordinary account (not a demo one): neither the middleware nor the tokens page
    asks for her authenticators; her row, loaded anyway, says it."""
    signed_in(client, world.alice)
    client.get(reverse("token_list"))  # first-use caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("token_list")).status_code == 200
        assert client.get("/").status_code == 200
    asked = [q["sql"] for q in captured if "mfa_authenticator" in q["sql"]]
    assert asked == []


def test_the_row_follows_her_authenticators(world) -> None:
    assert not _has(world.alice)
    give_totp(world.alice)
    assert _has(world.alice)
    # Recovery codes alone are no second factor.
    Authenticator.objects.filter(user=world.alice, type=Authenticator.Type.TOTP).delete()
    assert Authenticator.objects.filter(user=world.alice).exists()
    assert not _has(world.alice)


def test_her_authenticator_removed_by_an_administrator_sends_her_to_set_up_again(
    client: Client, world
) -> None:
    """Her own session, signed in with her second factor, is sent to set up a new one
    at its next request once an administrator has removed it (a lost phone)."""
    signed_in(client, world.alice)
    assert client.get(reverse("token_list")).status_code == 200
    remove_authenticator(
        Authenticator.objects.get(user=world.alice, type=Authenticator.Type.TOTP), by=world.ada
    )
    response = client.get(reverse("token_list"))
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE
    assert client.get("/")["Location"] == ACTIVATE


def test_her_authenticator_deleted_by_any_path_sends_her_to_set_up_again(
    client: Client, world
) -> None:
    """Not only through `remove_authenticator`: the command, and a plain delete of the
    rows (a queryset's delete, as allauth's own flows and the admin's bulk action do)."""
    signed_in(client, world.alice)
    call_command("reset-second-factor", user="alice", stdout=None)
    assert client.get("/")["Location"] == ACTIVATE

    signed_in(client, world.bianca)
    Authenticator.objects.filter(user=world.bianca).delete()
    assert client.get("/")["Location"] == ACTIVATE


def test_her_loaded_row_changes_with_it(world) -> None:
    """The user an authenticator was read with follows it too (one request that removes
    it and then asks)."""
    give_totp(world.alice)
    authenticator = Authenticator.objects.select_related("user").get(
        user=world.alice, type=Authenticator.Type.TOTP
    )
    assert authenticator.user.has_second_factor
    authenticator.delete()
    assert not authenticator.user.has_second_factor


def test_the_migration_sets_the_row_from_the_authenticators_already_there(world) -> None:
    give_totp(world.alice)
    User.objects.update(has_second_factor=False)
    migration = importlib.import_module("doorway.people.migrations.0011_user_has_second_factor")
    migration.set_from_authenticators(apps, None)
    assert _has(world.alice)
    assert not _has(world.bianca)
