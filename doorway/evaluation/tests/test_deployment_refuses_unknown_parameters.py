"""The deployment table takes no parameters: a misspelt or invented one (`?cycle=`,
`?enrolled_from=`) is refused with a 400 naming it, as the outcomes API does, never
silently ignored with the whole table given as if it had been understood."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World

pytestmark = pytest.mark.django_db

URL = "/api/v1/evaluation/deployment/"


@pytest.mark.parametrize("query", [{"cycle": "1"}, {"enrolled_from": "2026-01-01", "x": "y"}])
def test_an_unknown_parameter_is_refused_by_name(world: World, query: dict[str, str]) -> None:
    client = APIClient()
    client.force_authenticate(world.eve)
    before = AuditEntry.objects.filter(action=Action.VIEW).count()
    response = client.get(URL, query)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(query)
    assert AuditEntry.objects.filter(action=Action.VIEW).count() == before


def test_the_table_without_parameters_is_still_given(world: World) -> None:
    client = APIClient()
    client.force_authenticate(world.eve)
    assert client.get(URL).status_code == 200
    assert client.get(URL, {"format": "json"}).status_code == 200
