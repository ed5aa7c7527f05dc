"""The permission matrix: every participant-related URL, visited by every role and
anonymously, reading (GET) and writing (POST), answers as the access rule says.

A write that is refused must also leave everything as it was, so each POST carries a
valid payload: if a guard were missing, the change would happen and the test would see
it. A URL added under /participants/ or /enrolments/ without a row here fails the
coverage test at the bottom.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.casework.actions import record_contact
from doorway.casework.models import Contact
from doorway.conftest import World
from doorway.enrolments.models import Enrolment
from doorway.people.actions import add_safety_flag, break_the_glass
from doorway.people.models import Consent, Participant
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

OK, FORBIDDEN, NOT_FOUND = "ok", 403, 404


@dataclass
class Endpoint:
    name: str
    method: str
    url: Callable[[World, dict[str, Any]], str]
    payload: Callable[[World, dict[str, Any]], dict[str, Any]] | None = None
    # Whether the URL points at Rosa's record (so the record rule applies), or is a
    # list/form that the role rule alone decides.
    about_her: bool = True


def today() -> str:
    return timezone.localdate().isoformat()


ENDPOINTS = [
    Endpoint("participant_list", "GET", lambda w, x: reverse("participant_list"), about_her=False),
    Endpoint(
        "participant_list",
        "POST",
        lambda w, x: reverse("participant_list"),
        lambda w, x: {"q": "Rosa Example"},
        about_her=False,
    ),
    Endpoint(
        "participant_register", "GET", lambda w, x: reverse("participant_register"), about_her=False
    ),
    Endpoint(
        "participant_duplicates",
        "POST",
        lambda w, x: reverse("participant_duplicates"),
        lambda w, x: {"preferred_name": "Rosa"},
        about_her=False,
    ),
    Endpoint(
        "participant_detail", "GET", lambda w, x: reverse("participant_detail", args=[w.rosa.pk])
    ),
    Endpoint("participant_edit", "GET", lambda w, x: reverse("participant_edit", args=[w.rosa.pk])),
    Endpoint(
        "participant_edit",
        "POST",
        lambda w, x: reverse("participant_edit", args=[w.rosa.pk]),
        lambda w, x: {"preferred_name": "Rosie", "legal_name": "Rosa Example"},
    ),
    Endpoint(
        "safety_flag_add",
        "POST",
        lambda w, x: reverse("safety_flag_add", args=[w.rosa.pk]),
        lambda w, x: {"kind": "no_voicemail", "note": ""},
    ),
    Endpoint(
        "safety_flag_remove",
        "POST",
        lambda w, x: reverse("safety_flag_remove", args=[w.rosa.pk, x["flag"].pk]),
        lambda w, x: {},
    ),
    Endpoint(
        "consent_give",
        "POST",
        lambda w, x: reverse("consent_give", args=[w.rosa.pk]),
        lambda w, x: {"kind": "evaluation", "given_on": today()},
    ),
    Endpoint(
        "consent_withdraw",
        "POST",
        lambda w, x: reverse("consent_withdraw", args=[w.rosa.pk, x["consent"].pk]),
        lambda w, x: {f"w-{x['consent'].pk}-on": today(), f"w-{x['consent'].pk}-note": ""},
    ),
    Endpoint(
        "enrolment_detail",
        "GET",
        lambda w, x: reverse("enrolment_detail", args=[w.rosa_enrolment.pk]),
    ),
    Endpoint(
        "enrolment_move",
        "POST",
        lambda w, x: reverse("enrolment_move", args=[w.rosa_enrolment.pk]),
        lambda w, x: {"move": f"phase:{x['next_phase'].pk}", "reason": "", "on": today()},
    ),
    Endpoint(
        "enrolment_eligibility",
        "POST",
        lambda w, x: reverse("enrolment_eligibility", args=[w.rosa_enrolment.pk]),
        lambda w, x: {"decision": "eligible", "reason": "Three risk factors", "on": today()},
    ),
    Endpoint(
        "enrolment_assign",
        "POST",
        lambda w, x: reverse("enrolment_assign", args=[w.rosa_enrolment.pk]),
        lambda w, x: {"case_manager": w.amira.pk, "peer_mentor": "", "reason": ""},
    ),
    Endpoint(
        "contact_record",
        "GET",
        lambda w, x: reverse("contact_record", args=[w.rosa_enrolment.pk]),
    ),
    Endpoint(
        "contact_record",
        "POST",
        lambda w, x: reverse("contact_record", args=[w.rosa_enrolment.pk]),
        # A peer contact: the one kind every role that records contacts may record.
        lambda w, x: {"happened_on": today(), "duration_minutes": "30", "kind": "peer"},
    ),
    Endpoint(
        "contact_edit",
        "GET",
        lambda w, x: reverse("contact_edit", args=[w.rosa_enrolment.pk, x["contact"].pk]),
    ),
    Endpoint(
        "contact_edit",
        "POST",
        lambda w, x: reverse("contact_edit", args=[w.rosa_enrolment.pk, x["contact"].pk]),
        lambda w, x: {
            "happened_on": today(),
            "duration_minutes": "55",
            "kind": "counselling",
            "note": "Rewritten",
        },
    ),
    Endpoint(
        "contact_history",
        "GET",
        lambda w, x: reverse("contact_history", args=[w.rosa_enrolment.pk, x["contact"].pk]),
    ),
]

WRITES = {e.name for e in ENDPOINTS if e.method == "POST" and e.about_her}

# What each role gets on Rosa's record. Alice is her case manager, Amira is on Alice's
# team, Morgan manages the program, Pat mentors her. Bianca is on another team; Olive
# and Oscar are at another agency; Eve evaluates; Ada administers without a grant.
CARE_TEAM = {
    "participant_detail",
    "participant_edit",
    "enrolment_detail",
    "contact_history",
} | WRITES
RULES: dict[str, dict[str, object]] = {
    "alice": {**dict.fromkeys(CARE_TEAM, OK), "enrolment_assign": FORBIDDEN},
    "amira": {**dict.fromkeys(CARE_TEAM, OK), "enrolment_assign": FORBIDDEN},
    "morgan": dict.fromkeys(CARE_TEAM, OK),
    "pat": {
        **dict.fromkeys(WRITES, FORBIDDEN),
        "participant_detail": OK,
        "enrolment_detail": OK,
        "participant_edit": FORBIDDEN,
        # Peer contacts only (her own kind); she never opens a case note.
        "contact_record": OK,
        "contact_history": FORBIDDEN,
    },
    "bianca": dict.fromkeys(CARE_TEAM, NOT_FOUND),
    "olive": dict.fromkeys(CARE_TEAM, NOT_FOUND),
    "oscar": dict.fromkeys(CARE_TEAM, NOT_FOUND),
    "eve": dict.fromkeys(CARE_TEAM, NOT_FOUND),
    "ada": dict.fromkeys(CARE_TEAM, NOT_FOUND),
}
# Lists and the registration form: decided by role alone.
ROLE_PAGES: dict[str, object] = {
    "alice": OK,
    "amira": OK,
    "morgan": OK,
    "bianca": OK,
    "olive": OK,
    "oscar": OK,
    "pat": OK,
    "eve": NOT_FOUND,
    "ada": OK,
}
REGISTERS = {"alice", "amira", "bianca", "morgan", "olive", "oscar"}


def expected(who: str, endpoint: Endpoint) -> object:
    if endpoint.about_her:
        return RULES[who][endpoint.name]
    if endpoint.name in {"participant_register", "participant_duplicates"}:
        if who == "eve":
            return NOT_FOUND
        return OK if who in REGISTERS else FORBIDDEN
    return ROLE_PAGES[who]


def setup_extras(world: World) -> dict[str, Any]:
    flag = add_safety_flag(world.rosa, kind="no_texts", note="", by=world.alice)
    consent = Consent.objects.get(participant=world.rosa, kind="service")
    next_phase = world.program.active_phases()[1]
    contact = record_contact(
        world.rosa_enrolment,
        by=world.alice,
        happened_on=timezone.localdate(),
        duration_minutes=45,
        kind="counselling",
        note="First note",
    )
    return {"flag": flag, "consent": consent, "next_phase": next_phase, "contact": contact}


def snapshot(world: World) -> tuple[object, ...]:
    """Everything a write about Rosa could change."""
    rosa = Participant.objects.get(pk=world.rosa.pk)
    enrolment = Enrolment.objects.get(pk=world.rosa_enrolment.pk)
    return (
        rosa.preferred_name,
        rosa.legal_name,
        rosa.history.count(),
        tuple(rosa.safety_flags.values_list("pk", "removed_at")),
        tuple(rosa.consents.values_list("pk", "withdrawn_on")),
        enrolment.current_phase_id,
        enrolment.eligibility,
        enrolment.case_manager_id,
        enrolment.peer_mentor_id,
        enrolment.events.count(),
        tuple(enrolment.contacts.values_list("pk", "duration_minutes", "kind")),
        Contact.history.filter(enrolment_id=enrolment.pk).count(),
    )


CASES = [
    pytest.param(who, endpoint, id=f"{who}-{endpoint.method}-{endpoint.name}")
    for who in sorted(RULES)
    for endpoint in ENDPOINTS
]


@pytest.mark.parametrize(("who", "endpoint"), CASES)
def test_each_role_gets_what_the_rule_says(
    client, world: World, who: str, endpoint: Endpoint
) -> None:
    extras = setup_extras(world)
    signed_in(client, world.staff()[who])
    url = endpoint.url(world, extras)
    before = snapshot(world)
    refusals_before = AuditEntry.objects.filter(action="refused").count()
    if endpoint.method == "GET":
        response = client.get(url)
    else:
        assert endpoint.payload is not None
        response = client.post(url, endpoint.payload(world, extras))
    want = expected(who, endpoint)
    if want == OK:
        assert response.status_code in {200, 302}, response.status_code
        if endpoint.method == "POST" and endpoint.about_her:
            assert snapshot(world) != before, "an allowed write changed nothing"
        return
    assert response.status_code == want
    assert snapshot(world) == before, "a refused request changed her record"
    if want == NOT_FOUND and endpoint.about_her:
        # Out of reach: answered like a record that does not exist, and audited.
        assert AuditEntry.objects.filter(action="refused").count() == refusals_before + 1


# Forms she may not even open, since opening them is the start of a write.
READ_ONLY_REFUSED = {"participant_edit", "contact_record", "contact_edit"}


def test_an_administrator_who_broke_the_glass_reads_but_does_not_write(
    client, world: World
) -> None:
    extras = setup_extras(world)
    break_the_glass(world.rosa, by=world.ada, reason="Subpoena received, checking dates")
    signed_in(client, world.ada)
    for endpoint in ENDPOINTS:
        if not endpoint.about_her:
            continue
        before = snapshot(world)
        url = endpoint.url(world, extras)
        if endpoint.method == "GET":
            status = client.get(url).status_code
            assert status == (FORBIDDEN if endpoint.name in READ_ONLY_REFUSED else 200), url
        else:
            assert endpoint.payload is not None
            assert client.post(url, endpoint.payload(world, extras)).status_code == FORBIDDEN
            assert snapshot(world) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method}-{e.name}")
def test_anonymous_visitors_are_sent_to_sign_in(client, world: World, endpoint: Endpoint) -> None:
    extras = setup_extras(world)
    before = snapshot(world)
    url = endpoint.url(world, extras)
    if endpoint.method == "GET":
        response = client.get(url)
    else:
        assert endpoint.payload is not None
        response = client.post(url, endpoint.payload(world, extras))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert snapshot(world) == before


def url_names(patterns: list[Any]) -> set[str]:
    """Names of these URL patterns and of those included below them (contacts are
    mounted under an enrolment)."""
    names = set()
    for p in patterns:
        if isinstance(p, URLPattern):
            names.add(p.name)
        elif isinstance(p, URLResolver):
            names |= url_names(p.url_patterns)
    return names


def test_every_participant_and_enrolment_url_is_in_the_matrix() -> None:
    covered = {e.name for e in ENDPOINTS}
    resolver = get_resolver()
    names = set()
    for prefix in ("participants/", "enrolments/"):
        for pattern in resolver.url_patterns:
            if str(pattern.pattern) == prefix:
                names |= url_names(pattern.url_patterns)
    assert names, "the URL modules were not found"
    assert names <= covered, f"not in the permission matrix: {sorted(names - covered)}"
