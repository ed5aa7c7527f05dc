"""Every list in the API shows only rows about participants its caller may reach.

Generic on purpose: it walks every resource registered with the router, so a resource
added later that forgets the access rule fails here without a test of its own. For each
row of each list, the viewset's own `participant_of` names the participant the row is
about; she must be in `participants_visible_to(caller)`. A row of a model that
leads to a participant (by its foreign keys) must name one.

A resource under another's record (her copy under her record, her disclosure log, a
consent's signed copy: a prefix with the record's id in it) is walked under records of
its parent resource: one the caller does not reach answers exactly as one that does not
exist (404, or the same 403 when her role may not use the resource at all), and what one
she reaches shows is about that record's participant only."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import models
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from doorway.api.tests.conftest import MakeClient
from doorway.api_urls import router
from doorway.conftest import World
from doorway.enrolments.access import participants_visible_to
from doorway.enrolments.models import Enrolment
from doorway.people.models import Participant, User

# Foreign keys followed to decide that a model's rows are about a participant.
DEPTH = 3
# The id of the record a resource sits under, in its prefix: `(?P<participant_id>…)`.
UNDER = re.compile(r"\(\?P<\w+>[^)]*\)")
# Records of its parent each caller asks a resource under a record about: so many she
# reaches and so many she does not.
SAMPLE = 2
# Lists that hold no record about a participant: a program's fidelity reviews are asked
# for by program (`?program=`), and show their sampled records without anything that
# names her, under the evaluation's own access rule (doorway/fidelity_review/tests).
NOT_ABOUT_HER = {"fidelity-reviews"}


def list_resources() -> list[tuple[str, Any]]:
    """The lists at a fixed address, `/api/v1/<prefix>/`."""
    return [
        (prefix, viewset)
        for prefix, viewset, _ in router.registry
        if hasattr(viewset, "list") and not UNDER.search(prefix) and prefix not in NOT_ABOUT_HER
    ]


def resources_under_a_record() -> list[tuple[str, Any, Any]]:
    """(prefix, viewset, the parent's viewset) of each resource whose address holds the
    id of another resource's record: `participants/(?P<participant_id>…)/copy` sits
    under `participants`."""
    flat = dict(list_resources())
    return [
        (prefix, viewset, flat[UNDER.split(prefix)[0].rstrip("/")])
        for prefix, viewset, _ in router.registry
        if hasattr(viewset, "list") and UNDER.search(prefix)
    ]


def address_under(prefix: str, record_id: Any) -> str:
    return f"/api/v1/{UNDER.sub(str(record_id), prefix)}/"


def leads_to_participant(model: type[models.Model], depth: int = DEPTH) -> bool:
    if model in (Participant, Enrolment):
        return True
    if depth == 0:
        return False
    return any(
        field.many_to_one or field.one_to_one
        for field in model._meta.get_fields()
        if field.concrete
        and field.related_model is not None
        and leads_to_participant(field.related_model, depth - 1)
    )


def view_for(viewset: Any, user: User) -> Any:
    view = viewset()
    request = Request(APIRequestFactory().get("/"))
    request.user = user
    view.request, view.format_kwarg, view.kwargs, view.action = request, None, {}, "list"
    return view


def rows_of(client: APIClient, url: str) -> Iterator[dict[str, Any]]:
    """Every row of a list, page by page."""
    while url:
        response = client.get(url)
        assert response.status_code in (200, 403), (url, response.status_code, response.content)
        if response.status_code == 403:  # her role may not use this resource at all
            return
        body = response.json()
        if isinstance(body, list):
            yield from body
            return
        yield from body["results"]
        url = body.get("next") or ""


def participant_id(value: Any) -> str | None:
    value = getattr(value, "pk", value)
    return str(value) if value else None


def reached_rows(client: APIClient, user: User) -> Iterator[tuple[str, Any, str | None]]:
    """(resource, row's instance, participant id) for every row of every list she sees."""
    for prefix, viewset in list_resources():
        view = view_for(viewset, user)
        model = view.base_queryset().model
        for row in rows_of(client, f"/api/v1/{prefix}/?page_size=500"):
            assert "id" in row, f"/api/v1/{prefix}/ rows must carry their id"
            instance = model._default_manager.get(pk=row["id"])
            yield prefix, instance, participant_id(view.participant_of(instance))


def reachable_detail_urls(world: World, user: User, participant: Participant) -> list[str]:
    """Detail addresses of records about `participant` that `user` reads in a list."""
    from doorway.api.tokens import issue_token
    from doorway.testing.signin import give_totp

    give_totp(user)
    _, secret = issue_token(user, name="Reach", scope="read", days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    details = [
        f"/api/v1/{prefix}/{instance.pk}/"
        for prefix, instance, pid in reached_rows(client, user)
        if pid == str(participant.pk) and hasattr(dict(list_resources())[prefix], "retrieve")
    ]
    # And what resources under a record of hers show her (her copy, her disclosure log).
    for prefix, _viewset, parent in resources_under_a_record():
        parents = view_for(parent, user)
        for record in parents.get_queryset():
            if participant_id(parents.participant_of(record)) == str(participant.pk):
                address = address_under(prefix, record.pk)
                if client.get(address).status_code == 200:
                    details.append(address)
    return details


@pytest.mark.django_db(transaction=False)
def test_every_list_shows_only_rows_about_participants_the_caller_reaches(
    demo_in_module: object, world: World, token_client: MakeClient
) -> None:
    # The demo's whole program beside the small world: plenty of rows of every kind,
    # in an agency none of the world's staff belong to.
    users = {**world.staff(), **{u.username: u for u in User.objects.filter(is_demo_account=True)}}
    checked: dict[str, int] = {}
    for username, user in users.items():
        reached = participants_visible_to(user).values_list("pk", flat=True)
        visible = {str(pk) for pk in reached}
        client = token_client(user, "read")
        for prefix, instance, pid in reached_rows(client, user):
            about_her = leads_to_participant(type(instance))
            if about_her:
                assert pid is not None, (
                    f"/api/v1/{prefix}/: participant_of says nothing for a "
                    f"{type(instance).__name__}, a record about a participant"
                )
            if pid is not None:
                assert pid in visible, (
                    f"{username} ({user.role}) sees a row of /api/v1/{prefix}/ about a "
                    "participant she may not reach"
                )
            checked[prefix] = checked.get(prefix, 0) + 1
    # Not a vacuous pass: the lists did show rows.
    assert sum(checked.values()) > 0, checked


def answer_of(response: Any) -> tuple[int, Any]:
    """A refusal as the caller reads it: its status and its problem's words."""
    return response.status_code, response.json().get("detail")


@pytest.mark.django_db(transaction=False)
def test_every_resource_under_a_record_answers_only_about_one_the_caller_reaches(
    demo_in_module: object, world: World, token_client: MakeClient
) -> None:
    users = {**world.staff(), **{u.username: u for u in User.objects.filter(is_demo_account=True)}}
    refused: dict[str, int] = {}
    shown = 0
    for prefix, viewset, parent in resources_under_a_record():
        refused[prefix] = 0
        for username, user in users.items():
            client = token_client(user, "read")
            parents = view_for(parent, user)
            model = parents.base_queryset().model
            reached = parents.get_queryset()
            beyond = model._default_manager.exclude(pk__in=reached.values("pk")).order_by("pk")
            nothing = answer_of(client.get(address_under(prefix, uuid.uuid4())))
            assert nothing[0] in (403, 404), (prefix, username, nothing)
            for record in beyond[:SAMPLE]:
                answer = answer_of(client.get(address_under(prefix, record.pk)))
                assert answer == nothing, (
                    f"{username} ({user.role}) is answered about a {model.__name__} she does "
                    f"not reach by /api/v1/{prefix}/ otherwise than about none: {answer}"
                )
                refused[prefix] += 1
            for record in reached.order_by("pk")[:SAMPLE]:
                response = client.get(address_under(prefix, record.pk))
                assert response.status_code in (200, 403, 404), (prefix, username, response)
                if response.status_code != 200:
                    continue
                shown += 1
                hers = participant_id(parents.participant_of(record))
                assert hers in {
                    str(pk) for pk in participants_visible_to(user).values_list("pk", flat=True)
                }
                body = response.json() if "json" in response["Content-Type"] else None
                rows = body if isinstance(body, list) else (body or {}).get("results")
                if rows is None:
                    continue  # one document, about the record in its address
                view = view_for(viewset, user)
                for row in rows:
                    instance = view.base_queryset().model._default_manager.get(pk=row["id"])
                    assert participant_id(view.participant_of(instance)) == hers, (
                        f"/api/v1/{prefix}/ under a record of one participant shows a row "
                        "about another"
                    )
    # Not a vacuous pass: records out of reach were asked about, and some answered.
    assert all(refused.values()), refused
    assert shown > 0
