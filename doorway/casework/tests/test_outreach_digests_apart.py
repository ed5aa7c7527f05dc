"""Outreach nicknames cannot be joined to participants' names in the database.

The attack: whoever reads the database (a backup, a stolen copy, a curious operator)
holds the blind-index digests of participants' names and of outreach nicknames. When
the two were made with the same key, `outreach.nickname_digest = name_digest.digest`
tied the places and dates where outreach met a woman to her record, without any key.
Now the outreach digest is made with a key of its own (derived for that purpose), so
the two sets of digests never meet; finding outreach by a typed nickname still works.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection

from doorway.casework.models import OutreachContact
from doorway.casework.tests.helpers import an_outreach
from doorway.conftest import World
from doorway.encryption import blind_index, outreach_nickname_digest
from doorway.people.models import NameDigest

pytestmark = pytest.mark.django_db


def test_no_outreach_digest_equals_any_name_digest(world: World) -> None:
    # Rosa's preferred name is "Rosa"; outreach met a woman it knew as "Rosa".
    an_outreach(world, nickname="Rosa")
    an_outreach(world, nickname="rosa example")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM casework_outreachcontact o "
            "JOIN people_namedigest n ON n.digest = o.nickname_digest"
        )
        (joined,) = cursor.fetchone()
    assert NameDigest.objects.filter(participant=world.rosa).exists()
    assert joined == 0


def test_a_typed_nickname_still_finds_her_outreach(world: World) -> None:
    rosa = an_outreach(world, nickname="Rosa")
    found = OutreachContact.objects.with_nickname(" ROSA ")
    assert list(found) == [rosa]
    from doorway.casework.outreach.actions import linkable_for

    assert list(linkable_for(world.rosa_enrolment, "rosa")) == [rosa]


def test_the_migration_re_digests_existing_outreach(world: World) -> None:
    """Rows written before the change (digested with the names' key) are re-digested
    from their encrypted nickname."""
    old = an_outreach(world, nickname="Sunny")
    none = an_outreach(world, nickname="")
    OutreachContact.objects.filter(pk=old.pk).update(nickname_digest=blind_index("Sunny"))
    migration = import_module("doorway.casework.migrations.0005_outreach_digest_own_key")
    migration.redigest(apps, None)
    old.refresh_from_db()
    none.refresh_from_db()
    assert old.nickname_digest == outreach_nickname_digest("Sunny") != blind_index("Sunny")
    assert none.nickname_digest == ""
    migration.digest_as_names(apps, None)
    old.refresh_from_db()
    assert old.nickname_digest == blind_index("Sunny")
