"""Breaking the glass: an administrator opens one record, for a while, with a reason."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone
from django.utils.formats import date_format

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.people.models import BreakGlass
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

REASON = "Police ask whether she is safe after a report tonight; her worker is away."
REFUSED = ["alice", "pat", "morgan", "eve", "olive", "oscar"]


@pytest.fixture
def ada(client, world: World):
    return signed_in(client, world.ada)


def test_breaking_the_glass_opens_her_record(ada, world: World) -> None:
    url = f"/participants/{world.rosa.pk}/"
    assert ada.get(url).status_code == 404
    response = ada.post("/audit/break-glass/", {"code": world.rosa.code.lower(), "reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == url
    assert ada.get(url).status_code == 200
    entry = AuditEntry.objects.get(action=Action.BREAK_GLASS)
    assert entry.reason == REASON
    assert entry.participant_id == str(world.rosa.pk)
    # Only her: the glass is broken for one record.
    assert ada.get(f"/participants/{world.tess.pk}/").status_code == 404


def test_the_access_ends_by_itself(ada, world: World, settings) -> None:
    ada.post("/audit/break-glass/", {"code": world.rosa.code, "reason": REASON})
    url = f"/participants/{world.rosa.pk}/"
    later = timezone.now() + datetime.timedelta(minutes=settings.BREAK_GLASS_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        signed_in(ada, world.ada)
        assert ada.get(url).status_code == 404
        assert world.rosa.code not in ada.get("/audit/break-glass/").content.decode()


def test_her_open_accesses_are_listed_with_their_expiry(ada, world: World) -> None:
    ada.post("/audit/break-glass/", {"code": world.rosa.code, "reason": REASON})
    grant = BreakGlass.objects.get()
    page = ada.get("/audit/break-glass/").content.decode()
    assert world.rosa.code in page
    # In the page's date-and-time style, with the exact moment for machines.
    assert f'datetime="{timezone.localtime(grant.expires_at).isoformat()}"' in page
    assert date_format(timezone.localtime(grant.expires_at), "DATETIME_FORMAT") in page
    assert "Rosa" not in page


def test_a_short_reason_is_refused(ada, world: World) -> None:
    response = ada.post("/audit/break-glass/", {"code": world.rosa.code, "reason": "need it"})
    assert response.status_code == 400
    assert 'id="id_reason_error"' in response.content.decode()
    assert not BreakGlass.objects.exists()


def test_a_blank_padded_reason_is_refused(ada, world: World) -> None:
    response = ada.post("/audit/break-glass/", {"code": world.rosa.code, "reason": "x" + " " * 30})
    assert response.status_code == 400
    assert not BreakGlass.objects.exists()


def test_an_unknown_code_is_refused(ada, world: World) -> None:
    response = ada.post("/audit/break-glass/", {"code": "EDH-NOSUCH", "reason": REASON})
    assert response.status_code == 400
    assert "No participant has that code." in response.content.decode()
    assert not BreakGlass.objects.exists()


def test_another_agencys_participant_is_refused(ada, world: World) -> None:
    response = ada.post("/audit/break-glass/", {"code": world.vera.code, "reason": REASON})
    assert response.status_code == 400
    # As for a code nobody has (test_break_glass_no_code_oracle).
    assert "No participant has that code." in response.content.decode()
    assert not BreakGlass.objects.exists()


@pytest.mark.parametrize("username", REFUSED)
def test_other_roles_cannot_break_the_glass(client, world: World, username: str) -> None:
    signed_in(client, world.staff()[username])
    assert client.get("/audit/break-glass/").status_code == 404
    response = client.post("/audit/break-glass/", {"code": world.rosa.code, "reason": REASON})
    assert response.status_code == 404
    assert not BreakGlass.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.BREAK_GLASS).exists()


def test_an_anonymous_visitor_cannot_break_the_glass(client, world: World) -> None:
    response = client.post("/audit/break-glass/", {"code": world.rosa.code, "reason": REASON})
    assert response.status_code == 302
    assert not BreakGlass.objects.exists()
