"""The fidelity review through the API: draw, list, read a record's evidence, rate,
results; bad input refused with nothing changed; other roles and programs refused; every
operation in the OpenAPI schema."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.enrolments.models import Enrolment
from doorway.fidelity_review.models import FidelityReview, ItemRating

pytestmark = pytest.mark.django_db

BASE = "/api/v1/fidelity-reviews/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_draw_read_rate_and_see_the_results(world: World, women: list[Enrolment]) -> None:
    api = client_for(world.morgan)
    made = api.post(
        BASE, {"program": world.program.slug, "sample_size": 3, "seed": 8}, format="json"
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["seed"], body["sample_size"], body["population_size"]) == (8, 3, 6)
    assert [r["position"] for r in body["records"]] == [1, 2, 3]
    again = api.post(
        BASE, {"program": world.program.slug, "sample_size": 3, "seed": 8}, format="json"
    )
    first, second = (
        FidelityReview.objects.get(pk=body["id"]),
        FidelityReview.objects.get(pk=again.json()["id"]),
    )
    assert list(first.records.values_list("enrolment", flat=True)) == list(
        second.records.values_list("enrolment", flat=True)
    )
    listed = api.get(BASE, {"program": world.program.slug})
    assert listed.status_code == 200
    assert {r["id"] for r in listed.json()} == {body["id"], again.json()["id"]}

    record = api.get(f"{BASE}{body['id']}/records/2/")
    assert record.status_code == 200
    items = record.json()["items"]
    assert [i["item"] for i in items][:2] == ["nine_months", "equal_phases"]
    assert all(i["evidence"] and i["rating"] is None for i in items)
    her = first.records.get(position=2).enrolment.participant
    assert her.code not in record.content.decode()

    computed = first.records.get(position=2).computed["nine_months"]
    agreeing = {"pass": "met", "fail": "not_met"}[computed]
    rated = api.post(
        f"{BASE}{body['id']}/records/2/ratings/",
        {"ratings": {"nine_months": agreeing, "early_linking": "cant_tell"}},
        format="json",
    )
    assert rated.status_code == 200, rated.content
    assert {i["item"]: i["rating"] for i in rated.json()["items"]}["nine_months"] == agreeing
    assert AuditEntry.objects.filter(action="change", detail__fidelity_review="rated").count() == 1

    results = api.get(f"{BASE}{body['id']}/results/")
    assert results.status_code == 200
    row = next(r for r in results.json()["items"] if r["item"] == "nine_months")
    assert (row["reviewer_judged"], row["n"], row["agreed"]) == (1, 1, 1)
    # One record rated, alike: chance agreement is total, kappa is not defined.
    assert row["kappa"] is None


def test_bad_input_is_refused_and_changes_nothing(world: World, women: list[Enrolment]) -> None:
    api = client_for(world.eve)
    for body in (
        {"program": world.program.slug, "sample_size": 0},
        {"program": world.program.slug, "sample_size": 3, "seed": -1},
        {"program": world.program.slug, "sample_size": 3, "colour": "blue"},
    ):
        assert api.post(BASE, body, format="json").status_code == 400, body
    assert not FidelityReview.objects.exists()
    review = (
        client_for(world.morgan)
        .post(BASE, {"program": world.program.slug, "sample_size": 2, "seed": 1}, format="json")
        .json()
    )
    url = f"{BASE}{review['id']}/records/1/ratings/"
    bad: tuple[dict[str, object], ...] = (
        {"ratings": {"nine_months": "perhaps"}},
        {"ratings": {"no_such_item": "met"}},
        {"ratings": {"nine_months": "met"}, "more": 1},
    )
    for body in bad:
        assert api.post(url, body, format="json").status_code == 400, body
    assert not ItemRating.objects.exists()
    assert api.get(BASE, {"program": world.program.slug, "colour": "blue"}).status_code == 400


def test_other_roles_and_programs_are_refused(world: World, women: list[Enrolment]) -> None:
    review = (
        client_for(world.morgan)
        .post(BASE, {"program": world.program.slug, "sample_size": 2, "seed": 1}, format="json")
        .json()
    )
    for who in (world.alice, world.pat, world.ada):
        api = client_for(who)
        assert api.get(f"{BASE}{review['id']}/").status_code == 403
        assert api.get(f"{BASE}{review['id']}/records/1/").status_code == 403
        assert (
            api.post(
                f"{BASE}{review['id']}/records/1/ratings/",
                {"ratings": {"nine_months": "met"}},
                format="json",
            ).status_code
            == 403
        )
        assert (
            api.post(
                BASE, {"program": world.program.slug, "sample_size": 1}, format="json"
            ).status_code
            == 403
        )
    olive = client_for(world.olive)
    assert olive.get(f"{BASE}{review['id']}/").status_code == 404
    assert olive.get(f"{BASE}{review['id']}/results/").status_code == 404
    assert olive.get(BASE, {"program": world.program.slug}).status_code == 404
    assert FidelityReview.objects.count() == 1
    assert not ItemRating.objects.exists()


def test_every_operation_is_in_the_schema(db: None) -> None:
    schema = APIClient().get("/api/v1/schema/").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths[BASE])
    assert "get" in paths[BASE + "{id}/"]
    assert "get" in paths[BASE + "{id}/records/{position}/"]
    assert "post" in paths[BASE + "{id}/records/{position}/ratings/"]
    assert "get" in paths[BASE + "{id}/results/"]
