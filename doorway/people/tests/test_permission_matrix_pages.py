"""Every participant and enrolment page, opened by every role and anonymously: the
answer is what the access rule and the role's capabilities say."""

from __future__ import annotations

import pytest
from django.urls import reverse

from doorway.conftest import World
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

PAGES = ["list", "register", "detail", "edit", "enrolment"]

# Rosa is Alice's participant on the North team (with Amira), mentored by Pat.
EXPECTED: dict[str, dict[str, int]] = {
    "alice": dict.fromkeys(PAGES, 200),
    "amira": dict.fromkeys(PAGES, 200),
    "morgan": dict.fromkeys(PAGES, 200),
    "bianca": {"list": 200, "register": 200, "detail": 404, "edit": 404, "enrolment": 404},
    "pat": {"list": 200, "register": 403, "detail": 200, "edit": 403, "enrolment": 200},
    "eve": dict.fromkeys(PAGES, 404),
    "ada": {"list": 200, "register": 403, "detail": 404, "edit": 404, "enrolment": 404},
    "olive": {"list": 200, "register": 200, "detail": 404, "edit": 404, "enrolment": 404},
    "oscar": {"list": 200, "register": 200, "detail": 404, "edit": 404, "enrolment": 404},
}


def urls(world: World) -> dict[str, str]:
    return {
        "list": reverse("participant_list"),
        "register": reverse("participant_register"),
        "detail": reverse("participant_detail", args=[world.rosa.pk]),
        "edit": reverse("participant_edit", args=[world.rosa.pk]),
        "enrolment": reverse("enrolment_detail", args=[world.rosa_enrolment.pk]),
    }


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_gets_what_the_rule_says(client, world: World, who: str) -> None:
    signed_in(client, world.staff()[who])
    answers = {name: client.get(url).status_code for name, url in urls(world).items()}
    assert answers == EXPECTED[who]


def test_anonymous_is_sent_to_sign_in_everywhere(client, world: World) -> None:
    for url in urls(world).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_no_page_url_carries_a_name(world: World) -> None:
    for url in urls(world).values():
        for name in ["Rosa", "Example"]:
            assert name.lower() not in url.lower()


def test_no_name_reaches_the_audit_log_from_any_page(client, world: World) -> None:
    from doorway.audit.models import AuditEntry

    signed_in(client, world.alice)
    for url in urls(world).values():
        client.get(url)
    client.get(reverse("participant_detail", args=[world.uma.pk]))  # refused
    client.post(reverse("participant_list"), {"q": "Rosa Example"})
    client.post(reverse("participant_duplicates"), {"preferred_name": "Tess"})
    client.post(
        reverse("participant_edit", args=[world.rosa.pk]),
        {"preferred_name": "Rosalind", "legal_name": "Rosa Example"},
    )
    log = " ".join(e.canonical().decode() for e in AuditEntry.objects.all()).lower()
    assert AuditEntry.objects.count() >= 8
    for name in ["rosa", "rosalind", "example", "tess", "uma", "416-555"]:
        assert name not in log, name
