"""A program manager's possible duplicates: what a worker's lookup matched in a record
the worker cannot open. She reads them, checks, and clears them; nobody else can."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from doorway.audit.models import Action, AuditEntry
from doorway.caseload.duplicates import record_notices
from doorway.caseload.models import DuplicateNotice
from doorway.conftest import World
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

PAGE = reverse("duplicate_notices")


def _notice(world: World) -> DuplicateNotice:
    (notice,) = record_notices(world.alice, [world.uma], registered=world.rosa)
    return notice


def test_her_program_manager_sees_who_looked_and_which_records(
    client: Client, world: World
) -> None:
    notice = _notice(world)
    assert notice.recipient == world.morgan
    signed_in(client, world.morgan)
    page = client.get(PAGE).content.decode()
    assert world.uma.code in page
    assert world.rosa.code in page
    assert "alice" in page.lower() or world.alice.get_full_name() in page
    assert reverse("participant_detail", args=[world.uma.pk]) in page
    overview = client.get(reverse("caseload_overview")).content.decode()
    assert "1 possible duplicate registration to check" in overview


def test_she_clears_it_once_checked_and_it_is_audited(client: Client, world: World) -> None:
    notice = _notice(world)
    signed_in(client, world.morgan)
    response = client.post(reverse("duplicate_notice_resolve", args=[notice.pk]))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.resolved_by == world.morgan
    assert notice.resolved_at is not None
    assert world.uma.code not in client.get(PAGE).content.decode()
    entry = AuditEntry.objects.get(action=Action.CHANGE, object_id=str(notice.pk))
    assert entry.actor_id == str(world.morgan.pk)


def test_another_manager_cannot_read_or_clear_it(client: Client, world: World) -> None:
    notice = _notice(world)
    signed_in(client, world.olive)
    assert world.uma.code not in client.get(PAGE).content.decode()
    response = client.post(reverse("duplicate_notice_resolve", args=[notice.pk]))
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.resolved_at is None


def test_the_worker_who_looked_cannot_see_or_clear_it(client: Client, world: World) -> None:
    notice = _notice(world)
    signed_in(client, world.alice)
    assert client.get(PAGE).status_code == 403
    assert client.post(reverse("duplicate_notice_resolve", args=[notice.pk])).status_code == 403
    notice.refresh_from_db()
    assert notice.resolved_at is None


def test_lookups_again_count_on_the_open_notice_and_a_new_one_opens_after_it_is_cleared(
    world: World,
) -> None:
    first = _notice(world)
    record_notices(world.alice, [world.uma])
    assert DuplicateNotice.objects.get().lookups == 2
    first.resolved_at = first.last_noticed_at
    first.save()
    record_notices(world.alice, [world.uma])
    assert DuplicateNotice.objects.open().count() == 1
    assert DuplicateNotice.objects.count() == 2
