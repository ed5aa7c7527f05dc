"""A query parameter the operation does not take is refused by name.

The slip that leaks: `?cycles=` where the list takes `?cycle=` (or the other way round)
was ignored, and the answer was the whole reach instead of the one cycle asked for.
Now every list and action of the API answers 400 problem+json naming the parameter.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from doorway.conftest import World
from doorway.enrolments.models import JourneyEvent

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def refused_naming(response: Any, name: str) -> None:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert name in body["errors"], body
    assert name in body["detail"]


def test_a_misspelt_filter_is_refused_not_ignored(world: World) -> None:
    client = api(world.alice)
    cycle = world.rosa_enrolment.cycle_id
    refused_naming(client.get("/api/v1/enrolments/", {"cycles": str(cycle)}), "cycles")
    refused_naming(client.get("/api/v1/participants/", {"progam": str(world.program.pk)}), "progam")
    refused_naming(
        client.get("/api/v1/contacts/", {"happened_after": "2026-01-01"}), "happened_after"
    )


def test_a_detail_read_and_an_action_refuse_unknown_parameters(world: World) -> None:
    client = api(world.alice)
    enrolment = f"/api/v1/enrolments/{world.rosa_enrolment.pk}/"
    refused_naming(client.get(enrolment, {"fields": "all"}), "fields")
    refused_naming(client.get(enrolment + "moves/", {"page": "2"}), "page")
    one = world.program.active_phases()[1]
    events = JourneyEvent.objects.count()
    response = client.post(
        enrolment + "moves/?dry_run=1", {"to_phase": str(one.pk)}, format="json", HTTP_IF_MATCH="*"
    )
    refused_naming(response, "dry_run")
    assert JourneyEvent.objects.count() == events


def test_filters_paging_and_format_are_accepted(world: World) -> None:
    client = api(world.alice)
    cycle = world.rosa_enrolment.cycle_id
    response = client.get(
        "/api/v1/enrolments/",
        {"cycle": str(cycle), "page": "1", "page_size": "10", "format": "json"},
    )
    assert response.status_code == 200, response.json()
    response = client.get(
        "/api/v1/contacts/",
        {
            "happened_on_after": "2026-01-01",
            "happened_on_before": "2026-12-31",
            "kind": "counselling",
        },
    )
    assert response.status_code == 200, response.json()


def test_every_query_parameter_the_schema_documents_is_accepted(world: World) -> None:
    """No documented parameter is refused as unknown (its value may still be refused)."""
    schema = APIClient().get("/api/v1/schema/").json()
    client = api(world.morgan)
    checked = 0
    for path, item in schema["paths"].items():
        if "{" in path:
            continue
        operation = item.get("get")
        if operation is None:
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            name = parameter["name"]
            response = client.get(path, {name: "1"})
            body = response.json() if response.status_code == 400 else {}
            assert name not in body.get("errors", {}) or "Unknown" not in str(
                body["errors"][name]
            ), (
                path,
                name,
                body,
            )
            checked += 1
    assert checked > 20
