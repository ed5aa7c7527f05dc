"""What the staff-account admin page, the administrator's home page and `doorway
reset-second-factor` tell a person goes through translation: under a language whose
catalogue marks every message it translates, each message comes out marked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from doorway.conftest import World
from doorway.people.admin import StaffAdmin
from doorway.testing.signin import give_totp, signed_in
from doorway.testing.translation import MARK, marked_language

pytestmark = pytest.mark.django_db


@pytest.fixture
def marked() -> Iterator[None]:
    with marked_language():
        yield


def test_the_staff_account_form_describes_its_access_fieldset_translated(marked) -> None:
    sections = {str(name): options for name, options in StaffAdmin.fieldsets}
    assert f"{MARK}Access" in sections
    assert str(sections[f"{MARK}Access"]["description"]).startswith(f"{MARK}Role, programs")


def test_refusing_another_accounts_password_page_is_translated(
    client, world: World, marked
) -> None:
    request = RequestFactory().get("/")
    request.user = world.ada
    staff_admin = admin.site._registry[type(world.ada)]
    assert isinstance(staff_admin, StaffAdmin)
    with pytest.raises(PermissionDenied) as refused:
        staff_admin.user_change_password(request, str(world.alice.pk))
    assert str(refused.value).startswith(MARK)
    # Last: a request's LocaleMiddleware puts its own language on for the thread.
    signed_in(client, world.ada)
    response = client.get(f"/admin/people/user/{world.alice.pk}/password/")
    assert response.status_code == 403


def test_the_administrators_home_card_is_translated(client, world: World) -> None:
    # A page is in the language of the request (her account's), never the marked one.
    world.ada.language = "fr-ca"
    world.ada.save(update_fields=["language"])
    signed_in(client, world.ada)
    page = client.get("/").content.decode()
    assert "Accès du personnel" in page
    assert "Comptes" in page


def test_reset_second_factor_reports_and_refuses_translated(world: World, marked, capsys) -> None:
    with pytest.raises(CommandError) as unknown:
        call_command("reset-second-factor", "--user", "nobody-here")
    assert str(unknown.value).startswith(MARK)
    with pytest.raises(CommandError) as none_set_up:
        call_command("reset-second-factor", "--user", "bianca")
    assert str(none_set_up.value).startswith(MARK)
    give_totp(world.alice)
    call_command("reset-second-factor", "--user", "alice")
    assert capsys.readouterr().out.startswith(f"{MARK}Removed the second factor of alice")
