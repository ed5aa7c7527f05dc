"""Review: a session's register names the women the caller reaches; read with a token,
its audit entry must name the token's prefix, as every other API read does, so that
whatever a lost token read can be found."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.api.tokens import issue_token
from doorway.audit.models import Action, AuditEntry
from doorway.dropins.actions import mark_attendance, start_session
from doorway.testing.signin import give_totp

pytestmark = pytest.mark.django_db


def test_a_register_read_with_a_token_names_the_token(world) -> None:
    session = start_session(
        world.program, by=world.alice, kind="drop_in", held_on=timezone.localdate()
    )
    mark_attendance(session, world.rosa_enrolment, by=world.alice)
    give_totp(world.alice)
    token, secret = issue_token(world.alice, name="Script", scope="read", days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get(f"/api/v1/sessions/{session.pk}/").status_code == 200
    entry = AuditEntry.objects.filter(action=Action.VIEW, object_id=str(session.pk)).latest("id")
    assert str(world.rosa.pk) in entry.detail["shown"]
    assert entry.detail["token"] == token.prefix
    assert client.get("/api/v1/sessions/").status_code == 200
    listed = AuditEntry.objects.filter(action=Action.LIST).latest("id")
    assert listed.detail["token"] == token.prefix
